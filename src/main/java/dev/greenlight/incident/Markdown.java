package dev.greenlight.incident;

/**
 * Recorded text (command output, details, reasons) put into Markdown as text: it can neither format the report,
 * break its tables or code blocks, nor mention people or link anywhere when the report becomes a GitHub issue.
 */
public final class Markdown {
    private Markdown() {
    }

    /** Inline text: one line, Markdown's special characters escaped. */
    static String text(String raw) {
        if (raw == null || raw.isEmpty()) return "";
        StringBuilder out = new StringBuilder(raw.length() + 16);
        for (char ch : raw.replaceAll("\\s*[\\r\\n]+\\s*", " ").toCharArray()) {
            if ("\\`*_[]<>|@~&".indexOf(ch) >= 0) out.append('\\');
            out.append(ch);
        }
        return out.toString();
    }

    /** A table cell: inline text cut to {@code max} characters, or a dash when empty. */
    public static String cell(String raw, int max) {
        if (raw == null || raw.isBlank()) return "–";
        String line = raw.strip();
        return text(line.length() > max ? line.substring(0, max - 1) + "…" : line);
    }

    /** A fenced code block whose fence is longer than any run of backticks in the text, so the text cannot end it. */
    static String codeBlock(String raw) {
        int longest = 0;
        int run = 0;
        for (char ch : raw.toCharArray()) {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(Math.max(3, longest + 1));
        return fence + "text\n" + raw.stripTrailing() + "\n" + fence + "\n";
    }

    /** From {@code start} to {@code end} as a table shows it ({@code 840 ms}, {@code 12.3 s}), or a dash. */
    public static String duration(java.time.Instant start, java.time.Instant end) {
        if (start == null || end == null) return "–";
        long ms = java.time.Duration.between(start, end).toMillis();
        return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
