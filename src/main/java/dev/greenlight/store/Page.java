package dev.greenlight.store;

/**
 * One page of a newest-first list: at most {@code limit} rows, those with an id below {@code before} when it is given
 * (the last id of the page before), so that paging back through a list that grows at its head repeats no row and
 * skips none.
 */
public record Page(Long before, int limit) {
    /** The newest {@code limit} rows. */
    public static Page newest(int limit) {
        return new Page(null, limit);
    }

    /** The cursor of the page after one that returned {@code rows} rows ending at {@code lastId}; null when none. */
    public Long nextBefore(int rows, long lastId) {
        return rows < limit ? null : lastId;
    }
}
