package dev.greenlight.faults;

/**
 * Every stage of both pipelines where a fault can happen (routes/rolling.camel.yaml, routes/blue-green.camel.yaml), in
 * pipeline order. A stage names the remote command it runs (the key of {@code commands:}, gated by the hosts'
 * {@code gate.sh}; null when it runs none), the host the fault hits (by {@link MatrixWorld} host number), what the
 * deployment has changed by then, and the HTTP check it makes, if any.
 *
 * <p>Rolling runs on hosts 1 and 2 in batches of one; blue-green on hosts 3 and 4, whose database lives on host 5.
 */
enum Stage {
    PRE_CHECK(Pipeline.ROLLING, "pre-check", null, 2, Change.NOTHING, false, Check.NONE),
    BUILD(Pipeline.ROLLING, "build", "build", 1, Change.NOTHING, false, Check.NONE),
    PRE_DEPLOY(Pipeline.ROLLING, "pre-deploy hook", "pre-deploy", 1, Change.NOTHING, false, Check.NONE),
    BEFORE_HOST(Pipeline.ROLLING, "before-host hook (batch 1)", "before-host", 1, Change.HOSTS, false, Check.NONE),
    DEPLOY_BATCH_1(Pipeline.ROLLING, "deploy (batch 1)", "deploy", 1, Change.HOSTS, false, Check.NONE),
    HEALTH_BATCH_1(Pipeline.ROLLING, "health (batch 1)", "health", 1, Change.HOSTS, true, Check.HEALTH),
    AFTER_HOST(Pipeline.ROLLING, "after-host hook (batch 1)", "after-host", 1, Change.HOSTS, true, Check.NONE),
    DEPLOY_BATCH_2(Pipeline.ROLLING, "deploy (batch 2)", "deploy", 2, Change.HOSTS, false, Check.NONE),
    HEALTH_BATCH_2(Pipeline.ROLLING, "health (batch 2)", "health", 2, Change.HOSTS, true, Check.HEALTH),
    POST_DEPLOY(Pipeline.ROLLING, "post-deploy hook", "post-deploy", 1, Change.HOSTS, true, Check.NONE),
    SMOKE(Pipeline.ROLLING, "smoke tests", null, 2, Change.HOSTS, true, Check.SMOKE),

    BG_PRE_CHECK(Pipeline.BLUE_GREEN, "pre-check", null, 4, Change.NOTHING, false, Check.LIVE_BEFORE),
    BACKUP(Pipeline.BLUE_GREEN, "database backup", "backup", 5, Change.NOTHING, false, Check.NONE),
    DEPLOY_IDLE(Pipeline.BLUE_GREEN, "deploy idle colour", "deploy", 4, Change.HOSTS, false, Check.NONE),
    IDLE_HEALTH(Pipeline.BLUE_GREEN, "idle colour health", "health", 4, Change.HOSTS, false, Check.HEALTH),
    BG_SMOKE(Pipeline.BLUE_GREEN, "smoke tests", null, 4, Change.HOSTS, false, Check.SMOKE),
    SWITCH(Pipeline.BLUE_GREEN, "switch (2nd host)", "switch", 4, Change.TRAFFIC, false, Check.NONE),
    LIVE_HEALTH(Pipeline.BLUE_GREEN, "live health", null, 4, Change.TRAFFIC, true, Check.LIVE_HEALTH),
    WATCH(Pipeline.BLUE_GREEN, "watch window", null, 4, Change.TRAFFIC, true, Check.WATCH),
    BG_POST_DEPLOY(Pipeline.BLUE_GREEN, "post-deploy hook", "post-deploy", 3, Change.TRAFFIC, true, Check.NONE),
    STOP_PREVIOUS(Pipeline.BLUE_GREEN, "stop previous colour", "stop", 4, Change.RELEASE, true, Check.NONE);

    private final Pipeline pipeline;
    private final String label;
    private final String command;
    private final int host;
    private final Change change;
    private final boolean hostChanged;
    private final Check check;

    /**
     * @param hostChanged whether the fault's host already carries the release when the stage fails (rolling: its
     *                    version; blue-green: its traffic on the new colour), which is how an unreachable host stays
     */
    Stage(Pipeline pipeline, String label, String command, int host, Change change, boolean hostChanged, Check check) {
        this.pipeline = pipeline;
        this.label = label;
        this.command = command;
        this.host = host;
        this.change = change;
        this.hostChanged = hostChanged;
        this.check = check;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    String label() {
        return label;
    }

    /** The name of this stage's cell of {@code fault}, as the test and the summary show it. */
    String cellName(Fault fault) {
        return pipeline.environment() + " / " + label + " × " + fault.label();
    }

    /** The {@code commands:} key this stage runs on its host, or null (a pre-check probe or an HTTP-only stage). */
    String command() {
        return command;
    }

    /** The pre-check's probe ({@code true} over SSH): its faults are the account's shell and the host itself. */
    boolean probe() {
        return this == PRE_CHECK || this == BG_PRE_CHECK;
    }

    /** Whether the stage reaches its host over SSH at all. */
    boolean overSsh() {
        return probe() || command != null;
    }

    int host() {
        return host;
    }

    Change change() {
        return change;
    }

    boolean hostChanged() {
        return hostChanged;
    }

    Check check() {
        return check;
    }

    /**
     * The version {@code gate.sh} sees in this stage's command: the old colour's stop acts on the previous version,
     * every other forward command on the new one (a rollback's commands on the previous one, so they pass the gate).
     */
    boolean gatesPreviousVersion() {
        return this == STOP_PREVIOUS;
    }

    /**
     * Why a fault cannot happen at this stage, or null when it can. Only applicable cells are counted.
     */
    String notApplicable(Fault fault) {
        return switch (fault) {
            case COMMAND_FAILURE -> {
                if (this == LIVE_HEALTH) yield HEALTH_COMMAND_IS_IDLE_HEALTHS;
                yield overSsh() ? null : "runs no remote command (HTTP only)";
            }
            case COMMAND_HANG -> {
                if (this == LIVE_HEALTH) yield HEALTH_COMMAND_IS_IDLE_HEALTHS;
                yield overSsh() || check == Check.SMOKE || check == Check.WATCH ? null : "no command or request to hang";
            }
            case HOST_UNREACHABLE -> {
                if (this == LIVE_HEALTH) yield HEALTH_COMMAND_IS_IDLE_HEALTHS;
                yield overSsh() ? null : "no SSH connection (HTTP only; an app that does not answer is a health failure)";
            }
            case HEALTH_FAILURE -> check == Check.NONE ? "no health check at this stage" : null;
            case ORCHESTRATOR_CRASH -> null; // every stage can be held while the process is killed
        };
    }

    private static final String HEALTH_COMMAND_IS_IDLE_HEALTHS = "its health command ran with the same values at the "
            + "idle colour's health, which is that cell";
}
