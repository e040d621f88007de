package dev.greenlight.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTest {

    @ParameterizedTest
    @CsvSource({
            "ghcr.io/acme/flowstate,        ghcr.io,              acme/flowstate",
            "localhost:5000/app,            localhost:5000,       app",
            "registry.lan:5000/team/api,    registry.lan:5000,    team/api",
            "nginx,                         registry-1.docker.io, library/nginx",
            "acme/app,                      registry-1.docker.io, acme/app",
            "docker.io/nginx,               registry-1.docker.io, library/nginx",
            "docker.io/acme/app,            registry-1.docker.io, acme/app",
            "index.docker.io/acme/app,      registry-1.docker.io, acme/app",
            "GHCR.io/acme/my_app-2.web,     ghcr.io,              acme/my_app-2.web",
    })
    void splitsRegistryAndRepositoryLikeDocker(String image, String registry, String repository) {
        ImageRef ref = ImageRef.parse(image);

        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx:1.27", "ghcr.io/acme/flowstate:1.4.2", "localhost:5000/app:latest"})
    void rejectsATagInTheImage(String image) {
        assertThatThrownBy(() -> ImageRef.parse(image))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not include a tag");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "ghcr.io/Acme/App", "acme//app", "ghcr.io/", "-app"})
    void rejectsMalformedReferences(String image) {
        assertThatThrownBy(() -> ImageRef.parse(image)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nginx@sha256:0123456789abcdef"})
    void rejectsADigest(String image) {
        assertThatThrownBy(() -> ImageRef.parse(image))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("digest");
    }

    @ParameterizedTest
    @CsvSource({
            "nginx,                  docker.io/library/nginx",
            "ghcr.io/acme/flowstate, ghcr.io/acme/flowstate",
    })
    void displaysTheNamePeopleWrite(String image, String display) {
        assertThat(ImageRef.parse(image).display()).isEqualTo(display);
    }
}
