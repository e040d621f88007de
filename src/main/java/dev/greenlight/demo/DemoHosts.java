package dev.greenlight.demo;

import dev.greenlight.config.ConfigException;
import dev.greenlight.config.ShellQuote;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/**
 * The demo's two hosts, on the loopback addresses 127.0.0.2 and 127.0.0.3: each a directory, an SSH server running
 * the commands there as real processes, and the live path of its blue-green colours ({@link LiveProxy}). One client
 * key is generated for Greenlight and one host key per server, and a known_hosts file lists the servers: Greenlight
 * verifies these hosts' keys as it verifies any. Each host directory holds {@code app}, the script the demo
 * configuration's commands call, which starts the demo app with this JVM's {@code java} and classpath.
 */
final class DemoHosts implements AutoCloseable {
    static final List<String> ADDRESSES = List.of("127.0.0.2", "127.0.0.3");
    private static final int PORT_TRIES = 20;

    /** The ports every demo host serves on: the staging app, the blue and green colours, the live path. */
    record Ports(int staging, int blue, int green, int live) {
    }

    private final List<Path> hostDirs = new ArrayList<>();
    private final List<DemoSshServer> servers;
    private final List<LiveProxy> proxies;
    private final Path keyFile;
    private final Path knownHosts;
    private final Ports ports;

    private DemoHosts(List<DemoSshServer> servers, List<LiveProxy> proxies, Path keyFile, Path knownHosts,
                      Ports ports) {
        this.servers = servers;
        this.proxies = proxies;
        this.keyFile = keyFile;
        this.knownHosts = knownHosts;
        this.ports = ports;
    }

    static DemoHosts start(Path dir) throws IOException {
        requireAddresses();
        Ports ports = freePorts();
        KeyPair clientKey = SshKeys.generate(KeyPairProvider.SSH_ED25519);
        Path keyFile = SshKeys.writePrivateKey(clientKey, "greenlight-demo", dir.resolve("keys/id_ed25519"));
        List<DemoSshServer> servers = new ArrayList<>();
        List<LiveProxy> proxies = new ArrayList<>();
        DemoHosts hosts = new DemoHosts(servers, proxies, keyFile, dir.resolve("known_hosts"), ports);
        try {
            for (int i = 0; i < ADDRESSES.size(); i++) {
                String address = ADDRESSES.get(i);
                Path hostDir = Files.createDirectories(dir.resolve("host-" + (i + 1)));
                hosts.hostDirs.add(hostDir);
                writeAppScript(hostDir.resolve("app"), address);
                servers.add(DemoSshServer.start(address, hostDir, clientKey));
                proxies.add(LiveProxy.start(address, ports.live(), hostDir));
            }
            Files.writeString(hosts.knownHosts, servers.stream().map(DemoSshServer::knownHostsLine)
                    .collect(Collectors.joining("\n", "", "\n")));
        } catch (IOException | RuntimeException e) {
            hosts.close();
            throw e;
        }
        return hosts;
    }

    /** The hosts list of the demo configuration: address and SSH port. */
    List<String> hostList() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) out.add(ADDRESSES.get(i) + ":" + servers.get(i).port());
        return out;
    }

    Path keyFile() {
        return keyFile;
    }

    Path knownHosts() {
        return knownHosts;
    }

    Ports ports() {
        return ports;
    }

    /** Linux routes all of 127.0.0.0/8 to the loopback interface; other systems may have only 127.0.0.1. */
    private static void requireAddresses() {
        for (String address : ADDRESSES) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress(address, 0));
            } catch (IOException e) {
                throw new ConfigException("demo mode: its hosts listen on " + String.join(" and ", ADDRESSES)
                        + ", and " + address + " cannot be used here (" + e.getMessage() + "); on macOS add them "
                        + "with: sudo ifconfig lo0 alias " + address + " up");
            }
        }
    }

    /**
     * Four different ports free on every demo address: the system may hand out a port it just gave again, and the two
     * colours on one port would be refused by the configuration's check.
     */
    static Ports freePorts() throws IOException {
        java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
        for (int attempt = 0; chosen.size() < 4; attempt++) {
            if (attempt >= PORT_TRIES) throw new IOException("no four distinct ports are free on all of " + ADDRESSES);
            chosen.add(freePort());
        }
        List<Integer> p = List.copyOf(chosen);
        return new Ports(p.get(0), p.get(1), p.get(2), p.get(3));
    }

    /** A port free on every demo address (the hosts serve the same ports, each on its own address). */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < PORT_TRIES; attempt++) {
            int port;
            try (ServerSocket first = new ServerSocket()) {
                first.bind(new InetSocketAddress(ADDRESSES.get(0), 0));
                port = first.getLocalPort();
            }
            if (ADDRESSES.stream().skip(1).allMatch(address -> isFree(address, port))) return port;
        }
        throw new IOException("no port is free on all of " + ADDRESSES);
    }

    private static boolean isFree(String address, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The host's {@code app} script, with this JVM's {@code java}, its classpath (made absolute: the commands run in
     * the host's directory) and this process's id, which the demo app watches to end with it.
     */
    private static void writeAppScript(Path file, String address) throws IOException {
        String template;
        try (InputStream in = DemoHosts.class.getResourceAsStream("host-app.sh")) {
            if (in == null) throw new IOException("host-app.sh is missing from the jar");
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        Files.writeString(file, template.replace("@JAVA@", ShellQuote.quote(java))
                .replace("@CLASSPATH@", ShellQuote.quote(classpath))
                .replace("@HOST@", ShellQuote.quote(address))
                .replace("@PARENT@", Long.toString(ProcessHandle.current().pid())));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    /** Stops the copies of the demo app the hosts still run (they would also end with this process). */
    private void stopApps() {
        for (Path hostDir : hostDirs) {
            try (var files = Files.newDirectoryStream(hostDir, "*.pid")) {
                for (Path pidFile : files) {
                    ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                            .ifPresent(ProcessHandle::destroy);
                }
            } catch (IOException | NumberFormatException e) {
                // a copy being started or stopped just now: it ends with this process anyway
            }
        }
    }

    @Override
    public void close() {
        stopApps();
        proxies.forEach(LiveProxy::close);
        for (DemoSshServer server : servers) {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
