package dev.greenlight.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix: for every stage of both pipelines and every fault kind that can happen there, one deployment with
 * the fault injected at that stage, and its end state checked against what the design promises ({@link Expected},
 * checked by {@link EndState}). One service and one set of hosts serve every cell, one cell after another, reset in
 * between. The table of cells (pass, FAIL, n.a. with the reason, skipped) and "fault matrix: N/M cells passed" are
 * printed at the end of the run.
 *
 * <p>The orchestrator crash column runs last, in child processes on the same database and hosts ({@link CrashRunner}),
 * since its first cell stops the in-process service. Each of its cells costs one JVM start; the whole column takes
 * 3 to 4 minutes on the project's 2-core machine, which is why it runs whole rather than as a subset. It needs
 * PostgreSQL: the in-memory H2 of {@code GREENLIGHT_TEST_DB=h2} cannot be reached from another process, so there its
 * cells are listed as skipped.
 */
class FaultMatrixTest {
    @TempDir
    static Path dir;

    private static MatrixWorld world;
    private static CrashRunner crash;
    private static final MatrixSummary SUMMARY = new MatrixSummary();
    private static final AtomicInteger RELEASES = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        world = new MatrixWorld(dir);
        for (Pipeline pipeline : Pipeline.values()) {
            JsonNode d = world.awaitEnd(world.deploy(pipeline, MatrixWorld.BASELINE));
            if (!d.get("status").asText().equals("succeeded")) throw new AssertionError("baseline failed: " + d);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        System.out.println(SUMMARY.render());
        if (crash != null) crash.close();
        if (world != null) world.close();
    }

    /** {@code -Dfault-matrix.stages=SWITCH,WATCH} runs only those rows, and the table shows only them. */
    private static final String ONLY = System.getProperty("fault-matrix.stages", "");

    @TestFactory
    List<DynamicTest> faultMatrix() {
        List<DynamicTest> cells = new ArrayList<>();
        List<DynamicTest> separate = new ArrayList<>(); // after every in-process cell: they stop the in-process service
        List<String> only = ONLY.isBlank() ? List.of() : List.of(ONLY.split(","));
        for (Stage stage : Stage.values()) {
            if (!only.isEmpty() && !only.contains(stage.name())) continue;
            for (Fault fault : Fault.values()) {
                String reason = stage.notApplicable(fault);
                if (reason != null) {
                    SUMMARY.notApplicable(stage, fault, reason);
                    continue;
                }
                if (fault.separateJvm() && !"postgresql".equals(world.db.kind())) {
                    SUMMARY.skipped(stage, fault, "needs PostgreSQL (a child process cannot reach in-memory H2)");
                    continue;
                }
                (fault.separateJvm() ? separate : cells).add(DynamicTest.dynamicTest(stage.cellName(fault),
                        () -> run(stage, fault)));
            }
        }
        cells.addAll(separate);
        return cells;
    }

    /** How a cell runs. A fault kind that needs a separate JVM ({@link Fault#separateJvm()}) brings its own. */
    interface CellRunner {
        /** Makes the world ready for this runner's cells (before the cell's reset). */
        default void ready() throws Exception {
        }

        /** Injects the fault, deploys {@code cell}'s version and checks the end state. */
        void run(Cell cell, EndState.Before before) throws Exception;
    }

    private static CellRunner runnerFor(Fault fault) {
        if (!fault.separateJvm()) return FaultMatrixTest::runInProcess;
        if (crash == null) crash = new CrashRunner(world, dir.resolve("crash"));
        return crash;
    }

    /** Resets the world, runs the cell with its fault's runner and marks it in the summary. */
    private static void run(Stage stage, Fault fault) throws Exception {
        CellRunner runner = runnerFor(fault);
        runner.ready();
        world.reset();
        EndState.Before before = EndState.Before.read(world, stage.pipeline());
        Cell cell = new Cell(stage, fault, "2.0." + RELEASES.incrementAndGet(), before.version());
        try {
            runner.run(cell, before);
            SUMMARY.passed(cell);
        } catch (Exception | AssertionError e) {
            SUMMARY.failed(cell, e);
            throw e;
        }
    }

    private static void runInProcess(Cell cell, EndState.Before before) {
        cell.fault().inject(world, cell.stage(), cell);
        long id = world.deploy(cell.stage().pipeline(), cell.version());
        JsonNode d = world.awaitEnd(id);
        world.liftFaults(); // what the hosts serve is read with the fault over, as it would be looked at
        new EndState(world, cell, before, id).check(d);
    }
}
