package dev.greenlight.ssh;

import org.apache.sshd.common.kex.BuiltinKEM;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMExtractor;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;

/**
 * MINA SSHD's sntrup761 KEM, except that the client's key pair comes from {@link Sntrup761KeyPairs} instead of
 * being generated when the key exchange starts. The server's side is MINA's own.
 */
final class Sntrup761Kem implements KeyEncapsulationMethod {

    private final Sntrup761KeyPairs keyPairs;

    Sntrup761Kem(Sntrup761KeyPairs keyPairs) {
        this.keyPairs = keyPairs;
    }

    @Override
    public Client getClient() {
        return new PregeneratedClient(keyPairs);
    }

    @Override
    public Server getServer() {
        return BuiltinKEM.sntrup761.getServer();
    }

    /** One key exchange's client: takes its key pair at {@link #init()}, decapsulates the server's answer with it. */
    private static final class PregeneratedClient implements Client {
        private final Sntrup761KeyPairs keyPairs;
        private SNTRUPrimeKEMExtractor extractor;
        private SNTRUPrimePublicKeyParameters publicKey;

        PregeneratedClient(Sntrup761KeyPairs keyPairs) {
            this.keyPairs = keyPairs;
        }

        @Override
        public void init() {
            AsymmetricCipherKeyPair pair = keyPairs.next();
            extractor = new SNTRUPrimeKEMExtractor((SNTRUPrimePrivateKeyParameters) pair.getPrivate());
            publicKey = (SNTRUPrimePublicKeyParameters) pair.getPublic();
        }

        @Override
        public byte[] getPublicKey() {
            return publicKey.getEncoded();
        }

        @Override
        public byte[] extractSecret(byte[] encapsulated) {
            if (encapsulated.length != extractor.getEncapsulationLength()) {
                throw new IllegalArgumentException("KEM encapsulation has wrong length: " + encapsulated.length);
            }
            return extractor.extractSecret(encapsulated);
        }

        @Override
        public int getEncapsulationLength() {
            return extractor.getEncapsulationLength();
        }
    }
}
