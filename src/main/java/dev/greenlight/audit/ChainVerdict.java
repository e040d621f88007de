package dev.greenlight.audit;

/**
 * What recomputing the chain found. Intact: {@code entries} chained entries (after {@code legacyEntries} written
 * before the chain existed), ending with {@code lastEntry} hashed {@code lastHash}. Broken: {@code firstBadEntry}
 * (the id of the first entry found altered, or the one after a removed entry; null when only the count of legacy
 * entries is off, which names none) and why.
 */
public record ChainVerdict(boolean valid, long entries, long legacyEntries, Long lastEntry, String lastHash,
                           Long firstBadEntry, String reason) {

    static ChainVerdict intact(long entries, long legacyEntries, Long lastEntry, String lastHash) {
        return new ChainVerdict(true, entries, legacyEntries, lastEntry, lastHash, null, null);
    }

    static ChainVerdict broken(Long firstBadEntry, String reason) {
        return new ChainVerdict(false, 0, 0, null, null, firstBadEntry, reason);
    }
}
