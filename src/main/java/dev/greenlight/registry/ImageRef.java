package dev.greenlight.registry;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference without tag, split the way docker does: the first component is a registry host only
 * if it contains a dot or a colon or is {@code localhost}; otherwise the image lives on Docker Hub, where
 * single-component names belong to {@code library/}.
 *
 * @param registry   the host[:port] serving the registry API, e.g. {@code ghcr.io}, {@code registry-1.docker.io}
 * @param repository the repository path, e.g. {@code acme/flowstate}, {@code library/nginx}
 */
public record ImageRef(String registry, String repository) {

    /** Docker Hub's API host; {@code docker.io} is only its name in image references. */
    public static final String DOCKER_HUB = "registry-1.docker.io";

    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern REPOSITORY = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

    /**
     * Parses {@code ghcr.io/acme/flowstate}, {@code localhost:5000/app}, {@code nginx}, {@code acme/app}.
     *
     * @throws IllegalArgumentException for an empty or malformed reference, or one carrying a tag or digest
     *                                  (the tag is always passed separately)
     */
    public static ImageRef parse(String image) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        String ref = image.strip();
        if (ref.contains("@")) {
            throw new IllegalArgumentException("image reference must not include a digest: " + ref);
        }
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
        String registry = hasRegistry ? normaliseRegistry(first) : DOCKER_HUB;
        String repository = hasRegistry ? ref.substring(slash + 1) : ref;
        if (repository.contains(":")) {
            throw new IllegalArgumentException(
                    "image reference must not include a tag (pass the tag separately): " + ref);
        }
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        if (!REPOSITORY.matcher(repository).matches()) {
            throw new IllegalArgumentException("invalid repository '" + repository + "' in image reference " + ref
                    + ": lowercase letters and digits separated by '/', '.', '_' or '-'");
        }
        return new ImageRef(registry, repository);
    }

    /** Lower-cases a registry host and maps Docker Hub's reference names to its API host. */
    public static String normaliseRegistry(String registry) {
        String host = registry.strip().toLowerCase(Locale.ROOT);
        return host.equals("docker.io") || host.equals("index.docker.io") ? DOCKER_HUB : host;
    }

    /** The name people write, e.g. {@code docker.io/library/nginx}. */
    public String display() {
        return (registry.equals(DOCKER_HUB) ? "docker.io" : registry) + "/" + repository;
    }
}
