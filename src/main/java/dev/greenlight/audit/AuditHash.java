package dev.greenlight.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The hash of an entry of the chain: SHA-256, as 64 lower-case hex digits, over its canonical encoding. The encoding
 * is the line {@code greenlight-audit-v1}, then one line per field in this order: chain_seq, at, actor, action, app,
 * environment, version, deployment_id, outcome, detail, source, prev_hash. A field is {@code -} when null, else its
 * length in UTF-8 bytes, a colon and its text ({@code 5:shop}), so no value can pass for two; {@code at} is UTC with
 * exactly six fraction digits ({@code 2026-12-01T11:54:38.123456Z}, what both databases keep), numbers are decimal.
 * Every line ends with {@code \n}. The values are the entry's as stored: cut to their columns, secrets masked.
 */
public final class AuditHash {
    static final String VERSION = "greenlight-audit-v1";
    private static final DateTimeFormatter AT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private AuditHash() {
    }

    /** The hash of {@code e} (its id is not part of it) at place {@code seq} after the entry hashed {@code prevHash}. */
    public static String of(AuditEvent e, long seq, String prevHash) {
        StringBuilder text = new StringBuilder(256).append(VERSION).append('\n');
        field(text, Long.toString(seq));
        field(text, e.at() == null ? null : AT.format(e.at()));
        field(text, e.actor());
        field(text, e.action());
        field(text, e.app());
        field(text, e.environment());
        field(text, e.version());
        field(text, e.deploymentId() == null ? null : e.deploymentId().toString());
        field(text, e.outcome());
        field(text, e.detail());
        field(text, e.source());
        field(text, prevHash);
        return HexFormat.of().formatHex(sha256().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code at} as the chain keeps it: to the microsecond. */
    static Instant precision(Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    private static void field(StringBuilder text, String value) {
        if (value == null) {
            text.append("-\n");
        } else {
            text.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append('\n');
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
