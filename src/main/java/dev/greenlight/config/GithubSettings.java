package dev.greenlight.config;

/**
 * Optional GitHub API access for commit statuses, incident issues and (with {@code deployments}) GitHub deployments;
 * {@code publicUrl} is where deployment links point.
 */
public record GithubSettings(String tokenEnv, String tokenFile, String apiUrl, String publicUrl, boolean deployments) {
    public static final GithubSettings NONE = new GithubSettings(null, null, "https://api.github.com", null, false);
}
