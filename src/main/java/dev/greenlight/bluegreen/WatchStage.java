package dev.greenlight.bluegreen;

import dev.greenlight.config.HostAddress;
import dev.greenlight.config.NotificationEvent;
import dev.greenlight.config.WatchSpec;
import dev.greenlight.deploy.DeploymentNotices;
import dev.greenlight.deploy.DeploymentRun;
import dev.greenlight.deploy.StepFailedException;
import dev.greenlight.deploy.StepStore;
import dev.greenlight.health.ErrorCount;
import dev.greenlight.health.ErrorCountReader;
import dev.greenlight.health.HealthReport;
import dev.greenlight.health.HttpHealthChecker;
import dev.greenlight.health.PathResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The watch after the switch, one round at a time (the watch route loops and waits): every host's health paths and
 * error counter are probed through the live path, each host's probe one step (stage {@code watch}) whose detail says
 * what was seen with its latencies; then the window judges, and a failing window fails the deployment at once with
 * the evidence.
 */
public final class WatchStage {
    private final HttpHealthChecker checker;
    private final ErrorCountReader counters;
    private final StepStore steps;
    private final Clock clock;
    private final DeploymentNotices notices;

    /** @param notices told when the watch fails (the error-rate alert), before the rollback starts */
    public WatchStage(HttpHealthChecker checker, ErrorCountReader counters, StepStore steps, Clock clock,
                      DeploymentNotices notices) {
        this.checker = checker;
        this.counters = counters;
        this.steps = steps;
        this.clock = clock;
        this.notices = notices;
    }

    public WatchWindow begin(DeploymentRun run) {
        return new WatchWindow(run.environment().blueGreen().watch(), Instant.now(clock));
    }

    public boolean running(WatchWindow window) {
        return window.running(Instant.now(clock));
    }

    public long nextDelay(WatchWindow window) {
        return window.nextDelayMillis(Instant.now(clock));
    }

    public void probe(DeploymentRun run, HostAddress host, WatchWindow window) {
        WatchSpec spec = run.environment().blueGreen().watch();
        String base = run.healthBase(host);
        long step = steps.open(run.id(), "watch", host.toString(), 1);
        var timeout = run.environment().health().timeout();
        HealthReport report = checker.check(base, run.environment().health().paths(), timeout);
        List<Long> latencies = new ArrayList<>(report.results().stream().map(PathResult::millis).toList());
        int errors = report.failures().size();
        String evidence = report.failures().isEmpty() ? null
                : report.failures().get(report.failures().size() - 1).describe() + " on " + host;
        StringBuilder detail = new StringBuilder(report.summary());
        if (spec.errorsPath() != null) {
            ErrorCount reading = counters.read(base, spec.errorsPath(), spec.errorsField(), timeout);
            latencies.add(reading.millis());
            if (reading.read()) {
                long rise = window.counter(host.toString(), reading.count());
                errors += (int) Math.min(rise, Integer.MAX_VALUE);
                detail.append(", ").append(spec.errorsPath()).append(' ').append(spec.errorsField()).append('=')
                        .append(reading.count()).append(" (+").append(rise).append(") ").append(reading.millis())
                        .append("ms");
                if (rise > 0) {
                    evidence = spec.errorsPath() + " said " + spec.errorsField() + "=" + reading.count() + " on " + host;
                }
            } else {
                errors++;
                detail.append(", ").append(spec.errorsPath()).append(": ").append(reading.error());
                evidence = spec.errorsPath() + ": " + reading.error() + " on " + host;
            }
        }
        detail.append("; ").append(errors).append(errors == 1 ? " error" : " errors");
        steps.close(step, errors == 0, null, null, detail.toString());
        window.add(Instant.now(clock), errors, latencies, evidence);
    }

    /** After a round: a window with too many errors, or too slow, fails the deployment now. */
    public void judge(DeploymentRun run, WatchWindow window) {
        var verdict = window.verdict(Instant.now(clock));
        if (verdict.isPresent()) {
            notices.alert(run.id(), NotificationEvent.ERROR_RATE, verdict.get());
            throw new StepFailedException(verdict.get());
        }
    }
}
