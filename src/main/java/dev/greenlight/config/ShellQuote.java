package dev.greenlight.config;

/** POSIX shell quoting: a value becomes one single-quoted word whatever it contains. */
public final class ShellQuote {
    private ShellQuote() {
    }

    public static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
