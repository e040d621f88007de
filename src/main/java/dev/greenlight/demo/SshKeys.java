package dev.greenlight.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;

/** Key pairs and the files an SSH client reads: a private key in OpenSSH format, known_hosts lines. */
public final class SshKeys {
    private SshKeys() {
    }

    /** A new key pair: {@code "ssh-ed25519"} or {@code "ssh-rsa"} (3072 bits). */
    public static KeyPair generate(String type) {
        try {
            return KeyUtils.generateKeyPair(type, KeyPairProvider.SSH_RSA.equals(type) ? 3072 : 256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + type + " key", e);
        }
    }

    /** Writes a key pair in OpenSSH format, unencrypted and readable by its owner only; returns {@code file}. */
    public static Path writePrivateKey(KeyPair key, String comment, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, comment, null, out);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode key", e);
        }
        return file;
    }

    /** The known_hosts line for a host key, as OpenSSH writes it for a port other than 22. */
    public static String knownHostsLine(String host, int port, PublicKey hostKey) {
        return "[" + host + "]:" + port + " " + PublicKeyEntry.toString(hostKey);
    }
}
