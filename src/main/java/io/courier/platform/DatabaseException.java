package io.courier.platform;

import java.sql.SQLException;

/**
 * PostgreSQL failed under a plain-JDBC store. An infrastructure failure: the worker hands the record back and
 * runs it again later; nothing about the job is decided by it.
 */
public final class DatabaseException extends RuntimeException {

    public DatabaseException(String doing, SQLException cause) {
        super(doing + ": " + cause.getMessage(), cause);
    }
}
