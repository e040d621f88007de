package dev.greenlight.config;

/**
 * Optional GitHub API access for commit statuses and incident issues; {@code publicUrl} is where deployment links
 * point.
 */
public record GithubSettings(String tokenEnv, String tokenFile, String apiUrl, String publicUrl) {
    public static final GithubSettings NONE = new GithubSettings(null, null, "https://api.github.com", null);}
