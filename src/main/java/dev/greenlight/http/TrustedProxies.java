package dev.greenlight.http;

import dev.greenlight.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The reverse proxies whose forwarding header is believed ({@code greenlight.http.trusted-proxies}, addresses or
 * CIDR ranges; none by default). A request from anyone else is taken to come from its peer address, whatever
 * headers it carries. From a trusted proxy, the client is the right-most address of the forwarding chain that is
 * not itself a trusted proxy: every proxy appends the address it received the request from, so the entries left of
 * that one are whatever the client chose to send.
 */
public final class TrustedProxies {
    /** The name the bean is bound under; {@link RemoteAddress} looks it up. */
    public static final String BEAN = "trustedProxies";
    public static final String SETTING = "greenlight.http.trusted-proxies";
    public static final String HEADER_SETTING = "greenlight.http.forwarded-header";
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), Header.X_FORWARDED_FOR);

    /** Which header the proxies write. Only one is read: a proxy passes the other through as the client sent it. */
    public enum Header {
        X_FORWARDED_FOR("X-Forwarded-For"), FORWARDED("Forwarded");

        private final String name;

        Header(String name) {
            this.name = name;
        }

        public String headerName() {
            return name;
        }
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private record Range(byte[] network, int prefix) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;
    private final Header header;

    private TrustedProxies(List<Range> ranges, Header header) {
        this.ranges = ranges;
        this.header = header;
    }

    /**
     * @param list   comma-separated addresses and CIDR ranges ({@code 10.0.0.1, 172.16.0.0/12, ::1}); blank: none
     * @param header {@code X-Forwarded-For} or {@code Forwarded}
     */
    public static TrustedProxies parse(String list, String header) {
        Header h = switch (header == null ? "x-forwarded-for" : header.trim().toLowerCase(Locale.ROOT)) {
            case "x-forwarded-for" -> Header.X_FORWARDED_FOR;
            case "forwarded" -> Header.FORWARDED;
            default -> throw new ConfigException(HEADER_SETTING + ": \"" + header
                    + "\" must be X-Forwarded-For or Forwarded");
        };
        List<Range> ranges = new ArrayList<>();
        if (list != null) {
            for (String item : list.split(",")) {
                if (!item.isBlank()) ranges.add(range(item.trim()));
            }
        }
        return new TrustedProxies(List.copyOf(ranges), h);
    }

    private static Range range(String item) {
        String[] parts = item.split("/", 2);
        InetAddress address = literal(parts[0]).orElseThrow(() -> new ConfigException(SETTING + ": \"" + item
                + "\" is not an IP address or CIDR range (examples: 10.0.0.5, 10.0.0.0/8, fd00::/8)"));
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new ConfigException(SETTING + ": \"" + item + "\" has a prefix length outside 0-" + bits);
            }
        }
        return new Range(address.getAddress(), prefix);
    }

    public Header header() {
        return header;
    }

    /**
     * The client of a request.
     *
     * @param peer       the address the connection came from
     * @param forwarding every value of the forwarding header, in the order received
     */
    public String client(String peer, List<String> forwarding) {
        Optional<InetAddress> peerAddress = literal(peer);
        if (peerAddress.isEmpty() || !trusts(peerAddress.get()) || forwarding.isEmpty()) return peer;
        List<String> chain = new ArrayList<>();
        for (String value : forwarding) chain.addAll(header == Header.FORWARDED ? forwardedFor(value) : split(value));
        String client = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            Optional<InetAddress> hop = literal(hostOf(chain.get(i)));
            // an entry that is no address ("unknown", an obfuscated name, garbage): nothing left of it can be
            // believed, and the last trusted hop is the best that is known
            if (hop.isEmpty()) return client;
            client = hop.get().getHostAddress();
            if (!trusts(hop.get())) return client;
        }
        return client;
    }

    boolean trusts(InetAddress address) {
        for (Range r : ranges) if (r.contains(address)) return true;
        return false;
    }

    private static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) if (!part.isBlank()) out.add(part.trim());
        return out;
    }

    /** The {@code for=} of each element of a {@code Forwarded} header (RFC 7239); an element without one is "". */
    private static List<String> forwardedFor(String value) {
        List<String> out = new ArrayList<>();
        for (String element : value.split(",")) {
            if (element.isBlank()) continue;
            String found = "";
            for (String pair : element.split(";")) {
                String[] kv = pair.trim().split("=", 2);
                if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("for")) {
                    found = kv[1].trim().replaceAll("^\"|\"$", "");
                }
            }
            out.add(found);
        }
        return out;
    }

    /** An address as forwarding headers write it, without brackets or port: {@code [2001:db8::1]:4711}, {@code 10.0.0.1:80}. */
    static String hostOf(String entry) {
        String e = entry.trim();
        if (e.startsWith("[")) {
            int end = e.indexOf(']');
            return end < 0 ? e : e.substring(1, end);
        }
        int colon = e.indexOf(':');
        if (colon > 0 && colon == e.lastIndexOf(':')) return e.substring(0, colon); // IPv4 with a port
        return e;
    }

    /** An IP address literal; never a name, so nothing here ever asks DNS. */
    static Optional<InetAddress> literal(String text) {
        if (text == null) return Optional.empty();
        String t = text.trim();
        try {
            if (IPV4.matcher(t).matches()) {
                byte[] bytes = new byte[4];
                String[] octets = t.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(octets[i]);
                    if (octet > 255) return Optional.empty();
                    bytes[i] = (byte) octet;
                }
                return Optional.of(InetAddress.getByAddress(bytes));
            }
            // with a colon, InetAddress parses an IPv6 literal or fails; it never looks a name up
            return IPV6.matcher(t).matches() ? Optional.of(InetAddress.getByName(t)) : Optional.empty();
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
