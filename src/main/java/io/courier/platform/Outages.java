package io.courier.platform;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import org.apache.kafka.common.errors.RetriableException;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisReadonlyException;
import org.redisson.client.RedisRetryException;
import org.redisson.client.RedisTimeoutException;

/**
 * Tells an outage of a service Courier depends on (PostgreSQL, Redis, Kafka unreachable or timing out) from
 * everything else. An outage is nobody's record's fault: the record waits, unbounded, while readiness says why; any
 * other exception is the record's problem (or a bug) and gets a bounded number of tries (CONTRACT §6).
 */
public final class Outages {

    private Outages() {}

    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql instanceof SQLTransientException || isConnectionState(sql.getSQLState());
            }
            if (t instanceof RedisConnectionException || t instanceof RedisTimeoutException
                    || t instanceof RedisRetryException || t instanceof RedisReadonlyException
                    || t instanceof RetriableException || t instanceof ConnectException
                    || t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes of a server that cannot serve: 08 connection, 53 insufficient resources, 57 operator
     * intervention (shutdown, statement timeout), 40 serialization/deadlock, 28 authorization (credentials being
     * rotated), 58 system error, 25006 read-only (a failover in progress); a null state is a driver or pool failure
     * (e.g. no connection within the acquisition timeout). Data errors (22, 23, 42) are the record's.
     */
    private static boolean isConnectionState(String state) {
        return state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57")
                || state.startsWith("40") || state.startsWith("28") || state.startsWith("58") || state.equals("25006");
    }
}
