package dev.greenlight.trail;

/**
 * CSV as RFC 4180 has it (CRLF between records; a field with a comma, a double quote, CR or LF is quoted, its double
 * quotes doubled) and safe to open in a spreadsheet: a field that starts with {@code =}, {@code +}, {@code -} or
 * {@code @} would be taken for a formula (recorded text comes from webhook senders and API callers), so it gets a
 * leading {@code '}.
 */
final class Csv {
    static final String EOL = "\r\n";

    private Csv() {
    }

    static String field(String raw) {
        if (raw == null) return "";
        String value = !raw.isEmpty() && "=+-@".indexOf(raw.charAt(0)) >= 0 ? "'" + raw : raw;
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\r') >= 0
                || value.indexOf('\n') >= 0;
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    static String record(String... fields) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) line.append(',');
            line.append(field(fields[i]));
        }
        return line.append(EOL).toString();
    }
}
