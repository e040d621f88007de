import dev.greenlight.ssh.SshSessionPool;
import dev.greenlight.ssh.SshTarget;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Client CPU per SSH handshake of Greenlight's pool (SshSessionPool.check: connect, key exchange, host key check,
 * public key authentication), all HOSTS at once as the pre-check does, against the benchmark hosts:
 *
 *   java -cp target/greenlight.jar bench/rolling/HandshakeCpuProbe.java WORK USER PORT HOSTS ROUNDS [PAUSE_MS] [KEX,...]
 *
 * CPU is thread CPU time (ThreadMXBean), summed over the JVM's threads, so other load on the machine does not count:
 * "handshake threads" leaves out the thread that generates sntrup761 key pairs ahead ("ssh-sntrup761-keygen"),
 * "all threads" counts it too (and the JIT and GC threads). PAUSE_MS (default 3000) between rounds lets that thread
 * refill its supply, as the time between deployments does. The first round warms the JIT and fills the supply;
 * the summary line gives the median of the other rounds.
 */
public class HandshakeCpuProbe {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        String user = args[1];
        int port = Integer.parseInt(args[2]);
        int hosts = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        long pause = args.length > 5 ? Long.parseLong(args[5]) : 3000;
        List<String> kex = args.length > 6 ? List.of(args[6].split(",")) : List.of();
        List<String> addresses = Files.readAllLines(work.resolve("hosts.txt")).stream()
                .filter(line -> !line.isBlank()).limit(hosts).toList();
        List<SshTarget> targets = new ArrayList<>();
        for (String address : addresses) {
            targets.add(new SshTarget(address, port, user, work.resolve("ssh/deploy_ed25519"),
                    work.resolve("ssh/known_hosts"), Duration.ofSeconds(30), kex));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ExecutorService pool = Executors.newFixedThreadPool(hosts);
        double[] handshakeCpu = new double[rounds];
        double[] allCpu = new double[rounds];
        double[] wall = new double[rounds];
        try (SshSessionPool ssh = new SshSessionPool(Duration.ofSeconds(60))) {
            for (int r = 0; r < rounds; r++) {
                Map<Long, long[]> before = cpu(threads);
                long t0 = System.nanoTime();
                List<CompletableFuture<Void>> all = targets.stream()
                        .map(t -> CompletableFuture.runAsync(() -> ssh.check(t), pool)).toList();
                all.forEach(CompletableFuture::join);
                wall[r] = (System.nanoTime() - t0) / 1e6;
                Map<Long, long[]> after = cpu(threads);
                long keygenId = threadId("ssh-sntrup761-keygen");
                long sum = 0;
                long keygen = 0;
                for (var e : after.entrySet()) {
                    long d = e.getValue()[0] - before.getOrDefault(e.getKey(), new long[] {0})[0];
                    sum += d;
                    if (e.getKey() == keygenId) keygen += d;
                }
                handshakeCpu[r] = (sum - keygen) / 1e6 / hosts;
                allCpu[r] = sum / 1e6 / hosts;
                targets.forEach(ssh::release);
                System.out.printf("round %d: %d at once %.0f ms wall; per handshake %.1f ms CPU (handshake threads), "
                        + "%.1f ms CPU (all threads)%n", r + 1, hosts, wall[r], handshakeCpu[r], allCpu[r]);
                Thread.sleep(pause);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("median of rounds 2..%d: %.0f ms wall, %.1f ms CPU per handshake (handshake threads), "
                + "%.1f ms (all threads)%n", rounds, median(wall), median(handshakeCpu), median(allCpu));
    }

    private static Map<Long, long[]> cpu(ThreadMXBean threads) {
        Map<Long, long[]> cpu = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t >= 0) cpu.put(id, new long[] {t});
        }
        return cpu;
    }

    private static long threadId(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                .mapToLong(Thread::getId).findFirst().orElse(-1);
    }

    private static double median(double[] values) {
        double[] rest = Arrays.copyOfRange(values, 1, values.length);
        Arrays.sort(rest);
        return rest.length % 2 == 1 ? rest[rest.length / 2] : (rest[rest.length / 2 - 1] + rest[rest.length / 2]) / 2;
    }
}
