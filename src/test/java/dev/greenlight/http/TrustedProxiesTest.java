package dev.greenlight.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.greenlight.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whose address a request is: forwarding headers count only from trusted proxies, read right to left. */
class TrustedProxiesTest {
    static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.5, 172.16.0.0/12, fd00::/8", null);

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        assertThat(TrustedProxies.NONE.client("10.0.0.5", List.of("198.51.100.1"))).isEqualTo("10.0.0.5");
        assertThat(TrustedProxies.parse("", "X-Forwarded-For").client("10.0.0.5", List.of("198.51.100.1")))
                .isEqualTo("10.0.0.5");
    }

    @Test
    void fromAnUntrustedPeerTheHeaderIsIgnored() {
        assertThat(PROXIES.client("203.0.113.9", List.of("198.51.100.1"))).isEqualTo("203.0.113.9");
        assertThat(PROXIES.client("10.0.0.6", List.of("198.51.100.1"))).isEqualTo("10.0.0.6");
    }

    @Test
    void fromATrustedProxyTheRightMostUntrustedAddressIsTheClient() {
        assertThat(PROXIES.client("10.0.0.5", List.of("198.51.100.1"))).isEqualTo("198.51.100.1");
        // two proxies: the outer one (172.16.3.4, trusted) received it from the client
        assertThat(PROXIES.client("10.0.0.5", List.of("198.51.100.1, 172.16.3.4"))).isEqualTo("198.51.100.1");
        // the header repeated: its values in order make one chain
        assertThat(PROXIES.client("10.0.0.5", List.of("198.51.100.1", "172.16.3.4"))).isEqualTo("198.51.100.1");
    }

    @Test
    void whatTheClientWroteLeftOfItsOwnAddressIsNotBelieved() {
        // the client sent "X-Forwarded-For: 10.0.0.5, 1.2.3.4" hoping to pass for a proxy or someone else
        assertThat(PROXIES.client("10.0.0.5", List.of("10.0.0.5, 1.2.3.4, 198.51.100.1"))).isEqualTo("198.51.100.1");
        assertThat(PROXIES.client("10.0.0.5", List.of("172.16.0.1, 198.51.100.1"))).isEqualTo("198.51.100.1");
    }

    @Test
    void anEntryThatIsNoAddressStopsTheWalkAtTheLastTrustedHop() {
        assertThat(PROXIES.client("10.0.0.5", List.of("198.51.100.1, unknown"))).isEqualTo("10.0.0.5");
        assertThat(PROXIES.client("10.0.0.5", List.of("198.51.100.1, garbage, 172.16.0.9"))).isEqualTo("172.16.0.9");
        assertThat(PROXIES.client("10.0.0.5", List.of("999.1.1.1"))).isEqualTo("10.0.0.5");
        assertThat(PROXIES.client("10.0.0.5", List.of("evil.example.com"))).isEqualTo("10.0.0.5");
    }

    @Test
    void aChainOfTrustedProxiesOnlyEndsAtItsLeftMostEntry() {
        assertThat(PROXIES.client("10.0.0.5", List.of("172.16.0.1, 172.16.0.2"))).isEqualTo("172.16.0.1");
    }

    @Test
    void portsBracketsAndIpv6AreUnderstood() {
        assertThat(PROXIES.client("10.0.0.5", List.of("198.51.100.1:4711"))).isEqualTo("198.51.100.1");
        assertThat(PROXIES.client("10.0.0.5", List.of("[2001:db8::17]:4711"))).isEqualTo("2001:db8:0:0:0:0:0:17");
        assertThat(PROXIES.client("fd00::1", List.of("2001:db8::17"))).isEqualTo("2001:db8:0:0:0:0:0:17");
    }

    @Test
    void theForwardedHeaderIsReadWhenConfiguredAndOnlyThen() {
        TrustedProxies forwarded = TrustedProxies.parse("10.0.0.5", "Forwarded");
        assertThat(forwarded.header().headerName()).isEqualTo("Forwarded");
        assertThat(forwarded.client("10.0.0.5", List.of("for=198.51.100.1;proto=https;by=10.0.0.5")))
                .isEqualTo("198.51.100.1");
        assertThat(forwarded.client("10.0.0.5", List.of("for=192.0.2.43, for=\"[2001:db8:cafe::17]:4711\"")))
                .isEqualTo("2001:db8:cafe:0:0:0:0:17");
        assertThat(forwarded.client("10.0.0.5", List.of("For=\"_hidden\""))).isEqualTo("10.0.0.5");
        assertThat(PROXIES.header().headerName()).isEqualTo("X-Forwarded-For");
    }

    @Test
    void aBadSettingStopsTheStartNamingIt() {
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("greenlight.http.trusted-proxies").hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> TrustedProxies.parse("proxy.internal", null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not an IP address or CIDR range");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.1/x", null)).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.1", "X-Real-IP")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("greenlight.http.forwarded-header");
    }

    @Test
    void rangesMatchByTheirPrefix() {
        TrustedProxies p = TrustedProxies.parse("192.168.4.0/22", null);
        assertThat(p.client("192.168.7.255", List.of("198.51.100.1"))).isEqualTo("198.51.100.1");
        assertThat(p.client("192.168.8.0", List.of("198.51.100.1"))).isEqualTo("192.168.8.0");
        assertThat(TrustedProxies.parse("0.0.0.0/0", null).client("8.8.8.8", List.of("198.51.100.1")))
                .isEqualTo("198.51.100.1");
    }
}
