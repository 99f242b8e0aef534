package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testkit.AdminCallers;
import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The class of CVE-2026-50559 (a path spelled so that a path-based rule misses it but the router still finds the
 * endpoint): every spelling of an admin path is refused without a token. Sent as raw bytes on a socket, so no
 * client normalises the path first.
 */
@QuarkusTest
@WithTestResource(CourierServices.class)
class EncodedAdminPathsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "/admin/dead-letters", "/admin/accounts?status=CONNECTED", "/admin/whoami", "/admin/dead-letters/audit",
            "/admin/tokens/keys", "/%61dmin/tokens/keys", "/admin%2Ftokens%2Fkeys", "/%61dmin/dead-letters",
            "/%61%64%6d%69%6e/accounts?status=CONNECTED", "/%2561dmin/dead-letters",
            "/admin%2Fdead-letters", "/admin%2fdead-letters", "/admin%2Faccounts?status=CONNECTED",
            "/admin;/dead-letters", "/admin;x=1/dead-letters", "/admin%3Bx/dead-letters", "/admin/dead-letters;x=1",
            "/admin/dead-letters%3B", "/admin%5Cdead-letters", "/admin%5cdead-letters", "/admin\\dead-letters",
            "//admin/dead-letters", "/admin//dead-letters", "///admin///accounts?status=CONNECTED",
            "/./admin/dead-letters", "/admin/./dead-letters", "/ops/../admin/dead-letters", "/oauth/../admin/whoami",
            "/ops/%2e%2e/admin/dead-letters", "/ops/%2E%2E/admin/accounts?status=CONNECTED", "/admin/x/../dead-letters",
            "/admin/accounts/%2e%2e/dead-letters", "/q/..%2fadmin/dead-letters", "/ops/..%5cadmin/dead-letters",
            "/ADMIN/dead-letters", "/Admin/Dead-Letters", "/admin/DEAD-LETTERS", "/aDmIn/accounts?status=CONNECTED",
            "/admin/dead-letters/", "/admin/dead-letters%00", "/admin/dead-letters%20", "/admin/dead-letters/%2e",
            "/admin/dead-letters/audit/.", "/admin/dead-letters?limit=1#x", "/%2fadmin/dead-letters"})
    void everySpellingOfAnAdminPathIsRefusedWithoutAToken(String path) throws IOException {
        for (String method : new String[] {"GET", "POST"}) {
            Answer answer = send(method, path, null);
            assertThat(answer.status()).as(method + " " + path + " answered " + answer.body())
                    .isIn(400, 401, 403, 404, 405);
            assertThat(answer.body()).as(method + " " + path).doesNotContain("\"items\"").doesNotContain("\"name\"")
                    .doesNotContain("\"accountId\"").doesNotContain("\"operator\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/admin/dead-letters", "/admin/accounts?status=CONNECTED", "/admin/whoami",
            "/admin/dead-letters/audit",
            "/admin/tokens/keys"})
    void thePlainPathsAnswerWithAToken(String path) throws IOException {
        // Without this the test above could pass against a server that refuses everything.
        Answer answer = send("GET", path, AdminCallers.VIEWER.token());
        assertThat(answer.status()).as(path + " answered " + answer.body()).isEqualTo(200);
    }

    private record Answer(int status, String body) {}

    private static Answer send(String method, String path, String token) throws IOException {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(8081);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String body = method.equals("POST") ? """
                    {"filter":{},"dryRun":true}""" : "";
            out.write((method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                    + (body.isEmpty() ? "" : "Content-Type: application/json\r\n")
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            String statusLine = text.lines().findFirst().orElse("");
            String[] parts = statusLine.split(" ");
            int status = parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
            int split = text.indexOf("\r\n\r\n");
            return new Answer(status, split < 0 ? "" : text.substring(split + 4));
        }
    }
}
