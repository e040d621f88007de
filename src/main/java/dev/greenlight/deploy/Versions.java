package dev.greenlight.deploy;

import java.util.regex.Pattern;

/** What a deployable version and a commit id may look like, so that both are safe in commands, URLs and registries. */
public final class Versions {
    private static final Pattern IMAGE_TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** A git object id: 40 hex digits (SHA-1 repositories) or 64 (SHA-256 repositories), in either case. */
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{40}|[0-9a-fA-F]{64}");

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
        return "version " + shown(version) + " is not a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
    }

    /** The refusal for an invalid commit id, with the rule it broke. */
    public static String invalidShaMessage(String sha) {
        return "commit sha " + shown(sha) + " is not 40 (SHA-1) or 64 (SHA-256) hex digits";
    }

    /** A value quoted for a refusal, cut at 80 characters; "nothing" for none. */
    public static String shown(String value) {
        return value == null ? "nothing" : "\"" + (value.length() > 80 ? value.substring(0, 80) + "…" : value) + "\"";
    }
}
