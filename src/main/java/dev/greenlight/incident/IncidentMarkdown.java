package dev.greenlight.incident;

import dev.greenlight.audit.AuditEvent;
import dev.greenlight.deploy.Deployment;
import dev.greenlight.deploy.DeploymentStatus;
import dev.greenlight.deploy.Step;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the incident report of a rollback as Markdown: what was deployed, what triggered the rollback (the failing
 * step's detail and the tail of its output), every step, what was restored and set aside, the final state and what a
 * person must do next. Everything comes from the records; recorded text is escaped ({@link Markdown}).
 */
public final class IncidentMarkdown {
    /** GitHub refuses issue bodies over 65,536 characters; the column holds as much. */
    static final int MAX_CHARS = 60_000;
    /** A long watch records hundreds of probes: the report keeps the first and the last ones. */
    static final int TIMELINE_ROWS = 150;
    private static final int OUTPUT_LINES = 20;
    private static final int OUTPUT_CHARS = 2_000;
    private static final int DETAIL_CHARS = 120;
    private static final String ROLLING_BACK = "deployment." + DeploymentStatus.ROLLING_BACK.key();
    /** The stages of a rollback besides those named {@code rollback…} (blue-green's database and hook steps). */
    private static final Set<String> ROLLBACK_STAGES = Set.of("set-aside", "restore", "after-rollback");
    /** Rollback steps on the database's host: told under the database, not as a host going back to a version. */
    private static final Set<String> DATABASE_STAGES = Set.of("set-aside", "restore");
    private static final DateTimeFormatter DAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** The and the report's title. */
    public String title(IncidentFacts f) {
        Deployment d = f.deployment();
        return "Incident: " + d.app() + "/" + d.environment() + " " + d.version() + " " + outcome(d.status());
    }

    public String render(IncidentFacts f) {
        StringBuilder md = new StringBuilder(8_192);
        Deployment d = f.deployment();
        Optional<AuditEvent> rollbackStart = f.audit().stream().filter(e -> ROLLING_BACK.equals(e.action()))
                .findFirst();
        md.append("# ").append(Markdown.text(title(f))).append("\n\n");
        md.append("Deployment ").append(d.id()).append(" of ").append(Markdown.text(d.app())).append(" to ")
                .append(Markdown.text(d.environment())).append(" ended **").append(d.status().key()).append("**")
                .append(d.finishedAt() == null ? "" : " at " + DAY_TIME.format(d.finishedAt())).append(".\n\n");
        deployed(md, f);
        trigger(md, f, rollbackStart);
        timeline(md, f.steps());
        restored(md, f);
        finalState(md, f);
        auditTrail(md, f.audit());
        return fit(md.toString(), d.id());
    }

    private static void deployed(StringBuilder md, IncidentFacts f) {
        Deployment d = f.deployment();
        md.append("## What was deployed\n\n| | |\n|---|---|\n");
        row(md, "Version", d.version());
        row(md, "Previous version", d.previousVersion());
        f.blueGreen().ifPresent(bg -> row(md, "Colour", bg.color() == null ? null
                : bg.color() + (bg.previousColor() == null ? "" : " (live before: " + bg.previousColor() + ")")));
        row(md, "Commit", d.commitSha());
        row(md, "Strategy", d.strategy());
        row(md, "Trigger", d.triggerKind() + (d.rollbackOf() == null ? "" : " of deployment " + d.rollbackOf()));
        row(md, "Triggered by", d.triggeredBy());
        row(md, "Queued", time(d.createdAt()));
        row(md, "Started", time(d.startedAt()));
        row(md, "Ended", time(d.finishedAt()));
        row(md, "Reason", d.reason());
        md.append('\n');
    }

    private static void trigger(StringBuilder md, IncidentFacts f, Optional<AuditEvent> rollbackStart) {
        md.append("## What triggered the rollback\n\n");
        String why = rollbackStart.map(AuditEvent::detail).orElse(f.deployment().statusDetail());
        md.append(why == null ? "The records do not say." : Markdown.text(why)).append("\n\n");
        Optional<Step> failing = failingStep(f.steps(), rollbackStart.map(AuditEvent::at));
        if (failing.isEmpty()) {
            md.append("No step failed before the rollback began.\n\n");
            return;
        }
        Step s = failing.get();
        md.append("The failing step: **").append(Markdown.text(s.stage())).append("**")
                .append(s.host() == null ? "" : " on " + Markdown.text(s.host()))
                .append(", attempt ").append(s.attempt()).append(", started ").append(time(s.startedAt()))
                .append(s.exitCode() == null ? "" : ", exit code " + s.exitCode()).append(".\n\n");
        if (s.detail() != null && !s.detail().isBlank()) {
            md.append("Detail: ").append(Markdown.text(s.detail())).append("\n\n");
        }
        if (s.output() != null && !s.output().isBlank()) {
            md.append("Its output (the last ").append(OUTPUT_LINES).append(" lines at most):\n\n")
                    .append(Markdown.codeBlock(tail(s.output()))).append('\n');
        }
    }

    /** The last step that failed before the rollback began: the one whose failure the pipeline acted on. */
    static Optional<Step> failingStep(List<Step> steps, Optional<Instant> rollbackStart) {
        Step last = null;
        for (Step s : steps) {
            boolean beforeRollback = rollbackStart.map(t -> !s.startedAt().isAfter(t)).orElse(!rollbackStage(s.stage()));
            if (beforeRollback && "failed".equals(s.status())) last = s;
        }
        return Optional.ofNullable(last);
    }

    private static void timeline(StringBuilder md, List<Step> steps) {
        md.append("## Timeline\n\n");
        if (steps.isEmpty()) {
            md.append("No step was recorded.\n\n");
            return;
        }
        md.append("| # | Stage | Host | Attempt | Status | Started | Duration | Exit | Detail |\n")
                .append("|---:|---|---|---:|---|---|---:|---:|---|\n");
        int half = TIMELINE_ROWS / 2;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.size() > TIMELINE_ROWS && i == half) {
                md.append("| … | ").append(steps.size() - TIMELINE_ROWS).append(" more steps | | | | | | | |\n");
                i = steps.size() - half;
            }
            Step s = steps.get(i);
            md.append("| ").append(i + 1).append(" | ").append(Markdown.cell(s.stage(), 40)).append(" | ")
                    .append(Markdown.cell(s.host(), 60)).append(" | ").append(s.attempt()).append(" | ")
                    .append(Markdown.cell(s.status(), 20)).append(" | ").append(clock(s.startedAt())).append(" | ")
                    .append(duration(s.startedAt(), s.finishedAt())).append(" | ")
                    .append(s.exitCode() == null ? "–" : s.exitCode()).append(" | ")
                    .append(Markdown.cell(s.detail(), DETAIL_CHARS)).append(" |\n");
        }
        md.append('\n');
    }

    private static void restored(StringBuilder md, IncidentFacts f) {
        md.append("## What was restored and set aside\n\n");
        Map<String, List<Step>> byHost = new LinkedHashMap<>();
        for (Step s : f.steps()) {
            if (rollbackStage(s.stage()) && !DATABASE_STAGES.contains(s.stage())) {
                byHost.computeIfAbsent(s.host() == null ? "" : s.host(), h -> new ArrayList<>()).add(s);
            }
        }
        if (byHost.isEmpty()) md.append("- No rollback step was recorded.\n");
        byHost.forEach((host, steps) -> {
            Optional<Step> failed = steps.stream().filter(s -> !"succeeded".equals(s.status())).findFirst();
            md.append("- ").append(host.isEmpty() ? "the environment" : Markdown.text(host)).append(": ");
            if (failed.isEmpty()) {
                md.append("back on ").append(Markdown.text(f.deployment().previousVersion())).append(" (")
                        .append(stages(steps)).append(" succeeded)\n");
            } else {
                md.append("**").append(Markdown.text(failed.get().stage())).append(' ')
                        .append(Markdown.text(failed.get().status())).append("**: ")
                        .append(Markdown.cell(failed.get().detail(), 300)).append('\n');
            }
        });
        database(md, f);
        md.append('\n');
    }

    private static void database(StringBuilder md, IncidentFacts f) {
        BlueGreenFacts bg = f.blueGreen().orElse(null);
        if (bg == null || bg.backupName() == null) {
            md.append("- Database: no backup belongs to this deployment; nothing was restored.\n");
            return;
        }
        md.append("- Database backup: `").append(bg.backupName()).append("`, taken ").append(time(bg.backupAt()))
                .append(".\n");
        Optional<Step> restore = f.steps().stream().filter(s -> "restore".equals(s.stage())).reduce((a, b) -> b);
        if (bg.setAsideName() != null) {
            md.append("- Set aside before restoring: `").append(bg.setAsideName()).append("`, taken ")
                    .append(time(bg.setAsideAt())).append(". The writes made from ").append(time(bg.backupAt()))
                    .append(" to ").append(time(bg.setAsideAt()))
                    .append(" are no longer in the live database; they are in this dump.\n");
        }
        if (restore.isEmpty()) {
            md.append("- Restore: none ran; the database was left as it was")
                    .append(bg.switchedAt() == null ? " (traffic never moved to the new version)" : "").append(".\n");
        } else {
            md.append("- Restore of `").append(bg.backupName()).append("`: **").append(Markdown.text(restore.get().status()))
                    .append("**").append(restore.get().detail() == null ? "" : ", " + Markdown.cell(restore.get().detail(), 300))
                    .append(".\n");
        }
    }

    private static void finalState(StringBuilder md, IncidentFacts f) {
        Deployment d = f.deployment();
        md.append("## Final state\n\n");
        md.append("- Status: **").append(d.status().key()).append("**\n");
        md.append("- Live version: ").append(f.liveVersion() == null ? "none" : Markdown.text(f.liveVersion()))
                .append(f.blueGreen().map(BlueGreenFacts::liveColor).map(c -> " (colour " + Markdown.text(c) + ")")
                        .orElse("")).append('\n');
        md.append("- Environment locked: ").append(f.lockedBy().map(id -> "**yes**, by the failed rollback of "
                + "deployment " + id).orElse("no")).append('\n');
        md.append("\n### What to do next\n\n");
        if (d.status() == DeploymentStatus.ROLLBACK_FAILED) {
            md.append("The rollback did not finish, so ").append(Markdown.text(d.app() + "/" + d.environment()))
                    .append(" is locked: nothing else deploys there until a person releases it.\n\n")
                    .append("1. Check every host named above whose rollback step failed, and bring it back to ")
                    .append(Markdown.text(d.previousVersion())).append(" by hand (the failing steps say where it stopped).\n")
                    .append("2. Check the database against the backup and set-aside dump named above, if any.\n")
                    .append("3. Release the environment: `POST /api/v1/environments/").append(d.app()).append('/')
                    .append(d.environment()).append("/unlock` with a reason.\n");
        } else {
            md.append("Nothing is needed to restore service: the environment runs ")
                    .append(f.liveVersion() == null ? "its previous version" : Markdown.text(f.liveVersion()))
                    .append(". Find the cause in the evidence above before deploying ")
                    .append(Markdown.text(d.version())).append(" or a fix again.");
            f.blueGreen().map(BlueGreenFacts::setAsideName).ifPresent(name -> md.append(" Writes set aside in `")
                    .append(name).append("` must be reconciled by hand if they matter."));
            md.append('\n');
        }
        md.append('\n');
    }

    private static void auditTrail(StringBuilder md, List<AuditEvent> audit) {
        md.append("## Audit trail\n\n| Time | Actor | Action | Outcome | Detail |\n|---|---|---|---|---|\n");
        for (AuditEvent e : audit) {
            md.append("| ").append(clock(e.at())).append(" | ").append(Markdown.cell(e.actor(), 60)).append(" | ")
                    .append(Markdown.cell(e.action(), 40)).append(" | ").append(Markdown.cell(e.outcome(), 30))
                    .append(" | ").append(Markdown.cell(e.detail(), 300)).append(" |\n");
        }
    }

    static boolean rollbackStage(String stage) {
        return stage.startsWith("rollback") || ROLLBACK_STAGES.contains(stage);
    }

    private static String stages(List<Step> steps) {
        return String.join(", ", steps.stream().map(Step::stage).distinct().map(Markdown::text).toList());
    }

    private static String outcome(DeploymentStatus status) {
        return status == DeploymentStatus.ROLLBACK_FAILED ? "ROLLBACK FAILED" : status.key().replace('_', ' ');
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(Markdown.cell(value, 500)).append(" |\n");
    }

    private static String tail(String output) {
        String[] lines = output.stripTrailing().split("\n", -1);
        String tail = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - OUTPUT_LINES),
                lines.length));
        return tail.length() > OUTPUT_CHARS ? "…" + tail.substring(tail.length() - OUTPUT_CHARS) : tail;
    }

    private static String time(Instant t) {
        return t == null ? "–" : DAY_TIME.format(t);
    }

    private static String clock(Instant t) {
        return t == null ? "–" : TIME.format(t);
    }

    private static String duration(Instant start, Instant end) {
        return Markdown.duration(start, end);
    }

    private static String fit(String md, long id) {
        if (md.length() <= MAX_CHARS) return md;
        return md.substring(0, MAX_CHARS) + "\n\n… the report was cut at " + MAX_CHARS + " characters; every step is "
                + "at GET /api/v1/deployments/" + id + "\n";
    }
}
