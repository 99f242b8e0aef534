package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Courier's PostgreSQL connections are bounded: a statement timeout on the server, a socket timeout in the driver. */
@QuarkusTest
@WithTestResource(CourierServices.class)
class DatabaseTimeoutsTest {

    @Inject
    DataSource dataSource;

    @Test
    void everyPooledConnectionCarriesTheStatementAndSocketTimeouts() throws Exception {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet shown = statement.executeQuery("show statement_timeout")) {
            assertThat(shown.next()).isTrue();
            assertThat(shown.getString(1)).as("courier.db.statement-timeout").isEqualTo("30s");
            assertThat(connection.getNetworkTimeout()).as("courier.db.socket-timeout-seconds, in ms").isEqualTo(45_000);
        }
    }
}
