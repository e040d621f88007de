package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshSessionPoolTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private EmbeddedSshServer server;
    private SshSessionPool pool;
    private SshTarget target;

    @BeforeEach
    void startServer() throws IOException {
        server = EmbeddedSshServer.builder().workDir(tmp.resolve("host")).acceptAnyPassword().start();
        target = server.target(tmp.resolve("client"));
        pool = new SshSessionPool(Duration.ofSeconds(60));
    }

    @AfterEach
    void stop() throws IOException {
        pool.close();
        server.close();
    }

    @Test
    void capturesStdoutStderrAndExitCode() {
        CommandResult ok = pool.exec(target, "printf 'hello\\n'; pwd", TIMEOUT);
        assertThat(ok.succeeded()).isTrue();
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout()).isEqualTo("hello\n" + server.workDir() + "\n");
        assertThat(ok.stderr()).isEmpty();
        assertThat(ok.timedOut()).isFalse();

        CommandResult failed = pool.exec(target, "echo out; echo 'err line' >&2; exit 3", TIMEOUT);
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.stdout()).isEqualTo("out\n");
        assertThat(failed.stderr()).isEqualTo("err line\n");
        assertThat(failed.timedOut()).isFalse();
        assertThat(failed.duration()).isPositive().isLessThan(TIMEOUT);
    }

    @Test
    void eachLoginAcknowledgesTheServiceAcceptAtOnceWithAnIgnoreMessage() {
        // OpenSSH answers the pipelined service request and `none` request in two small packets; the ignore message
        // carries the acknowledgement that lets its second one leave (AckingSessionFactory)
        assertThat(pool.exec(target, "true", TIMEOUT).succeeded()).isTrue();
        assertThat(server.ignoreMessagesBeforeLogin()).isEqualTo(1);

        pool.release(target); // the next command logs in again
        assertThat(pool.exec(target, "true", TIMEOUT).succeeded()).isTrue();
        assertThat(server.sessionsOpened()).isEqualTo(2);
        assertThat(server.ignoreMessagesBeforeLogin()).isEqualTo(2);
    }

    @Test
    void commandSeesEmptyStdin() {
        CommandResult result = pool.exec(target, "wc -c; echo done", TIMEOUT);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEqualTo("0\ndone\n");
    }

    @Test
    void keepsOnlyTheTailOfLargeOutput() {
        CommandResult result = pool.exec(target, "head -c 200000 /dev/zero | tr '\\0' a; echo; echo END", TIMEOUT);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).startsWith("[... ").endsWith("a\nEND\n");
        assertThat(result.stdout().length()).isLessThan(SshSessionPool.OUTPUT_LIMIT_BYTES + 100);
        assertThat(result.stdout()).contains((200_000 + 5 - SshSessionPool.OUTPUT_LIMIT_BYTES) + " earlier bytes");
    }

    @Test
    void hungCommandTimesOutIsKilledAndThePoolStaysUsable() throws IOException {
        Path pidFile = server.workDir().resolve("pid");
        long start = System.nanoTime();
        CommandResult result = pool.exec(target, "echo started; echo $$ > pid; exec sleep 30", Duration.ofSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(result.timedOut()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(result.stdout()).isEqualTo("started\n");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(4));

        long pid = Long.parseLong(Files.readString(pidFile).strip());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);

        CommandResult after = pool.exec(target, "echo still usable", TIMEOUT);
        assertThat(after.succeeded()).isTrue();
        assertThat(after.stdout()).isEqualTo("still usable\n");
        // the server honoured the signal, so the session was healthy and kept
        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    @Test
    void interruptStopsTheRemoteCommand() throws Exception {
        Path pidFile = server.workDir().resolve("pid");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<String> outcome = thread.submit(() -> {
                try {
                    pool.exec(target, "echo $$ > pid.tmp; mv pid.tmp pid; exec sleep 30", Duration.ofSeconds(20));
                    return "returned";
                } catch (SshException e) {
                    return e.getMessage() + " / interrupted=" + Thread.currentThread().isInterrupted();
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(pidFile));
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            thread.shutdownNow(); // interrupts the exec

            assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(
                    "interrupted while running a command on " + target.address()
                            + "; the command was signalled to stop / interrupted=true");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void lostConnectionDuringACommandIsAnError() throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<CommandResult> outcome = thread.submit(() -> pool.exec(target, "sleep 5; echo done", TIMEOUT));
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.commands().isEmpty());
            server.dropConnections();

            assertThatThrownBy(() -> outcome.get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SshException.class)
                    .cause().hasMessage("connection to " + target.address() + " lost while a command was running");
        } finally {
            thread.shutdownNow();
        }
        assertThat(pool.exec(target, "echo reconnected", TIMEOUT).stdout()).isEqualTo("reconnected\n");
    }

    @Test
    void commandIgnoringTermIsKilled() throws IOException {
        Path pidFile = server.workDir().resolve("pid");
        CommandResult result = pool.exec(target,
                "trap '' TERM; echo $$ > pid; while true; do sleep 0.1; done", Duration.ofSeconds(1));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.duration()).isLessThan(Duration.ofSeconds(1).plus(RemoteCommand.KILL_GRACE).plusSeconds(2));
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive);
        assertThat(pool.exec(target, "true", TIMEOUT).succeeded()).isTrue();
    }

    @Test
    void reusesTheSessionUntilReleased() {
        assertThat(pool.exec(target, "echo one", TIMEOUT).succeeded()).isTrue();
        assertThat(pool.exec(target, "echo two", TIMEOUT).succeeded()).isTrue();
        assertThat(server.sessionsOpened()).isEqualTo(1);

        pool.release(target);
        await().atMost(Duration.ofSeconds(5)).until(server::sessionsClosed, closed -> closed == 1);
        assertThat(pool.exec(target, "echo three", TIMEOUT).succeeded()).isTrue();
        assertThat(server.sessionsOpened()).isEqualTo(2);
        assertThat(server.commands()).containsExactly("echo one", "echo two", "echo three");
    }

    @Test
    void aPersistingPoolKeepsTheSessionWhenTheRunEnds() {
        try (SshSessionPool persisting = SshSessionPool.persisting(Duration.ofSeconds(60))) {
            assertThat(persisting.exec(target, "echo first deployment", TIMEOUT).succeeded()).isTrue();
            persisting.runEnded(target);
            assertThat(persisting.exec(target, "echo second deployment", TIMEOUT).succeeded()).isTrue();
            assertThat(server.sessionsOpened()).isEqualTo(1);
            assertThat(server.sessionsClosed()).isZero();
        }
    }

    @Test
    void withoutPersistTheSessionClosesWhenTheRunEnds() {
        try (SshSessionPool closing = SshSessionPool.persisting(Duration.ZERO)) {
            assertThat(closing.exec(target, "echo first deployment", TIMEOUT).succeeded()).isTrue();
            closing.runEnded(target);
            await().atMost(Duration.ofSeconds(5)).until(server::sessionsClosed, closed -> closed == 1);
            assertThat(closing.exec(target, "echo second deployment", TIMEOUT).succeeded()).isTrue();
            assertThat(server.sessionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void aKeptSessionIsRetiredOnceKnownHostsNoLongerTrustsTheHost() throws IOException {
        assertThat(pool.exec(target, "echo trusted", TIMEOUT).succeeded()).isTrue();
        KeyPair other = EmbeddedSshServer.generateKeyPair("ssh-ed25519");
        // the operator replaces known_hosts: the host's key is no longer the one listed
        Files.writeString(target.knownHosts(), "[127.0.0.1]:" + server.port() + " " + publicKeyEntry(other) + "\n");

        assertThatThrownBy(() -> pool.exec(target, "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessageContaining("CHANGED");
        assertThat(server.workDir().resolve("marker")).doesNotExist();
        assertThat(server.commands()).containsExactly("echo trusted");
        assertThat(pool.openSessions()).as("the session verified against the old file").isZero();
    }

    @Test
    void aKeptSessionIsRetiredWhenTheKeyFileIsReplaced() throws IOException {
        assertThat(pool.exec(target, "echo before", TIMEOUT).succeeded()).isTrue();
        // a rotation that writes the same key back still counts as a new file: the next command logs in with it
        byte[] key = Files.readAllBytes(target.keyFile());
        Files.delete(target.keyFile());
        Files.write(target.keyFile(), key);
        Files.setLastModifiedTime(target.keyFile(), java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() + 5_000));

        assertThat(pool.exec(target, "echo after", TIMEOUT).succeeded()).isTrue();
        assertThat(server.sessionsOpened()).isEqualTo(2);
        assertThat(server.commands()).containsExactly("echo before", "echo after");
    }

    @Test
    void closesIdleSessions() {
        try (SshSessionPool shortIdle = new SshSessionPool(Duration.ofSeconds(1))) {
            assertThat(shortIdle.exec(target, "true", TIMEOUT).succeeded()).isTrue();
            assertThat(shortIdle.openSessions()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(5)).until(server::sessionsClosed, closed -> closed == 1);
            assertThat(shortIdle.openSessions()).isZero();
            assertThat(shortIdle.exec(target, "true", TIMEOUT).succeeded()).isTrue();
            assertThat(server.sessionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void reconnectsOnceWhenTheCachedSessionBroke() {
        assertThat(pool.exec(target, "echo before", TIMEOUT).succeeded()).isTrue();
        server.dropConnections();

        CommandResult result = pool.exec(target, "echo after", TIMEOUT);
        assertThat(result.succeeded()).isTrue();
        assertThat(result.stdout()).isEqualTo("after\n");
        assertThat(server.sessionsOpened()).isEqualTo(2);
        assertThat(server.commands()).containsExactly("echo before", "echo after");
    }

    @Test
    void concurrentCommandsOnOneTargetShareOneConnection() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<CommandResult>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String command = "sleep 0.3; echo " + i;
                results.add(threads.submit(() -> pool.exec(target, command, TIMEOUT)));
            }
            for (int i = 0; i < 4; i++) {
                CommandResult result = results.get(i).get();
                assertThat(result.succeeded()).isTrue();
                assertThat(result.stdout()).isEqualTo(i + "\n");
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    @Test
    void runsCommandsOnTwoTargetsInParallel() throws Exception {
        Path a = tmp.resolve("a.started");
        Path b = tmp.resolve("b.started");
        try (EmbeddedSshServer other = EmbeddedSshServer.builder().workDir(tmp.resolve("host2"))
                .clientKey(server.clientKey()).start()) {
            // one key file and one known_hosts for both hosts, as an environment's configuration has them
            Path knownHosts = EmbeddedSshServer.writeKnownHosts(tmp.resolve("env_known_hosts"), server, other);
            SshTarget first = server.target(target.keyFile(), knownHosts);
            SshTarget otherTarget = other.target(target.keyFile(), knownHosts);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                // each command waits for the other one to have started: they can only finish if run in parallel
                Future<CommandResult> one = threads.submit(waitingFor(first, a, b));
                Future<CommandResult> two = threads.submit(waitingFor(otherTarget, b, a));
                assertThat(one.get().succeeded()).as(one.get().toString()).isTrue();
                assertThat(two.get().succeeded()).as(two.get().toString()).isTrue();
                assertThat(one.get().stdout()).isEqualTo("met\n");
                assertThat(two.get().stdout()).isEqualTo("met\n");
            } finally {
                threads.shutdownNow();
            }
            assertThat(server.sessionsOpened()).isEqualTo(1);
            assertThat(other.sessionsOpened()).isEqualTo(1);
        }
    }

    private Callable<CommandResult> waitingFor(SshTarget on, Path mine, Path theirs) {
        return () -> pool.exec(on, "touch '" + mine + "'; while [ ! -f '" + theirs + "' ]; do sleep 0.05; done;"
                + " echo met", Duration.ofSeconds(8));
    }

    @Test
    void checkConnectsAndAuthenticatesWithoutRunningAnything() {
        pool.check(target);
        assertThat(server.sessionsOpened()).isEqualTo(1);
        assertThat(server.commands()).isEmpty();

        assertThat(pool.exec(target, "true", TIMEOUT).succeeded()).isTrue();
        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    @Test
    void sntrup761HandshakesTakeTheKeyPairsGeneratedBetweenThem() throws IOException {
        try (EmbeddedSshServer sntrupOnly = EmbeddedSshServer.builder().workDir(tmp.resolve("sntrup"))
                .keyExchanges("sntrup761x25519-sha512").start()) {
            SshTarget pq = sntrupOnly.target(tmp.resolve("sntrup-client"));
            pool.check(pq); // nothing generated ahead yet
            pool.release(pq);
            await().atMost(Duration.ofSeconds(60)).until(() -> pool.sntrup761KeyPairsReady()
                    == SshSessionPool.DEFAULT_MAX_CONCURRENT_STARTS);

            assertThat(pool.exec(pq, "echo quantum", TIMEOUT).stdout()).isEqualTo("quantum\n");

            assertThat(pool.sntrup761KeyPairsReady()).isEqualTo(SshSessionPool.DEFAULT_MAX_CONCURRENT_STARTS - 1);
            assertThat(sntrupOnly.negotiatedKeyExchanges())
                    .containsExactly("sntrup761x25519-sha512", "sntrup761x25519-sha512");
        }
    }

    @Test
    void unknownHostIsRefusedBeforeAnyCommandRuns() throws IOException {
        Path knownHosts = Files.writeString(tmp.resolve("other_known_hosts"),
                "# another host only\n[127.0.0.1]:1 " + publicKeyEntry(EmbeddedSshServer.generateKeyPair("ssh-ed25519"))
                        + "\n");
        SshTarget untrusted = withKnownHosts(knownHosts);

        assertThatThrownBy(() -> pool.exec(untrusted, "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessageStartingWith("host key for 127.0.0.1:" + server.port() + " is not in " + knownHosts)
                .hasMessageContaining("server presented ssh-ed25519 SHA256:")
                .hasMessageNotContaining("hashed");
        assertThat(server.workDir().resolve("marker")).doesNotExist();
        assertThat(server.commands()).isEmpty();
        assertThatThrownBy(() -> pool.check(untrusted)).hasMessageContaining("is not in");
    }

    @Test
    void changedHostKeyIsRefusedBeforeAnyCommandRuns() throws IOException {
        KeyPair impostor = EmbeddedSshServer.generateKeyPair("ssh-ed25519");
        Path knownHosts = Files.writeString(tmp.resolve("stale_known_hosts"),
                "[127.0.0.1]:" + server.port() + " " + publicKeyEntry(impostor) + "\n");

        assertThatThrownBy(() -> pool.exec(withKnownHosts(knownHosts), "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessage("host key for 127.0.0.1:" + server.port() + " CHANGED: presented ssh-ed25519 "
                        + KeyUtils.getFingerPrint(server.hostKeys().get(0)) + ", " + knownHosts + " has ssh-ed25519 "
                        + KeyUtils.getFingerPrint(impostor.getPublic()));
        assertThat(server.workDir().resolve("marker")).doesNotExist();
        assertThat(server.commands()).isEmpty();
    }

    @Test
    void bareAddressEntryDoesNotMatchAnotherPort() throws IOException {
        Path knownHosts = Files.writeString(tmp.resolve("bare_known_hosts"),
                "127.0.0.1 " + publicKeyEntry(server.hostKeys().get(0)) + "\n");

        assertThatThrownBy(() -> pool.exec(withKnownHosts(knownHosts), "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessageStartingWith("host key for 127.0.0.1:" + server.port() + " is not in " + knownHosts);
        assertThat(server.workDir().resolve("marker")).doesNotExist();
    }

    @Test
    void bracketedHostPortEntryIsAccepted() throws IOException {
        Path knownHosts = Files.writeString(tmp.resolve("bracket_known_hosts"),
                "# written by hand\nstg-1.internal,[127.0.0.1]:" + server.port() + " "
                        + publicKeyEntry(server.hostKeys().get(0)) + " deploy@stg-1\n");

        assertThat(pool.exec(withKnownHosts(knownHosts), "echo trusted", TIMEOUT).stdout()).isEqualTo("trusted\n");
    }

    @Test
    void hashedEntriesAreReportedAsUnsupported() throws IOException {
        Path knownHosts = Files.writeString(tmp.resolve("hashed_known_hosts"),
                "|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= "
                        + publicKeyEntry(server.hostKeys().get(0)) + "\n");

        assertThatThrownBy(() -> pool.exec(withKnownHosts(knownHosts), "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessageContaining("is not in " + knownHosts)
                .hasMessageContaining("hashed entries, which are not supported");
        assertThat(server.workDir().resolve("marker")).doesNotExist();
    }

    @Test
    void editedKnownHostsIsReloaded() throws IOException {
        Path knownHosts = Files.writeString(tmp.resolve("edited_known_hosts"), "# empty for now\n");
        SshTarget edited = withKnownHosts(knownHosts);
        assertThatThrownBy(() -> pool.exec(edited, "true", TIMEOUT)).hasMessageContaining("is not in");

        server.writeKnownHosts(knownHosts);
        assertThat(pool.exec(edited, "echo ok", TIMEOUT).succeeded()).isTrue();
    }

    @Test
    void missingKnownHostsFailsClosedWithoutConnecting() {
        Path missing = tmp.resolve("no_known_hosts");
        assertThatThrownBy(() -> pool.exec(withKnownHosts(missing), "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessage("known_hosts file " + missing + " not readable: no such file");
        assertThat(server.sessionsOpened()).isZero();
    }

    @Test
    void prefersTheHostKeyTypeListedInKnownHosts() throws IOException {
        KeyPair rsa = EmbeddedSshServer.generateKeyPair(KeyPairProvider.SSH_RSA);
        KeyPair ed25519 = EmbeddedSshServer.generateKeyPair(KeyPairProvider.SSH_ED25519);
        try (EmbeddedSshServer twoKeys = EmbeddedSshServer.builder().workDir(tmp.resolve("host2"))
                .clientKey(server.clientKey()).hostKey(ed25519).hostKey(rsa).start()) {
            SshTarget base = twoKeys.target(tmp.resolve("client2"));
            for (KeyPair listed : List.of(rsa, ed25519)) {
                Path knownHosts = Files.writeString(tmp.resolve("only_" + KeyUtils.getKeyType(listed)),
                        twoKeys.knownHostsLine(listed.getPublic()) + "\n");
                SshTarget only = new SshTarget(base.host(), base.port(), base.user(), base.keyFile(), knownHosts);
                assertThat(pool.exec(only, "echo ok", TIMEOUT).stdout()).as(KeyUtils.getKeyType(listed))
                        .isEqualTo("ok\n");
            }
            assertThat(twoKeys.sessionsOpened()).isEqualTo(2);
        }
    }

    @Test
    void wrongClientKeyIsRefusedAndNoPasswordIsOffered() throws IOException {
        Path wrongKey = EmbeddedSshServer.writePrivateKey(EmbeddedSshServer.generateKeyPair("ssh-ed25519"),
                tmp.resolve("id_wrong"));
        SshTarget wrong = new SshTarget(target.host(), target.port(), target.user(), wrongKey, target.knownHosts());

        assertThatThrownBy(() -> pool.exec(wrong, "touch marker", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessage("authentication refused for deploy@127.0.0.1:" + server.port() + " with key id_wrong");
        assertThat(server.workDir().resolve("marker")).doesNotExist();
        // this server accepts any password: a client offering one would have got in
        assertThat(server.passwordAttempts()).isZero();
        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    @Test
    void rsaClientKeysWork() throws IOException {
        try (EmbeddedSshServer rsaServer = EmbeddedSshServer.builder().workDir(tmp.resolve("host2"))
                .clientKey(EmbeddedSshServer.generateKeyPair(KeyPairProvider.SSH_RSA)).start()) {
            SshTarget rsaTarget = rsaServer.target(tmp.resolve("client2"));
            assertThat(rsaTarget.keyFile().getFileName()).hasToString("id_rsa");
            assertThat(pool.exec(rsaTarget, "echo rsa", TIMEOUT).stdout()).isEqualTo("rsa\n");
        }
    }

    @Test
    void unreadableOrEncryptedKeyFilesAreReportedWithoutConnecting() throws Exception {
        Path missing = tmp.resolve("id_missing");
        assertThatThrownBy(() -> pool.exec(withKey(missing), "true", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessage("key file " + missing + " not readable");

        Path encrypted = tmp.resolve("id_encrypted");
        OpenSSHKeyEncryptionContext encryption = new OpenSSHKeyEncryptionContext();
        encryption.setPassword("secret passphrase");
        encryption.setCipherName("AES");
        encryption.setCipherMode("CTR");
        encryption.setCipherType("256");
        try (OutputStream out = Files.newOutputStream(encrypted)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(server.clientKey(), "c", encryption, out);
        }
        assertThatThrownBy(() -> pool.exec(withKey(encrypted), "true", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessage("key file " + encrypted + " is encrypted: passphrases are not supported");

        Path garbage = Files.writeString(tmp.resolve("id_garbage"), "not a key\n");
        assertThatThrownBy(() -> pool.exec(withKey(garbage), "true", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessageStartingWith("key file " + garbage + " ")
                .hasMessageNotContaining("not a key\n");
        assertThat(server.sessionsOpened()).isZero();
    }

    @Test
    void refusedConnectionIsReported() throws IOException {
        EmbeddedSshServer stopped = EmbeddedSshServer.start(tmp.resolve("host2"));
        SshTarget gone = stopped.target(tmp.resolve("client2"));
        stopped.close();

        assertThatThrownBy(() -> pool.exec(gone, "true", TIMEOUT))
                .isInstanceOf(SshException.class)
                .hasMessage("cannot connect to deploy@127.0.0.1:" + gone.port() + ": Connection refused");
    }

    @Test
    void silentServerFailsWithinTheTargetsConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedSshServer.HOST));
                SshSessionPool quick = new SshSessionPool(Duration.ofSeconds(60))) {
            SshTarget mute = new SshTarget(EmbeddedSshServer.HOST, silent.getLocalPort(), "deploy",
                    target.keyFile(), target.knownHosts(), Duration.ofSeconds(1));
            long start = System.nanoTime();

            assertThatThrownBy(() -> quick.exec(mute, "true", TIMEOUT))
                    .isInstanceOf(SshException.class)
                    .hasMessageStartingWith("cannot connect to deploy@127.0.0.1:" + silent.getLocalPort() + ": ")
                    .hasMessageEndingWith("1 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void closedPoolRefusesWork() {
        pool.close();
        assertThatThrownBy(() -> pool.exec(target, "true", TIMEOUT)).isInstanceOf(IllegalStateException.class);
    }

    private SshTarget withKnownHosts(Path knownHosts) {
        return new SshTarget(target.host(), target.port(), target.user(), target.keyFile(), knownHosts);
    }

    private SshTarget withKey(Path keyFile) {
        return new SshTarget(target.host(), target.port(), target.user(), keyFile, target.knownHosts());
    }

    private static String publicKeyEntry(KeyPair key) {
        return publicKeyEntry(key.getPublic());
    }

    private static String publicKeyEntry(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }
}
