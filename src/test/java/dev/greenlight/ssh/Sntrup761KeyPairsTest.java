package dev.greenlight.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.apache.sshd.common.kex.BuiltinKEM;
import org.apache.sshd.common.kex.KeyEncapsulationMethod;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.pqc.crypto.ntruprime.SNTRUPrimePublicKeyParameters;
import org.junit.jupiter.api.Test;

class Sntrup761KeyPairsTest {

    private static final Duration FILLED_WITHIN = Duration.ofSeconds(60);

    @Test
    void everyKeyPairIsHandedOutOnceWhetherGeneratedAheadOrNot() {
        try (Sntrup761KeyPairs supply = new Sntrup761KeyPairs(3, Duration.ofMillis(50), new SecureRandom())) {
            List<String> handedOut = new ArrayList<>();
            handedOut.add(publicKey(supply.next())); // empty supply: generated on this thread
            await().atMost(FILLED_WITHIN).until(() -> supply.ready() == 3);

            for (int i = 0; i < 5; i++) { // three generated ahead, then two on this thread again
                handedOut.add(publicKey(supply.next()));
            }

            assertThat(supply.ready()).isLessThan(3);
            assertThat(handedOut).hasSize(6).doesNotHaveDuplicates();
        }
    }

    @Test
    void theRefillWaitsUntilNoKeyPairHasBeenTakenForTheQuietPeriod() throws InterruptedException {
        try (Sntrup761KeyPairs supply = new Sntrup761KeyPairs(2, Duration.ofSeconds(30), new SecureRandom())) {
            supply.next();
            Thread.sleep(1000);
            assertThat(supply.ready()).isZero();
        }
        try (Sntrup761KeyPairs supply = new Sntrup761KeyPairs(2, Duration.ofMillis(100), new SecureRandom())) {
            assertThat(supply.ready()).isZero(); // nothing is generated before the first use
            supply.next();
            await().atMost(FILLED_WITHIN).until(() -> supply.ready() == 2);
        }
    }

    @Test
    void closingDropsTheKeyPairsNotHandedOut() {
        Sntrup761KeyPairs supply = new Sntrup761KeyPairs(2, Duration.ofMillis(50), new SecureRandom());
        supply.next();
        await().atMost(FILLED_WITHIN).until(() -> supply.ready() == 2);

        supply.close();

        assertThat(supply.ready()).isZero();
    }

    @Test
    void theClientDecapsulatesWhatTheServerEncapsulatedToItsKey() {
        try (Sntrup761KeyPairs supply = new Sntrup761KeyPairs(1, Duration.ofMillis(50), new SecureRandom())) {
            supply.next();
            await().atMost(FILLED_WITHIN).until(() -> supply.ready() == 1);
            KeyEncapsulationMethod.Client client = new Sntrup761Kem(supply).getClient();
            client.init(); // takes the key pair generated ahead
            KeyEncapsulationMethod.Server server = BuiltinKEM.sntrup761.getServer();
            server.init(client.getPublicKey());

            assertThat(supply.ready()).isZero();
            assertThat(client.extractSecret(server.getEncapsulation())).isEqualTo(server.getSecret());
            assertThatThrownBy(() -> client.extractSecret(new byte[10]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wrong length: 10");
        }
    }

    private static String publicKey(AsymmetricCipherKeyPair pair) {
        return HexFormat.of().formatHex(((SNTRUPrimePublicKeyParameters) pair.getPublic()).getEncoded());
    }
}
