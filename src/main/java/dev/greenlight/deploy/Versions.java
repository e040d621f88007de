package dev.greenlight.deploy;

import java.util.regex.Pattern;

/** What a deployable version may look like: a valid image tag, so it is safe in commands and registries. */
public final class Versions {
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");

    private Versions() {
    }

    public static boolean isValidTag(String version) {
        return version != null && IMAGE_TAG.matcher(version).matches();
    }

    public static boolean isValidSha(String sha) {
        return sha != null && SHA.matcher(sha).matches();
    }

    /** The refusal for an invalid version, with the rule it broke. */
    public static String invalidTagMessage(String version) {
        String shown = version == null ? "nothing" : "\"" + (version.length() > 80 ? version.substring(0, 80) + "…" : version) + "\"";
        return "version " + shown + " is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
    }
}
