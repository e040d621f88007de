package dev.greenlight.store;

import java.sql.SQLException;

/** The database failed; callers answer 503/500 and write nothing half. */
public class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super("database error: " + cause.getMessage(), cause);
    }

    public boolean isDuplicateKey() {
        return getCause() instanceof SQLException e && "23505".equals(e.getSQLState());
    }
}
