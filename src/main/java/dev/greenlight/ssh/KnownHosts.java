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
import java.util.Optional;
import java.util.regex.Pattern;

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
 * are ignored. Hashed entries ({@code |1|...}), wildcard and negated patterns are not supported: they never match,
 * so such hosts are refused (fail closed).
 *
 * <p>Markers: the key of a {@code @revoked} line is refused for every host, whatever the line's host patterns say
 * (stricter than OpenSSH, which applies it to the hosts it names, and never weaker). A {@code @cert-authority} line
 * never matches, because host certificates are not supported; its patterns (wildcards included) are kept so that a
 * refusal can say a host was listed only that way.
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

    /** A key a {@code @revoked} line names, with the line, for the refusal's message. */
    public record RevokedKey(HostKey key, int line) {
    }

    private record HostPort(String host, int port) {
        HostPort {
            host = host.toLowerCase(Locale.ROOT);
        }
    }

    private final Path source;
    private final Map<HostPort, List<HostKey>> keysByHost;
    private final boolean hashedEntries;
    private final List<RevokedKey> revoked;
    /** The host patterns of the {@code @cert-authority} lines. */
    private final List<String> authorityPatterns;

    private KnownHosts(Path source, Map<HostPort, List<HostKey>> keysByHost, boolean hashedEntries,
                       List<RevokedKey> revoked, List<String> authorityPatterns) {
        this.source = source;
        this.keysByHost = keysByHost;
        this.hashedEntries = hashedEntries;
        this.revoked = revoked;
        this.authorityPatterns = authorityPatterns;
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
        List<RevokedKey> revoked = new ArrayList<>();
        List<String> authorities = new ArrayList<>();
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
                addMarked(revoked, authorities, source, i + 1, line);
                continue;
            }
            addEntry(keys, source, i + 1, line);
        }
        keys.replaceAll((host, list) -> List.copyOf(list));
        return new KnownHosts(source, Map.copyOf(keys), hashed, List.copyOf(revoked), List.copyOf(authorities));
    }

    /** The {@code @revoked} line naming {@code key}, if any: such a key is refused for every host. */
    public Optional<RevokedKey> revocationOf(PublicKey key) {
        return revoked.stream().filter(r -> KeyUtils.compareKeys(r.key().key(), key)).findFirst();
    }

    /** True when a {@code @cert-authority} line's patterns match this host and port (such lines never match keys). */
    public boolean hasCertificateAuthorityFor(String host, int port) {
        String name = port == DEFAULT_PORT ? host : "[" + host + "]:" + port;
        return authorityPatterns.stream().anyMatch(patterns -> matchesPatternList(patterns, name));
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

    private static void addMarked(List<RevokedKey> revoked, List<String> authorities, Path source, int lineNo,
                                  String line) {
        String[] fields = line.split("\\s+", 5);
        String marker = fields[0];
        if (!marker.equals("@revoked") && !marker.equals("@cert-authority")) {
            LOG.warn("{} line {}: unknown marker {}, skipped", source, lineNo, marker);
            return;
        }
        PublicKey key = fields.length < 4 ? null : parseKey(fields[2], fields[3]);
        if (key == null) {
            LOG.warn("{} line {}: expected '{} hosts keytype key' with a supported key, skipped", source, lineNo, marker);
            return;
        }
        if (marker.equals("@revoked")) {
            revoked.add(new RevokedKey(new HostKey(fields[2], key), lineNo));
        } else {
            authorities.add(fields[1]);
        }
    }

    /**
     * OpenSSH's pattern lists: comma-separated, {@code *} and {@code ?} wildcards, a {@code !} pattern that
     * matches excludes the host whatever else matches. Used for {@code @cert-authority} lines only.
     */
    private static boolean matchesPatternList(String patterns, String name) {
        boolean matched = false;
        for (String pattern : patterns.split(",")) {
            boolean negated = pattern.startsWith("!");
            String glob = negated ? pattern.substring(1) : pattern;
            if (glob.isEmpty() || !globMatches(glob, name)) continue;
            if (negated) return false;
            matched = true;
        }
        return matched;
    }

    private static boolean globMatches(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE)
                .matcher(name).matches();
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
