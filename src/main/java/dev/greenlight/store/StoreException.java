package dev.greenlight.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

/** The database failed; callers answer 503/500 and write nothing half. */
public class StoreException extends RuntimeException {
    public StoreException(SQLException cause) {
        super("database error: " + cause.getMessage(), cause);
    }

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The database could not be reached: no connection (refused, reset, the pool's wait for one over), or the server
     * going away (SQL states of class 08, and 57P01–57P03). The statement itself was not refused.
     */
    public boolean isConnectionFailure() {
        for (Throwable t = getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException e && e.getSQLState() != null
                    && (e.getSQLState().startsWith("08") || e.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }

    public boolean isDuplicateKey() {
        return getCause() instanceof SQLException e && "23505".equals(e.getSQLState());
    }
}
