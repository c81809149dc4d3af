package io.clustermetrics.wire;

/**
 * What a peer said, made fit for a log line: control characters (CR and LF among them, NUL, ANSI escapes) and
 * anything outside printable ASCII written as {@code \\uXXXX}, and at most {@value #MAX} characters kept, so that
 * no peer can forge log lines, drive a terminal or flood the log.
 */
public final class LogSafe {

    /** The most characters kept of one value. */
    public static final int MAX = 200;

    private LogSafe() {}

    /** {@code value} escaped and truncated; {@code "null"} for null. */
    public static String of(Object value) {
        String s = String.valueOf(value);
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 16);
        for (int i = 0; i < s.length() && i < MAX; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (s.length() > MAX) {
            out.append("...(").append(s.length()).append(" characters)");
        }
        return out.toString();
    }
}
