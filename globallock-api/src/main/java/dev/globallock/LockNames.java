/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock;

/** Validates lock names: not blank, no control characters, valid Unicode, within the engine's key length. */
final class LockNames {
    private LockNames() {}

    static void check(String name, String keyPrefix, int maximumKeyBytes, String engine) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("lock name must not be empty or blank but was '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        "lock name '" + printable(name) + "' contains the control character U+"
                                + String.format("%04X", (int) c) + " at index " + i + "; names must be printable");
            }
            if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("lock name '" + printable(name)
                        + "' has an unpaired surrogate at index " + i + "; it is not valid Unicode");
            }
        }
        if ((long) (keyPrefix.length() + name.length()) * 3 <= maximumKeyBytes) {
            return; // no key of this many chars can be longer in UTF-8
        }
        int bytes = utf8Length(keyPrefix) + utf8Length(name);
        if (bytes > maximumKeyBytes) {
            throw new IllegalArgumentException(
                    "lock name '" + printable(name) + "' is too long: with the key prefix it is " + bytes
                            + " bytes in UTF-8 and engine '" + engine + "' accepts at most " + maximumKeyBytes);
        }
    }

    /**
     * Why {@code keyPrefix} cannot start every key, in the words of {@code <key> was '<value>' but
     * <reason>}; null when it can. The prefix follows the lock names' character rule: no control
     * characters, valid Unicode (it may be empty).
     */
    static String prefixProblem(String keyPrefix) {
        for (int i = 0; i < keyPrefix.length(); i++) {
            char c = keyPrefix.charAt(i);
            if (Character.isISOControl(c)) {
                return "it contains the control character U+" + String.format("%04X", (int) c) + " at index " + i
                        + "; like lock names, the key prefix must be printable";
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < keyPrefix.length()
                    && Character.isLowSurrogate(keyPrefix.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "it has an unpaired surrogate at index " + i + "; like lock names, it must be valid Unicode";
            }
        }
        return null;
    }

    /** The UTF-8 length of text whose surrogates are paired (a pair is 4 bytes, 2 per char). */
    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** The name as shown in messages: control characters escaped, long names shortened. */
    static String printable(String name) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < name.length() && shown.length() < 80; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)
                    || Character.isSurrogate(c) && !Character.isLetterOrDigit(name.codePointAt(i))) {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        if (shown.length() >= 80 && name.length() > 80) {
            shown.append("…(").append(name.length()).append(" chars)");
        }
        return shown.toString();
    }
}
