package dev.greenlight.ssh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.Signature;

/**
 * Asks the server for a host key of a type the known_hosts file already lists, as OpenSSH does.
 * Without this, a server holding several host keys could present one of another type than the listed
 * one, and a correctly trusted host would be refused as if its key had changed.
 */
final class HostKeyPreference implements SessionListener {

    private final Function<Path, KnownHosts> knownHosts;

    HostKeyPreference(Function<Path, KnownHosts> knownHosts) {
        this.knownHosts = knownHosts;
    }

    @Override
    public void sessionCreated(Session session) {
        ConnectAttempt attempt = session instanceof ClientSession client ? ConnectAttempt.of(client) : null;
        if (attempt == null) {
            return;
        }
        SshTarget target = attempt.target();
        Set<String> knownTypes;
        try {
            knownTypes = knownHosts.apply(target.knownHosts()).keysFor(target.host(), target.port()).stream()
                    .map(KnownHosts.HostKey::keyType)
                    .collect(Collectors.toSet());
        } catch (SshException e) {
            return; // the verifier reports the unreadable file
        }
        if (!knownTypes.isEmpty()) {
            session.setSignatureFactories(preferring(knownTypes, session.getSignatureFactories()));
        }
    }

    /** Same algorithms, those producing a known key type first, otherwise in their original order. */
    static List<NamedFactory<Signature>> preferring(Set<String> keyTypes, List<NamedFactory<Signature>> factories) {
        List<NamedFactory<Signature>> preferred = new ArrayList<>();
        List<NamedFactory<Signature>> others = new ArrayList<>();
        for (NamedFactory<Signature> factory : factories) {
            (keyTypes.contains(KeyUtils.getCanonicalKeyType(factory.getName())) ? preferred : others).add(factory);
        }
        preferred.addAll(others);
        return preferred;
    }
}
