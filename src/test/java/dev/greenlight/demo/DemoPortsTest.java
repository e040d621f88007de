package dev.greenlight.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's ports: four different ones each time, though the system may hand out a port it just gave again. */
class DemoPortsTest {
    @Test
    void theFourPortsAreAlwaysDifferent() throws Exception {
        for (int i = 0; i < 200; i++) {
            DemoHosts.Ports p = DemoHosts.freePorts();
            assertThat(new HashSet<>(List.of(p.staging(), p.blue(), p.green(), p.live()))).as(p.toString()).hasSize(4);
        }
    }
}
