package dev.greenlight.audit;

import dev.greenlight.store.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * Recomputes the audit chain: every entry's hash from its stored fields, and every link from the entry before it,
 * in id order (appends are serialised, so id order is chain order). Entries written before the chain existed
 * (migration V12) have no hash; they must all come first, and as many as the migration counted.
 */
public final class AuditChain {
    private static final String HEAD = "select last_seq, last_id, last_hash, legacy_entries from audit_chain_head "
            + "where id = 1";
    /**
     * Up to the head read first: every entry up to it was committed before it (appends are serialised), and entries
     * appended while the check runs are left for the next one.
     */
    private static final String CHAINED = "select * from audit_log where id <= ? order by id";
    private static final String LEGACY_ONLY = "select count(*) from audit_log where hash is null";
    private static final int FETCH_SIZE = 1000;

    private final Jdbc jdbc;

    public AuditChain(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public ChainVerdict verify() {
        return jdbc.inTransaction(c -> {
            Head head = Jdbc.query(c, HEAD, rs -> new Head(rs.getLong(1), Jdbc.longOrNull(rs, "last_id"),
                    rs.getString(3), rs.getLong(4))).stream().findFirst().orElse(null);
            if (head == null) return ChainVerdict.broken(null, "the chain's head (table audit_chain_head) has no row");
            if (head.lastId() == null) return legacyOnly(c, head);
            return walk(c, head);
        });
    }

    private record Head(long lastSeq, Long lastId, String lastHash, long legacyEntries) {
    }

    /** No entry was chained yet: only the legacy entries can be checked, by their count. */
    private static ChainVerdict legacyOnly(Connection c, Head head) throws SQLException {
        long legacy = Jdbc.query(c, LEGACY_ONLY, rs -> rs.getLong(1)).get(0);
        if (head.lastSeq() != 0) {
            return ChainVerdict.broken(null, "the chain's head records " + head.lastSeq() + " entries but no last one");
        }
        return legacy == head.legacyEntries() ? ChainVerdict.intact(0, legacy, null, null)
                : legacyCountOff(head, legacy);
    }

    private static ChainVerdict walk(Connection c, Head head) throws SQLException {
        Walk w = new Walk();
        try (PreparedStatement ps = c.prepareStatement(CHAINED)) {
            ps.setLong(1, head.lastId());
            ps.setFetchSize(FETCH_SIZE); // PostgreSQL streams in a transaction only with a fetch size
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String problem = w.next(rs);
                    if (problem != null) return ChainVerdict.broken(rs.getLong("id"), problem);
                }
            }
        }
        if (w.seq < head.lastSeq()) {
            long missing = head.lastSeq() - w.seq;
            return ChainVerdict.broken(head.lastId(), "the chain ends " + (w.lastId == null ? "before its first entry"
                    : "at entry " + w.lastId + " (#" + w.seq + ")") + " but its head records #" + head.lastSeq()
                    + ", entry " + head.lastId() + ": the last " + plural(missing) + (missing == 1 ? " was" : " were")
                    + " removed");
        }
        if (!Objects.equals(w.lastHash, head.lastHash())) {
            return ChainVerdict.broken(w.lastId, "its hash is not the one the chain's head records for the last entry");
        }
        if (w.legacy != head.legacyEntries()) return legacyCountOff(head, w.legacy);
        return ChainVerdict.intact(w.seq, w.legacy, w.lastId, w.lastHash);
    }

    private static ChainVerdict legacyCountOff(Head head, long found) {
        return ChainVerdict.broken(null, head.legacyEntries() + " entries from before the chain (no hash) were "
                + "counted when it began, " + found + " are there: such an entry was removed or added, which one "
                + "the chain cannot tell");
    }

    /** The walk along the entries, one at a time. */
    private static final class Walk {
        long legacy;
        long seq;
        Long lastId;
        String lastHash;

        /** Checks the next entry; what is wrong with it, or null. */
        String next(ResultSet rs) throws SQLException {
            String hash = rs.getString("hash");
            if (hash == null) {
                if (lastId == null) {
                    legacy++;
                    return null;
                }
                return "it has no hash, yet comes after chained entry " + lastId
                        + ": it was written past the chain, or its hash was removed";
            }
            long entrySeq = rs.getLong("chain_seq");
            String prev = rs.getString("prev_hash");
            if (!hash.equals(AuditHash.of(entry(rs), entrySeq, prev))) {
                return "its content does not match its hash: the entry was altered";
            }
            if (entrySeq > seq + 1) {
                return (lastId == null ? "the chain's first " : "after entry " + lastId + ", ") + plural(entrySeq - seq - 1)
                        + " of the chain before it (#" + (seq + 1) + (entrySeq - seq > 2 ? "–#" + (entrySeq - 1) : "")
                        + ") " + (entrySeq - seq > 2 ? "are" : "is") + " missing: removed";
            }
            if (entrySeq != seq + 1 || !Objects.equals(prev, lastHash)) {
                return "it does not follow " + (lastId == null ? "the chain's start" : "entry " + lastId)
                        + ": its previous hash is not that entry's hash (that entry was altered and its hash "
                        + "recomputed, or this one was moved)";
            }
            seq = entrySeq;
            lastId = rs.getLong("id");
            lastHash = hash;
            return null;
        }
    }

    private static AuditEvent entry(ResultSet rs) throws SQLException {
        OffsetDateTime at = rs.getObject("at", OffsetDateTime.class);
        return new AuditEvent(null, at == null ? null : at.toInstant(), rs.getString("actor"), rs.getString("action"),
                rs.getString("app"), rs.getString("environment"), rs.getString("version"),
                Jdbc.longOrNull(rs, "deployment_id"), rs.getString("outcome"), rs.getString("detail"),
                rs.getString("source"));
    }

    private static String plural(long n) {
        return n == 1 ? "1 entry" : n + " entries";
    }
}
