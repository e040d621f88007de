package dev.greenlight.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequiredPackageTest {
    private static final String MISSING = "greenlight-no-such-program";

    @Test
    void aMissingProgramSkipsNamingItsPackage() {
        assertThatThrownBy(() -> RequiredPackage.require(MISSING, "some-package", Map.of("PATH", "/usr/bin")))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining(MISSING + " is not installed (Debian package some-package)");
    }

    @Test
    void onCiAMissingProgramFails() {
        assertThatThrownBy(() -> RequiredPackage.require(MISSING, "some-package", Map.of("PATH", "/usr/bin", "CI", "true")))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessageContaining(MISSING + " is not installed (Debian package some-package), and CI=true");
    }

    @Test
    void anInstalledProgramIsFoundOnThePath() {
        assertThat(RequiredPackage.require("sh", "dash", Map.of("PATH", "/nonexistent:/bin:/usr/bin"))).isExecutable();
    }
}
