package dev.greenlight.ssh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * The key exchange algorithms a session may negotiate: a target's own, in its order of preference
 * ({@code ssh.key-exchange}), applied when the session is created, before the key exchange; otherwise the client's
 * default order ({@link #defaults()}). Either way sntrup761x25519 uses the client key pairs of the given KEM.
 */
public final class KeyExchanges implements SessionListener {
    private static final List<KeyExchangeFactory> BUILT_IN = SshClient.setUpDefaultClient().getKeyExchangeFactories();
    private static final Set<String> SUPPORTED = BUILT_IN.stream().map(KeyExchangeFactory::getName)
            .collect(Collectors.toCollection(java.util.LinkedHashSet::new));

    /** Throws if a name is not an algorithm the client implements. */
    public static void requireSupported(List<String> names) {
        for (String name : names) {
            if (!SUPPORTED.contains(name)) {
                throw new IllegalArgumentException("\"" + name + "\" is not a supported key exchange (supported: "
                        + String.join(", ", SUPPORTED) + ")");
            }
        }
    }

    private final Map<String, KeyExchangeFactory> byName = new LinkedHashMap<>();

    KeyExchanges(KeyEncapsulationMethod sntrup761) {
        for (KeyExchangeFactory builtIn : BUILT_IN) {
            String name = builtIn.getName();
            byName.put(name, Sntrup761X25519.names(name)
                    ? ClientBuilder.DH2KEX.apply(new Sntrup761X25519(name, sntrup761)) : builtIn);
        }
    }

    /**
     * MINA's order with ML-KEM-768 hybrid first. MINA's first choice, sntrup761x25519, needs a fresh sntrup761 key
     * pair per handshake (about 8 ms of CPU, generated ahead by {@link Sntrup761KeyPairs}); ML-KEM-768 hybrid is as
     * post-quantum and its key pair costs well under 1 ms. Servers that do not offer it (OpenSSH before 9.9) still
     * negotiate sntrup761.
     */
    List<KeyExchangeFactory> defaults() {
        List<KeyExchangeFactory> kex = new ArrayList<>(byName.values());
        kex.sort(Comparator.comparingInt(f -> f.getName().startsWith("mlkem768x25519") ? 0 : 1));
        return kex;
    }

    @Override
    public void sessionCreated(Session session) {
        ConnectAttempt attempt = session instanceof ClientSession client ? ConnectAttempt.of(client) : null;
        if (attempt == null || attempt.target().keyExchange().isEmpty()) {
            return;
        }
        List<KeyExchangeFactory> chosen = new ArrayList<>();
        attempt.target().keyExchange().forEach(name -> chosen.add(byName.get(name)));
        session.setKeyExchangeFactories(chosen);
    }
}
