package dev.globallock.redis;

/** Short, credential-free descriptions of client failures for exception messages. */
final class Errors {
    private Errors() {}

    /** The failure and its innermost distinct cause, such as {@code JedisConnectionException: ... (ConnectException: Connection refused)}. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(shortly(failure));
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure && root.getMessage() != null && !text.toString().contains(root.getMessage())) {
            text.append(" (").append(shortly(root)).append(')');
        }
        return text.toString();
    }

    /**
     * Whether the failure means the backend could not be reached (no connection, a broken one, no
     * reply in time, no majority of Redlock nodes), rather than an answer that refused something.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof redis.clients.jedis.exceptions.JedisConnectionException
                    || t instanceof RedlockBackend.QuorumUnavailable
                    || t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static String shortly(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message.trim());
    }
}
