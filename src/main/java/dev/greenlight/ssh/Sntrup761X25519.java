package dev.greenlight.ssh;

import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.Digest;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.apache.sshd.common.kex.MontgomeryCurve;
import org.apache.sshd.common.kex.XDH;

/**
 * {@code sntrup761x25519-sha512} (under either of its names) as MINA SSHD defines it, X25519 and sntrup761 with
 * SHA-512, with the sntrup761 key pairs of {@link Sntrup761Kem}.
 */
final class Sntrup761X25519 implements DHFactory {

    private final String name;
    private final KeyEncapsulationMethod kem;

    Sntrup761X25519(String name, KeyEncapsulationMethod kem) {
        this.name = name;
        this.kem = kem;
    }

    /** Whether {@code name} is one of the names of this key exchange. */
    static boolean names(String name) {
        return BuiltinDHFactories.sntrup761x25519.getName().equals(name)
                || BuiltinDHFactories.sntrup761x25519_openssh.getName().equals(name);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isGroupExchange() {
        return false;
    }

    @Override
    public boolean isSupported() {
        return BuiltinDHFactories.sntrup761x25519.isSupported();
    }

    @Override
    public XDH create(Object... params) throws Exception {
        if (params != null && params.length > 0) {
            throw new IllegalArgumentException("No accepted parameters for " + name);
        }
        return new XDH(MontgomeryCurve.x25519, true) {
            @Override
            public KeyEncapsulationMethod getKeyEncapsulation() {
                return kem;
            }

            @Override
            public Digest getHash() throws Exception {
                return BuiltinDigests.sha512.create();
            }
        };
    }
}
