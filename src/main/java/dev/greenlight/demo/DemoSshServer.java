package dev.greenlight.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;

/**
 * A demo host's SSH server (Apache MINA SSHD) on a loopback address and a free port: public-key authentication with
 * the one client key it is given (no password, no keyboard-interactive), its own fresh ed25519 host key, and every
 * exec request run as a real {@code /bin/sh -c} process in the host's directory.
 */
final class DemoSshServer implements AutoCloseable {
    private final SshServer server;
    private final KeyPair hostKey;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    private DemoSshServer(SshServer server, KeyPair hostKey) {
        this.server = server;
        this.hostKey = hostKey;
    }

    static DemoSshServer start(String address, Path workDir, KeyPair clientKey) throws IOException {
        KeyPair hostKey = SshKeys.generate(KeyPairProvider.SSH_ED25519);
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(address);
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(clientKey.getPublic(), key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        DemoSshServer demo = new DemoSshServer(server, hostKey);
        server.setCommandFactory((channel, command) -> new ShellCommand(command, workDir, demo.running));
        server.start();
        return demo;
    }

    int port() {
        return server.getPort();
    }

    /** This host's line of the demo's known_hosts file. */
    String knownHostsLine() {
        return SshKeys.knownHostsLine(server.getHost(), port(), hostKey.getPublic());
    }

    @Override
    public void close() throws IOException {
        ShellCommand.stopServer(server, running);
    }
}
