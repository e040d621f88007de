package dev.greenlight.bluegreen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.deploy.BlueGreenRun;
import dev.greenlight.deploy.StepFailedException;
import org.junit.jupiter.api.Test;

class BackupsTest {
    @Test
    void aBackupNameReachesAShellOnlyWhenItIsPlain() {
        assertThat(BlueGreenRun.requireBackupName("flowstate-production-42-20261201T101500Z"))
                .isEqualTo("flowstate-production-42-20261201T101500Z");
        assertThat(BlueGreenRun.requireBackupName("")).isEmpty();
        for (String bad : new String[] {"../etc/passwd", "a b", "x;rm -rf /", ".hidden", "a/b", "$(id)"}) {
            assertThatThrownBy(() -> BlueGreenRun.requireBackupName(bad)).as(bad)
                    .isInstanceOf(StepFailedException.class).hasMessageContaining("is not valid");
        }
    }
}
