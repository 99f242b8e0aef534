package io.courier.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL starts here, is PostgreSQL 15, lets in only who has its password, and starts again on the
 * data directory it left (as README command 1's second run does). Runs even where a PostgreSQL is installed.
 */
class EmbeddedPostgresTest {

    @TempDir
    Path dir;

    @Test
    void itStartsAsksForItsPasswordAndStartsAgainOnItsData() throws Exception {
        Path data = dir.resolve("pg");
        int port = CourierJar.freePort();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(port, data, Path.of("target/embedded-pg"), "s3cret", true)) {
            try (Connection c = DriverManager.getConnection(url, EmbeddedPostgres.USER, "s3cret");
                    ResultSet r = c.createStatement().executeQuery("show server_version")) {
                r.next();
                assertThat(r.getString(1)).startsWith("15.");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(url, EmbeddedPostgres.USER, "guess"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(Files.readString(data.resolve("pg_hba.conf"))).doesNotContain("trust");
        }
        assertThat(ServiceLookup.listens(port)).as("stopped").isFalse();
        try (EmbeddedPostgres again = EmbeddedPostgres.start(port, data, Path.of("target/embedded-pg"), "s3cret",
                true); Connection c = DriverManager.getConnection(url, EmbeddedPostgres.USER, "s3cret")) {
            assertThat(c.isValid(5)).isTrue();
        }
    }
}
