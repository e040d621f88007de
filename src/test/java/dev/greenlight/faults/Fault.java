package dev.greenlight.faults;

/**
 * A fault kind of the matrix: how it is injected at a stage, and the end state the design promises after it. A kind
 * that cannot happen inside the test's JVM (the orchestrator itself crashing) says so with {@link #separateJvm()} and
 * is run by a runner of its own, see {@code FaultMatrixTest.runnerFor}.
 */
enum Fault {
    /** The stage's remote command exits non-zero; at the pre-check, the account's shell refuses every command. */
    COMMAND_FAILURE("command failure") {
        @Override
        void inject(MatrixWorld world, Stage stage, Cell cell) {
            if (stage.probe()) world.hosts.ssh(stage.host()).noLoginShell();
            else world.writeFault(stage.host(), gateFile(stage, cell), "fail");
        }

        @Override
        String says(Stage stage) {
            return stage.probe() ? "the account cannot run commands" : "exited with status 3";
        }
    },
    /**
     * The stage's remote command blocks past the environment's command timeout (at the pre-check: every command hangs
     * after login); at a stage that only makes HTTP requests, its request is answered only after its timeout.
     */
    COMMAND_HANG("command hang") {
        @Override
        void inject(MatrixWorld world, Stage stage, Cell cell) {
            if (stage.probe()) world.hosts.ssh(stage.host()).hangAfterLogin();
            else if (stage.command() != null) world.writeFault(stage.host(), gateFile(stage, cell), "hang");
            else if (stage.check() == Check.SMOKE) world.writeFault(stage.host(), "delay_smoke-" + cell.version(), "3000");
            else world.writeFault(stage.host(), "delay_health_errors-" + cell.version(), "3000");
        }

        @Override
        String says(Stage stage) {
            return stage.overSsh() ? "timed out after " + MatrixWorld.COMMAND_TIMEOUT : "timed out";
        }
    },
    /**
     * The host refuses SSH connections from the moment the stage's command reaches it (at the pre-check: from the
     * start), for the rest of the deployment.
     */
    HOST_UNREACHABLE("host unreachable") {
        @Override
        void inject(MatrixWorld world, Stage stage, Cell cell) {
            var ssh = world.hosts.ssh(stage.host());
            if (stage.probe()) {
                ssh.refuseConnections();
                return;
            }
            String command = "gate.sh " + stage.command() + " '" + gateVersion(stage, cell) + "'";
            ssh.goesDownOn(sent -> sent.contains(command));
        }

        @Override
        String says(Stage stage) {
            return stage.probe() ? "cannot connect to deploy@" : "lost while a command was running";
        }

        /** A host the rollback has to act on and cannot reach fails the rollback: the environment is locked. */
        @Override
        Expected expected(Stage stage) {
            Expected design = super.expected(stage);
            boolean rollbackNeedsIt = stage.change() == Change.HOSTS || stage.change() == Change.TRAFFIC;
            return rollbackNeedsIt ? design.rollbackFailed() : design;
        }
    },
    /** The stage's health endpoint answers 503; at the smoke tests the smoke path does; in the watch, errors climb. */
    HEALTH_FAILURE("health failure") {
        @Override
        void inject(MatrixWorld world, Stage stage, Cell cell) {
            int host = stage.host();
            switch (stage.check()) {
                case LIVE_BEFORE -> world.writeFault(host, "unhealthy-" + cell.previousVersion(), "");
                case HEALTH -> world.writeFault(host, (stage.pipeline() == Pipeline.ROLLING ? "fail_health-"
                        : "unhealthy-") + cell.version(), "");
                case SMOKE -> world.writeFault(host, "fail_smoke-" + cell.version(), "");
                case LIVE_HEALTH -> world.writeFault(host, "unhealthy-live-" + cell.version(), "");
                case WATCH -> world.writeFault(host, "errors-climb-" + cell.version(), "");
                case NONE -> throw new IllegalStateException(stage + " has no health check");
            }
        }

        @Override
        String says(Stage stage) {
            return stage.check() == Check.WATCH ? "errors" : "503";
        }
    },

    /**
     * The orchestrator is killed ({@code kill -9}) while the stage is under way, and a new instance is started on the
     * same database: the deployment is held at the stage (its command waits on the gate; the pre-check's probe hangs
     * after login; an HTTP-only stage's request is answered late) and the kill comes once it is there, see
     * {@link CrashRunner}. Within the command timeout (the request timeout at an HTTP stage), so the stage has not
     * failed yet when the process dies.
     */
    ORCHESTRATOR_CRASH("orchestrator crash") {
        @Override
        boolean separateJvm() {
            return true;
        }

        @Override
        void inject(MatrixWorld world, Stage stage, Cell cell) {
            int host = stage.host();
            if (stage.probe()) world.hosts.ssh(host).hangAfterLogin();
            else if (stage.command() != null) world.writeFault(host, gateFile(stage, cell), "hold");
            else switch (stage.check()) {
                case SMOKE -> world.writeFault(host, "delay_smoke-" + cell.version(), "3000");
                case LIVE_HEALTH -> world.writeFault(host, "delay-live_health-" + cell.version(), "3000");
                case WATCH -> world.writeFault(host, "delay_health_errors-" + cell.version(), "3000");
                default -> throw new IllegalStateException(stage + " has nothing to hold the deployment at");
            }
        }

        @Override
        String says(Stage stage) {
            return "interrupted: the Greenlight instance running this step stopped";
        }

        /**
         * What the recovery rule promises: the deployment was {@code running}, so it is rolled back like a failure at
         * that stage. At the old colour's stop too: the release is not done until the run ends, so the recovery
         * deploys the old colour again, switches back and restores the database, where a failed stop lets it stand.
         */
        @Override
        Expected expected(Stage stage) {
            Change change = stage.change() == Change.RELEASE ? Change.TRAFFIC : stage.change();
            return Expected.after(change, failingStage(stage), says(stage)).recoveredAfterCrash();
        }
    };

    private final String label;

    Fault(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** Whether a cell of this kind must run the service in a JVM of its own (it kills the orchestrator). */
    boolean separateJvm() {
        return false;
    }

    /** Injects the fault at {@code stage} of the deployment of {@code cell}'s version, before it is queued. */
    abstract void inject(MatrixWorld world, Stage stage, Cell cell);

    /** What the failing step's detail says about this fault. */
    abstract String says(Stage stage);

    /** The end state the design promises when this fault happens at {@code stage}. */
    Expected expected(Stage stage) {
        return Expected.after(stage.change(), failingStage(stage), says(stage));
    }

    /** The stage name of the step that fails. */
    String failingStage(Stage stage) {
        if (this == HEALTH_FAILURE || stage.command() == null && !stage.probe()) return httpStage(stage.check());
        if (stage.probe()) return "pre-check";
        return switch (stage.command()) {
            case "health" -> "health-container";
            case "stop" -> "stop-previous";
            default -> stage.command();
        };
    }

    private static String httpStage(Check check) {
        return switch (check) {
            case LIVE_BEFORE -> "pre-check-live-health";
            case HEALTH -> "health";
            case SMOKE -> "smoke";
            case LIVE_HEALTH -> "live-health";
            case WATCH -> "watch";
            case NONE -> throw new IllegalStateException("no HTTP check");
        };
    }

    private static String gateVersion(Stage stage, Cell cell) {
        return stage.gatesPreviousVersion() ? cell.previousVersion() : cell.version();
    }

    private static String gateFile(Stage stage, Cell cell) {
        return "fault-" + stage.command() + "-" + gateVersion(stage, cell);
    }
}
