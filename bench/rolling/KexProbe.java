import java.security.SecureRandom;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMExtractor;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKEMGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeKeyPairGenerator;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimeParameters;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePrivateKeyParameters;

/**
 * CPU time of the client's share of each SSH key exchange that Greenlight's SSH client (MINA SSHD with the
 * BouncyCastle in Greenlight's jar) can negotiate: key pair generation plus decapsulation (what the client
 * does for a KEM), or one X25519 key pair plus agreement. The server's encapsulation is timed as well.
 *
 *   java -cp target/greenlight.jar bench/rolling/KexProbe.java [iterations]
 *
 * The first half of the iterations warms the JIT; the second half is timed, single-threaded.
 */
public class KexProbe {
    interface Op {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        SecureRandom random = new SecureRandom();

        SNTRUPrimeKeyPairGenerator sntrupGen = new SNTRUPrimeKeyPairGenerator();
        sntrupGen.init(new SNTRUPrimeKeyGenerationParameters(random, SNTRUPrimeParameters.sntrup761));
        AsymmetricCipherKeyPair sntrupKeys = sntrupGen.generateKeyPair();
        SecretWithEncapsulation sntrupEnc = new SNTRUPrimeKEMGenerator(random).generateEncapsulated(sntrupKeys.getPublic());

        MLKEMKeyPairGenerator mlkemGen = new MLKEMKeyPairGenerator();
        mlkemGen.init(new MLKEMKeyGenerationParameters(random, MLKEMParameters.ml_kem_768));
        AsymmetricCipherKeyPair mlkemKeys = mlkemGen.generateKeyPair();
        SecretWithEncapsulation mlkemEnc = new MLKEMGenerator(random).generateEncapsulated(mlkemKeys.getPublic());

        time("sntrup761 client: key pair + decapsulation", n, () -> {
            AsymmetricCipherKeyPair kp = sntrupGen.generateKeyPair();
            new SNTRUPrimeKEMExtractor((SNTRUPrimePrivateKeyParameters) sntrupKeys.getPrivate())
                    .extractSecret(sntrupEnc.getEncapsulation());
            if (kp == null) throw new IllegalStateException();
        });
        time("sntrup761 server: encapsulation", n, () ->
                new SNTRUPrimeKEMGenerator(random).generateEncapsulated(sntrupKeys.getPublic()));
        time("mlkem768 client: key pair + decapsulation", n, () -> {
            AsymmetricCipherKeyPair kp = mlkemGen.generateKeyPair();
            new MLKEMExtractor((MLKEMPrivateKeyParameters) mlkemKeys.getPrivate())
                    .extractSecret(mlkemEnc.getEncapsulation());
            if (kp == null) throw new IllegalStateException();
        });
        time("mlkem768 server: encapsulation", n, () ->
                new MLKEMGenerator(random).generateEncapsulated(mlkemKeys.getPublic()));
        byte[] priv = new byte[X25519.SCALAR_SIZE];
        byte[] pub = new byte[X25519.POINT_SIZE];
        byte[] peer = new byte[X25519.POINT_SIZE];
        byte[] shared = new byte[X25519.POINT_SIZE];
        X25519.generatePrivateKey(random, priv);
        X25519.generatePublicKey(priv, 0, peer, 0);
        time("x25519 client: key pair + agreement", n, () -> {
            X25519.generatePrivateKey(random, priv);
            X25519.generatePublicKey(priv, 0, pub, 0);
            X25519.calculateAgreement(priv, 0, peer, 0, shared, 0);
        });
    }

    static void time(String what, int n, Op op) throws Exception {
        for (int i = 0; i < n / 2; i++) op.run();
        var bean = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = bean.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        int timed = n - n / 2;
        for (int i = 0; i < timed; i++) op.run();
        double cpuMs = (bean.getCurrentThreadCpuTime() - cpu) / 1e6 / timed;
        double wallMs = (System.nanoTime() - wall) / 1e6 / timed;
        System.out.printf("%-45s %8.3f ms CPU  %8.3f ms wall  (per operation, %d timed)%n", what, cpuMs, wallMs, timed);
    }
}
