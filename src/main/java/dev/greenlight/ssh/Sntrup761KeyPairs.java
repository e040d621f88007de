package dev.greenlight.ssh;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;

/**
 * Fresh sntrup761 key pairs for the client's side of {@code sntrup761x25519-sha512}, generated ahead of the
 * handshakes that need them. Generating one costs about 8 ms of CPU (BouncyCastle 1.87, once compiled by the JIT;
 * about 30 ms before), most of the client's share of that key exchange (decapsulating the server's answer costs under
 * 1 ms); the pre-check opens every host's session at once, so generating them between deployments takes that cost
 * off its path.
 *
 * <p>Each key pair is handed out once and then forgotten: {@link #next()} removes it from the supply, and nothing
 * else holds it. A key pair that was never handed out protects nothing yet, so keeping it does not weaken forward
 * secrecy. When the supply is empty, {@link #next()} generates one on the caller's thread rather than wait.
 *
 * <p>The supply is refilled, one key pair after another, once no key pair has been taken for the quiet period: on a
 * machine with few cores a refill that ran while handshakes were under way would only take their CPU. It starts at
 * the first {@link #next()}, so a service whose hosts never negotiate sntrup761 never spends the CPU.
 */
final class Sntrup761KeyPairs implements AutoCloseable {

    private final BlockingQueue<AsymmetricCipherKeyPair> ready;
    private final long quietNanos;
    private final SecureRandom random;
    private final AtomicLong lastTaken = new AtomicLong();
    private final AtomicBoolean refillScheduled = new AtomicBoolean();
    private final ScheduledExecutorService generator = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "ssh-sntrup761-keygen");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    /**
     * @param capacity    how many key pairs are kept ready
     * @param quietPeriod how long after the last key pair was taken the refill starts
     */
    Sntrup761KeyPairs(int capacity, Duration quietPeriod, SecureRandom random) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.ready = new ArrayBlockingQueue<>(capacity);
        this.quietNanos = quietPeriod.toNanos();
        this.random = random;
    }

    /** A key pair no one else has had or will have. */
    AsymmetricCipherKeyPair next() {
        AsymmetricCipherKeyPair pair = ready.poll();
        lastTaken.set(System.nanoTime());
        scheduleRefill(quietNanos);
        return pair != null ? pair : generate();
    }

    /** How many key pairs are ready now. */
    int ready() {
        return ready.size();
    }

    /** Stops generating and drops the key pairs not handed out. */
    @Override
    public void close() {
        closed = true;
        generator.shutdownNow();
        ready.clear();
    }

    private void scheduleRefill(long delayNanos) {
        if (closed || !refillScheduled.compareAndSet(false, true)) {
            return; // a scheduled refill looks at the last take again before every key pair
        }
        try {
            generator.schedule(this::refill, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            refillScheduled.set(false); // closed meanwhile
        }
    }

    private void refill() {
        refillScheduled.set(false);
        while (!closed && ready.remainingCapacity() > 0) {
            long quietFor = System.nanoTime() - lastTaken.get();
            if (quietFor < quietNanos) {
                scheduleRefill(quietNanos - quietFor); // handshakes are under way again: wait for them
                return;
            }
            ready.offer(generate());
        }
    }

    private AsymmetricCipherKeyPair generate() {
        SNTRUPrimeKeyPairGenerator keyPairs = new SNTRUPrimeKeyPairGenerator();
        keyPairs.init(new SNTRUPrimeKeyGenerationParameters(random, SNTRUPrimeParameters.sntrup761));
        return keyPairs.generateKeyPair();
    }
}
