package dev.greenlight.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads client private keys (OpenSSH or PEM format, unencrypted) and keeps them in memory, reloading a file
 * only when it changes. Keys are secrets: neither they nor the file contents ever reach a message or a log.
 */
final class ClientKeys {

    /** Raised from the password callback: the key is encrypted and no passphrase will ever be supplied. */
    private static final class PassphraseRequired extends RuntimeException {
        PassphraseRequired() {
            super(null, null, false, false);
        }
    }

    private static final FilePasswordProvider NO_PASSPHRASES = (session, resource, retry) -> {
        throw new PassphraseRequired();
    };

    private final FileCache<List<KeyPair>> cache = new FileCache<>(ClientKeys::load);

    /** The key pairs in {@code file}; throws {@link SshException} if it is unreadable, encrypted or not a key. */
    List<KeyPair> get(Path file) {
        return cache.get(file);
    }

    static List<KeyPair> load(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new SshException("key file " + file + " not readable");
        }
        List<KeyPair> keys = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(
                    null, NamedResource.ofName(file.getFileName().toString()), in, NO_PASSPHRASES);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (asksForPassphrase(e)) {
                throw new SshException("key file " + file + " is encrypted: passphrases are not supported");
            }
            // the parser's message is not relayed: it could quote parts of the file
            throw new SshException("key file " + file + " is not a usable private key (OpenSSH or PEM format)");
        }
        if (keys.isEmpty()) {
            throw new SshException("key file " + file + " contains no private key");
        }
        return List.copyOf(keys);
    }

    private static boolean asksForPassphrase(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PassphraseRequired) {
                return true;
            }
        }
        return false;
    }
}
