package dev.greenlight.deploy;

import dev.greenlight.config.HostAddress;
import dev.greenlight.config.HostChecks;
import dev.greenlight.config.NotificationEvent;
import dev.greenlight.ssh.SshHeaders;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * Judges a host's disk and memory figures against the environment's {@code checks}, as a pre-check step: the verdict
 * is a step record with the figures, and a host that fails a check is that host's pre-check answer and raises the
 * host-check alert. A figure the host did not print fails too: a check that cannot be read does not pass.
 */
public final class HostResources {
    private final StepStore steps;
    private final DeploymentNotices notices;

    public HostResources(StepStore steps, DeploymentNotices notices) {
        this.steps = steps;
        this.notices = notices;
    }

    /** Route step after the host-check command: null when the host passes (or nothing is checked), else why not. */
    public String judge(Exchange exchange) {
        RemoteCall call = exchange.getProperty(RemoteCall.PROPERTY, RemoteCall.class);
        if (call == null) return null;
        HostReading reading = HostReading.parse(SshHeaders.result(exchange.getMessage()).stdout());
        List<String> failures = new ArrayList<>();
        String figures = figures(call.run().environment().checks(), reading, failures);
        HostAddress host = call.host();
        steps.record(call.run().id(), "host-resources", host.toString(), 1, failures.isEmpty(), figures);
        if (failures.isEmpty()) return null;
        String problem = host + ": " + String.join(", ", failures);
        notices.alert(call.run().id(), NotificationEvent.HOST_CHECK_FAILED, problem);
        return problem;
    }

    /** Every checked figure as a sentence; each one over its limit (or missing) is also added to {@code failures}. */
    static String figures(HostChecks checks, HostReading reading, List<String> failures) {
        List<String> said = new ArrayList<>();
        if (checks.disk() != null) {
            HostChecks.Disk disk = checks.disk();
            String figure = reading.disk()
                    .map(used -> "disk " + disk.path() + " is " + used + "% used (max " + disk.maxUsedPercent() + "%, "
                            + HostChecks.formatSize(reading.diskAvailableBytes()) + " free)")
                    .orElse("disk " + disk.path() + ": df printed no usage figure");
            said.add(figure);
            if (reading.disk().map(used -> used > disk.maxUsedPercent()).orElse(true)) failures.add(figure);
        }
        if (checks.memory() != null) {
            long min = checks.memory().minAvailableBytes();
            String figure = reading.memory()
                    .map(free -> "memory " + HostChecks.formatSize(free) + " available (min "
                            + HostChecks.formatSize(min) + ")")
                    .orElse("memory: /proc/meminfo has no MemAvailable figure");
            said.add(figure);
            if (reading.memory().map(free -> free < min).orElse(true)) failures.add(figure);
        }
        return String.join(", ", said);
    }
}
