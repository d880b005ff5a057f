package dev.globallock;

import java.nio.charset.StandardCharsets;

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
        int bytes = (keyPrefix + name).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maximumKeyBytes) {
            throw new IllegalArgumentException(
                    "lock name '" + printable(name) + "' is too long: with the key prefix it is " + bytes
                            + " bytes in UTF-8 and engine '" + engine + "' accepts at most " + maximumKeyBytes);
        }
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
