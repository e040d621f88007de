import dev.greenlight.demo.ShellCommand;
import dev.greenlight.demo.SshKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;

/**
 * The hosts of the webhook load benchmark: COUNT SSH servers (Apache MINA SSHD, from the service's own jar) on
 * 127.0.0.1, each on a free port, each running every exec request as a real {@code /bin/sh -c} process in its own
 * directory DIR/host-N (which must exist). One client key is accepted, by public key only.
 *
 *   java -cp target/greenlight.jar bench/webhook-load/Fleet.java DIR COUNT
 *
 * Writes DIR/id_ed25519 (the client key), DIR/known_hosts, DIR/ports (host N's port on line N), then DIR/ready, and
 * serves until it is sent SIGTERM; then it stops the servers and kills the commands they still run.
 */
public final class Fleet {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int count = Integer.parseInt(args[1]);
        KeyPair client = SshKeys.generate(KeyPairProvider.SSH_ED25519);
        List<SshServer> servers = new ArrayList<>();
        Set<Process> running = ConcurrentHashMap.newKeySet();
        StringBuilder knownHosts = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            Path hostDir = dir.resolve("host-" + i);
            KeyPair hostKey = SshKeys.generate(KeyPairProvider.SSH_ED25519);
            SshServer server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(client.getPublic(), key));
            server.setPasswordAuthenticator(null);
            server.setKeyboardInteractiveAuthenticator(null);
            server.setCommandFactory((channel, command) -> new ShellCommand(command, hostDir, running));
            server.start();
            servers.add(server);
            knownHosts.append(SshKeys.knownHostsLine("127.0.0.1", server.getPort(), hostKey.getPublic())).append('\n');
            ports.append(server.getPort()).append('\n');
        }
        SshKeys.writePrivateKey(client, "greenlight-bench", dir.resolve("id_ed25519"));
        Files.writeString(dir.resolve("known_hosts"), knownHosts);
        Files.writeString(dir.resolve("ports"), ports);
        Files.writeString(dir.resolve("ready"), ProcessHandle.current().pid() + "\n");

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (SshServer server : servers) {
                try {
                    ShellCommand.stopServer(server, running);
                } catch (Exception e) {
                    System.err.println("stopping a server: " + e);
                }
            }
            stopped.countDown();
        }));
        stopped.await();
    }
}
