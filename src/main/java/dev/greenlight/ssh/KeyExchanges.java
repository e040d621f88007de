package dev.greenlight.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * The key exchange algorithms a target allows, in its order of preference ({@code ssh.key-exchange}); a target
 * that names none gets the client's default order. Applied when the session is created, before the key exchange.
 */
public final class KeyExchanges implements SessionListener {
    private static final Map<String, KeyExchangeFactory> SUPPORTED = SshClient.setUpDefaultClient()
            .getKeyExchangeFactories().stream()
            .collect(Collectors.toMap(KeyExchangeFactory::getName, Function.identity(), (a, b) -> a,
                    java.util.LinkedHashMap::new));

    /** Throws if a name is not an algorithm the client implements. */
    public static void requireSupported(List<String> names) {
        for (String name : names) {
            if (!SUPPORTED.containsKey(name)) {
                throw new IllegalArgumentException("\"" + name + "\" is not a supported key exchange (supported: "
                        + String.join(", ", SUPPORTED.keySet()) + ")");
            }
        }
    }

    KeyExchanges() {
    }

    @Override
    public void sessionCreated(Session session) {
        ConnectAttempt attempt = session instanceof ClientSession client ? ConnectAttempt.of(client) : null;
        if (attempt == null || attempt.target().keyExchange().isEmpty()) {
            return;
        }
        List<KeyExchangeFactory> chosen = new ArrayList<>();
        attempt.target().keyExchange().forEach(name -> chosen.add(SUPPORTED.get(name)));
        session.setKeyExchangeFactories(chosen);
    }
}
