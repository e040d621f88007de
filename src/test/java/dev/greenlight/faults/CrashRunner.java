package dev.greenlight.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.greenlight.testing.ServiceInstance;
import dev.greenlight.testing.Sql;
import dev.greenlight.testing.TestHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the cells of the orchestrator crash: the service is a child process ({@link ServiceInstance}) on the matrix's
 * database and hosts, the deployment is held at the cell's stage, the process is killed with SIGKILL there, and the
 * next process, started on the same database, recovers it; its end state is then checked like any cell's, and so are
 * the recovery's records. The process that recovers one cell runs the next one, so a cell costs one JVM start.
 */
final class CrashRunner implements FaultMatrixTest.CellRunner, AutoCloseable {
    /** Short, so the next process does not wait long for the dead one's lease (it waits for the lapse, as it must). */
    private static final String LEASE_TTL = "3s";
    private static final Set<String> TERMINAL = Set.of("succeeded", "failed", "rolled_back", "rollback_failed",
            "cancelled");

    private final MatrixWorld world;
    private final Path dir;
    private ServiceInstance service;

    CrashRunner(MatrixWorld world, Path dir) {
        this.world = world;
        this.dir = dir;
    }

    /** The first crash cell hands the world from the in-process service to a child process. */
    @Override
    public void ready() throws IOException, InterruptedException {
        if (service == null) start();
    }

    @Override
    public void run(Cell cell, EndState.Before before) throws IOException, InterruptedException {
        Stage stage = cell.stage();
        cell.fault().inject(world, stage, cell);
        long id = world.deploy(stage.pipeline(), cell.version());
        awaitHeld(cell, id);
        String deadHolder = (String) world.environment(stage.pipeline()).get("lease_holder");
        service.kill();
        service = null;
        world.liftFaults(); // the held command ends (it fails, to a dead client); the hosts are as the crash left them
        start();
        JsonNode d = world.awaitEnd(id);
        EndState end = new EndState(world, cell, before, id);
        end.check(d);
        end.recovery(d, deadHolder);
    }

    /**
     * Until the deployment is at the stage: its command waiting on the gate, or the stage's step open while its probe
     * or request is held.
     */
    private void awaitHeld(Cell cell, long id) throws InterruptedException {
        Stage stage = cell.stage();
        String step = cell.fault().expected(stage).failingStage();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            boolean there = stage.command() != null ? held(stage.host())
                    : Sql.count(world.db, "select count(*) from deployment_steps where deployment_id = ? and stage = ? "
                    + "and host like ? and finished_at is null", id, step, TestHosts.address(stage.host()) + ":%") > 0;
            if (there) return;
            String status = (String) Sql.rows(world.db, "select status from deployments where id = ?", id).get(0)
                    .get("status");
            if (TERMINAL.contains(status)) {
                throw new AssertionError("the deployment ended " + status + " before it reached " + stage.label());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the deployment did not reach " + stage.label());
    }

    /** The gate wrote its marker: the stage's command is running on the host and waits. */
    private boolean held(int host) {
        try (Stream<Path> files = Files.list(world.hosts.hostDir(host))) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("held-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void start() throws IOException, InterruptedException {
        // the settings the in-process service gets from TestGreenlight and the world, for a process started as an
        // operator starts it
        Map<String, String> settings = new HashMap<>(MatrixWorld.SETTINGS);
        settings.putAll(Map.of("greenlight.config", world.config.toString(), "greenlight.db.url", world.db.url(),
                "greenlight.db.user", world.db.user(), "greenlight.db.schema", world.db.schema(),
                "greenlight.lease.ttl", LEASE_TTL, "greenlight.dispatch.period", "200",
                "greenlight.events.period", "300", "camel.main.shutdown-timeout", "5",
                "greenlight.http.refusal-limit", "100000"));
        service = ServiceInstance.start(Files.createDirectories(dir), Map.of("TEST_TOKEN", MatrixWorld.TOKEN),
                settings);
        world.handOver(service.uri(""));
    }

    /** SIGTERM to the process that recovered the last cell. */
    @Override
    public void close() throws InterruptedException {
        if (service != null) service.close();
    }
}
