package dev.greenlight.config;

/**
 * Optional GitHub API access for commit statuses, incident issues and GitHub deployments ({@code deployments}: the
 * mirror of Greenlight's deployments, on unless turned off); {@code publicUrl} is where deployment links point.
 */
public record GithubSettings(String tokenEnv, String tokenFile, String apiUrl, String publicUrl, boolean deployments) {
    public static final GithubSettings NONE = new GithubSettings(null, null, "https://api.github.com", null, false);
}
