package dev.greenlight.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parsed OpenSSH known_hosts file, looked up by host and port.
 *
 * <p>Supported lines: {@code host[,host2...] keytype base64key [comment]}, where a host is a name or address
 * (port 22) or {@code [name]:port}. Host names compare case-insensitively. Blank lines and {@code #} comments
 * are ignored. Hashed entries ({@code |1|...}), {@code @cert-authority}/{@code @revoked} markers, wildcard and
 * negated patterns are not supported: they never match, so such hosts are refused (fail closed).
 */
public final class KnownHosts {

    private static final Logger LOG = LoggerFactory.getLogger(KnownHosts.class);
    private static final int DEFAULT_PORT = 22;

    /** A key listed for a host, with the type written in the file. */
    public record HostKey(String keyType, PublicKey key) {

        /** {@code type SHA256:...}, the form OpenSSH prints; safe to show (public data). */
        public String describe() {
            return keyType + " " + KeyUtils.getFingerPrint(key);
        }
    }

    private record HostPort(String host, int port) {
        HostPort {
            host = host.toLowerCase(Locale.ROOT);
        }
    }

    private final Path source;
    private final Map<HostPort, List<HostKey>> keysByHost;
    private final boolean hashedEntries;

    private KnownHosts(Path source, Map<HostPort, List<HostKey>> keysByHost, boolean hashedEntries) {
        this.source = source;
        this.keysByHost = keysByHost;
        this.hashedEntries = hashedEntries;
    }

    /** Reads a known_hosts file; a missing or unreadable file is an error, never an empty trust list. */
    public static KnownHosts load(Path file) {
        try {
            return parse(file, Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SshException("known_hosts file " + file + " not readable: " + reason(e), e);
        }
    }

    /** Parses known_hosts lines; {@code source} names the file in messages. */
    public static KnownHosts parse(Path source, List<String> lines) {
        Map<HostPort, List<HostKey>> keys = new HashMap<>();
        boolean hashed = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("|")) {
                hashed = true;
                continue;
            }
            if (line.startsWith("@")) {
                LOG.debug("{} line {}: markers (@cert-authority, @revoked) are not supported, skipped", source, i + 1);
                continue;
            }
            addEntry(keys, source, i + 1, line);
        }
        keys.replaceAll((host, list) -> List.copyOf(list));
        return new KnownHosts(source, Map.copyOf(keys), hashed);
    }

    /** Keys listed for exactly this host and port (bare entries count as port 22). */
    public List<HostKey> keysFor(String host, int port) {
        return keysByHost.getOrDefault(new HostPort(host, port), List.of());
    }

    /** True when the file had hashed entries, which were skipped. */
    public boolean hasHashedEntries() {
        return hashedEntries;
    }

    public Path source() {
        return source;
    }

    private static void addEntry(Map<HostPort, List<HostKey>> keys, Path source, int lineNo, String line) {
        String[] fields = line.split("\\s+", 4);
        if (fields.length < 3) {
            LOG.warn("{} line {}: expected 'hosts keytype key', skipped", source, lineNo);
            return;
        }
        PublicKey key = parseKey(fields[1], fields[2]);
        if (key == null) {
            LOG.warn("{} line {}: unsupported or malformed {} key, skipped", source, lineNo, fields[1]);
            return;
        }
        HostKey hostKey = new HostKey(fields[1], key);
        for (String pattern : fields[0].split(",")) {
            HostPort hostPort = parseHost(pattern);
            if (hostPort == null) {
                LOG.debug("{} line {}: host pattern '{}' is not supported, skipped", source, lineNo, pattern);
            } else {
                keys.computeIfAbsent(hostPort, k -> new ArrayList<>()).add(hostKey);
            }
        }
    }

    /** {@code name} means port 22, {@code [name]:port} any port; wildcards and negations are not supported. */
    private static HostPort parseHost(String pattern) {
        if (pattern.isEmpty() || pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.startsWith("!")) {
            return null;
        }
        if (!pattern.startsWith("[")) {
            return pattern.indexOf(']') >= 0 ? null : new HostPort(pattern, DEFAULT_PORT);
        }
        int close = pattern.indexOf("]:");
        if (close <= 1) {
            return null;
        }
        try {
            int port = Integer.parseInt(pattern.substring(close + 2));
            return port > 0 && port <= 65535 ? new HostPort(pattern.substring(1, close), port) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static PublicKey parseKey(String type, String base64) {
        try {
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(type + " " + base64)
                    .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
            // the declared type must agree with the encoded key, as OpenSSH requires
            return key != null && Objects.equals(KeyUtils.getKeyType(key), type) ? key : null;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return null;
        }
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.toString();
    }
}
