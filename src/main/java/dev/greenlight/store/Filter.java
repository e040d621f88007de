package dev.greenlight.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The optional filters of a list query: each one given adds a condition, each one absent adds nothing. */
public final class Filter {
    private final StringBuilder where = new StringBuilder(" where 1 = 1");
    private final List<Object> params = new ArrayList<>();

    public Filter equal(String column, Object value) {
        return add(column + " = ?", value);
    }

    public Filter atLeast(String column, Object value) {
        return add(column + " >= ?", value);
    }

    public Filter atMost(String column, Object value) {
        return add(column + " <= ?", value);
    }

    /** {@code column in (…)}; an empty collection matches nothing, a null one adds nothing. */
    public Filter in(String column, Collection<?> values) {
        if (values == null) return this;
        if (values.isEmpty()) {
            where.append(" and 1 = 0");
            return this;
        }
        where.append(" and ").append(column).append(" in (")
                .append(String.join(", ", java.util.Collections.nCopies(values.size(), "?"))).append(")");
        params.addAll(values);
        return this;
    }

    private Filter add(String condition, Object value) {
        if (value != null) {
            where.append(" and ").append(condition);
            params.add(value);
        }
        return this;
    }

    public Filter below(String column, Object value) {
        return add(column + " < ?", value);
    }

    public Filter above(String column, Object value) {
        return add(column + " > ?", value);
    }

    /**
     * {@code select * from <table> where … order by id desc limit <limit>}: the page's rows, newest first. Adds the
     * page's {@code id < before} to the conditions, so call it before {@link #params()}.
     */
    public String newestFirst(String table, Page page) {
        below("id", page.before());
        return "select * from " + table + where + " order by id desc limit " + page.limit();
    }

    /** {@code where …}: the conditions for a query of the caller's own. */
    public String where() {
        return where.toString();
    }

    public Object[] params() {
        return params.toArray();
    }
}
