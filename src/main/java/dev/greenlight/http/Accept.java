package dev.greenlight.http;

import java.util.Locale;

/**
 * An {@code Accept} header read as RFC 9110 reads it, for calls that answer in more than one type: of the media
 * ranges that match a type, the most specific decides, and {@code q=0} rules the type out. No header admits all.
 */
public final class Accept {
    private Accept() {
    }

    /** Whether {@code accept} admits {@code type} (a {@code type/subtype} without parameters). */
    public static boolean admits(String accept, String type) {
        if (accept == null || accept.isBlank()) return true;
        String wanted = type.toLowerCase(Locale.ROOT);
        int best = -1;
        boolean admitted = false;
        for (String part : accept.split(",")) {
            String[] pieces = part.split(";");
            String range = pieces[0].trim().toLowerCase(Locale.ROOT);
            int specificity = specificity(range, wanted);
            if (specificity > best) {
                best = specificity;
                admitted = quality(pieces) > 0;
            }
        }
        return admitted;
    }

    /** 2 for the type itself, 1 for its type with any subtype, 0 for any type, -1 when the range does not match. */
    private static int specificity(String range, String type) {
        if (range.equals(type)) return 2;
        if (range.equals("*/*")) return 0;
        if (range.endsWith("/*") && type.startsWith(range.substring(0, range.length() - 1))) return 1;
        return -1;
    }

    private static double quality(String[] pieces) {
        for (int i = 1; i < pieces.length; i++) {
            String p = pieces[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("q=")) {
                try {
                    return Double.parseDouble(p.substring(2).trim());
                } catch (NumberFormatException e) {
                    return 1; // as Vert.x takes an unreadable weight
                }
            }
        }
        return 1;
    }
}
