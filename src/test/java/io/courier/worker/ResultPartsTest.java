package io.courier.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.courier.platform.OutputTooLargeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a result too large for one record is cut into parts: the README's sequence, the same every time. */
class ResultPartsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ResultParts parts = new ResultParts(JSON);

    private static String syncResult(int posts, int commentaryChars) {
        ObjectNode event = JSON.createObjectNode().put("jobId", "j-1").put("type", "sync.posts")
                .put("accountId", "acct-1")
                .put("status", "SUCCEEDED").put("attempts", 1).put("finishedAt", "2026-11-25T02:39:01.18Z");
        ObjectNode data = event.putObject("data").put("count", posts).put("pages", 3).put("complete", true);
        ArrayNode list = data.putArray("posts");
        for (int i = 0; i < posts; i++) {
            list.addObject().put("id", "urn:li:share:" + i).put("commentary", "c".repeat(commentaryChars));
        }
        return event.toString();
    }

    @Test
    void everyPartFitsAndTheSlicesInOrderAreTheWholeList() throws Exception {
        String whole = syncResult(100, 500);
        List<byte[]> split = parts.split(whole, 8_000);

        assertThat(split.size()).isBetween(7, 10);
        List<String> ids = new ArrayList<>();
        for (int k = 1; k <= split.size(); k++) {
            assertThat(split.get(k - 1).length).isLessThanOrEqualTo(8_000);
            JsonNode part = JSON.readTree(split.get(k - 1));
            assertThat(part.get("part").asInt()).isEqualTo(k);
            assertThat(part.get("parts").asInt()).isEqualTo(split.size());
            assertThat(part.get("final").asBoolean()).isEqualTo(k == split.size());
            assertThat(part.get("jobId").asText()).isEqualTo("j-1");
            assertThat(part.at("/data/count").asInt()).as("the whole's fields on every part").isEqualTo(100);
            assertThat(part.at("/data/complete").asBoolean()).isTrue();
            part.at("/data/posts").forEach(p -> ids.add(p.get("id").asText()));
        }
        List<String> expected = new ArrayList<>();
        JSON.readTree(whole).at("/data/posts").forEach(p -> expected.add(p.get("id").asText()));
        assertThat(ids).isEqualTo(expected);
    }

    @Test
    void theSameResultAndLimitGiveTheSameParts() {
        String whole = syncResult(50, 300);
        List<byte[]> first = parts.split(whole, 5_000);
        List<byte[]> again = parts.split(whole, 5_000);
        assertThat(again).hasSameSizeAs(first);
        for (int k = 0; k < first.size(); k++) {
            assertThat(again.get(k)).isEqualTo(first.get(k));
        }
    }

    @Test
    void anElementLargerThanAPartIsRefusedNamingTheLimit() {
        assertThatThrownBy(() -> parts.split(syncResult(3, 10_000), 5_000))
                .isInstanceOf(OutputTooLargeException.class).hasMessageContaining("courier.kafka.max-request-size")
                .hasMessageContaining("data.posts");
    }

    @Test
    void aResultWithNoListToSplitIsRefused() {
        String profile = JSON.createObjectNode().put("jobId", "j-2").put("accountId", "a")
                .set("data", JSON.createObjectNode().put("name", "n".repeat(10_000))).toString();
        assertThatThrownBy(() -> parts.split(profile, 5_000)).isInstanceOf(OutputTooLargeException.class)
                .hasMessageContaining("no list under data");
    }
}
