import dev.greenlight.ssh.SshSessionPool;
import dev.greenlight.ssh.SshTarget;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Times Greenlight's own SSH connection set-up (SshSessionPool.check: connect, key exchange, host key check,
 * public key authentication) against the benchmark hosts, apart from the rest of the pipeline.
 *
 *   java -cp target/greenlight.jar bench/rolling/SshProbe.java WORK USER PORT HOSTS ROUNDS
 *
 * Each round: the first host alone (one handshake's latency), then all HOSTS at once (as the pre-check
 * does), printing wall time and the process's CPU time. Rounds after the first show the warmed-up JIT.
 */
public class SshProbe {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        String user = args[1];
        int port = Integer.parseInt(args[2]);
        int hosts = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        // the addresses as hosts.sh laid them out, in order
        List<String> addresses = Files.readAllLines(work.resolve("hosts.txt")).stream()
                .filter(line -> !line.isBlank()).limit(hosts).toList();
        if (addresses.size() < hosts) throw new IllegalArgumentException("hosts.txt lists fewer than " + hosts + " hosts");
        List<SshTarget> targets = new ArrayList<>();
        for (String address : addresses) {
            targets.add(new SshTarget(address, port, user, work.resolve("ssh/deploy_ed25519"),
                    work.resolve("ssh/known_hosts"), Duration.ofSeconds(30)));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (SshSessionPool ssh = new SshSessionPool(Duration.ofSeconds(60))) {
            for (int r = 1; r <= rounds; r++) {
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                ssh.check(targets.get(0));
                long single = System.nanoTime() - t0;
                ssh.release(targets.get(0));

                long cpu1 = os.getProcessCpuTime();
                long t1 = System.nanoTime();
                List<CompletableFuture<Long>> all = targets.stream().map(t -> CompletableFuture.supplyAsync(() -> {
                    ssh.check(t);
                    return System.nanoTime() - t1;
                }, pool)).toList();
                long[] done = all.stream().mapToLong(CompletableFuture::join).sorted().toArray();
                long wall = System.nanoTime() - t1;
                long cpu2 = os.getProcessCpuTime();
                targets.forEach(ssh::release);
                System.out.printf("round %d: one handshake %.0f ms (%.0f ms CPU); %d at once: %.0f ms wall, "
                                + "first done %.0f ms, median %.0f ms, %.0f ms CPU (%.1f ms CPU each)%n",
                        r, single / 1e6, (cpu1 - cpu0) / 1e6, hosts, wall / 1e6, done[0] / 1e6,
                        done[done.length / 2] / 1e6, (cpu2 - cpu1) / 1e6, (cpu2 - cpu1) / 1e6 / hosts);
                Thread.sleep(300);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
