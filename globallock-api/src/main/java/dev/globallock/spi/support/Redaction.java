/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.spi.support;

/**
 * Hides credentials that a user wrote into an endpoint ({@code http://user:password@host:2379})
 * before the endpoint goes into a message, a log line or a {@code toString()}: the user-info part
 * becomes {@value #MASK}, the way secrets are shown everywhere else. Works on any text, including
 * text that is not a valid URI, so that an endpoint can be masked before it is parsed. Stateless.
 */
public final class Redaction {
    /** What a secret is shown as. */
    public static final String MASK = "******";

    private Redaction() {}

    /**
     * The endpoint with everything between the scheme's {@code ://} (or the start, when there is no
     * scheme) and the last {@code @} replaced by {@value #MASK}: {@code
     * http://u:pw@127.0.0.1:2379} → {@code http://******@127.0.0.1:2379}, {@code u:pw@zk1:2181} →
     * {@code ******@zk1:2181}. The last {@code @}, so that a password containing one is masked
     * whole; more may be masked than the user-info (an {@code @} in a path), never less. Text
     * without an {@code @} comes back as it is; null comes back as null.
     */
    public static String userInfo(String endpoint) {
        if (endpoint == null) {
            return null;
        }
        int at = endpoint.lastIndexOf('@');
        if (at < 0) {
            return endpoint;
        }
        int scheme = endpoint.indexOf("://");
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return endpoint.substring(0, start) + MASK + endpoint.substring(at);
    }

    /** Whether the endpoint text carries something that may be a user-info part (an {@code @}). */
    public static boolean hasUserInfo(String endpoint) {
        return endpoint != null && endpoint.indexOf('@') >= 0;
    }
}
