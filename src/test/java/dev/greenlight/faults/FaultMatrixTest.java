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
 * between. The table of cells (pass, FAIL, n.a. with the reason) and "fault matrix: N/M cells passed" are printed at
 * the end of the run.
 */
class FaultMatrixTest {
    @TempDir
    static Path dir;

    private static MatrixWorld world;
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
        if (world != null) world.close();
    }

    /** {@code -Dfault-matrix.stages=SWITCH,WATCH} runs only those rows, and the table shows only them. */
    private static final String ONLY = System.getProperty("fault-matrix.stages", "");

    @TestFactory
    List<DynamicTest> faultMatrix() {
        List<DynamicTest> cells = new ArrayList<>();
        List<String> only = ONLY.isBlank() ? List.of() : List.of(ONLY.split(","));
        for (Stage stage : Stage.values()) {
            if (!only.isEmpty() && !only.contains(stage.name())) continue;
            for (Fault fault : Fault.values()) {
                String reason = stage.notApplicable(fault);
                if (reason != null) {
                    SUMMARY.notApplicable(stage, fault, reason);
                    continue;
                }
                cells.add(DynamicTest.dynamicTest(stage.cellName(fault), () -> runnerFor(fault).run(stage, fault)));
            }
        }
        return cells;
    }

    /** How a cell runs. A fault kind that needs a separate JVM ({@link Fault#separateJvm()}) brings its own. */
    interface CellRunner {
        void run(Stage stage, Fault fault) throws Exception;
    }

    private static CellRunner runnerFor(Fault fault) {
        if (fault.separateJvm()) {
            throw new IllegalStateException(fault + " needs a separate JVM and has no runner here yet");
        }
        return FaultMatrixTest::runInProcess;
    }

    /** Resets the world, injects the fault, deploys a new version and checks the end state. */
    private static void runInProcess(Stage stage, Fault fault) {
        world.reset();
        EndState.Before before = EndState.Before.read(world, stage.pipeline());
        Cell cell = new Cell(stage, fault, "2.0." + RELEASES.incrementAndGet(), before.version());
        try {
            fault.inject(world, stage, cell);
            long id = world.deploy(stage.pipeline(), cell.version());
            JsonNode d = world.awaitEnd(id);
            world.liftFaults(); // what the hosts serve is read with the fault over, as it would be looked at
            new EndState(world, cell, before, id).check(d);
            SUMMARY.passed(cell);
        } catch (RuntimeException | AssertionError e) {
            SUMMARY.failed(cell, e);
            throw e;
        }
    }
}
