package dev.greenlight.notify;

/** Cutting text to a provider's limit without splitting a character: what is left ends with an ellipsis. */
final class Texts {
    private Texts() {
    }

    /** {@code text} in at most {@code max} characters (UTF-16 units, as the providers count them). */
    static String cut(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int end = max - 1;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) end--;
        return text.substring(0, Math.max(end, 0)) + "…";
    }
}
