package io.courier.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.testkit.CourierServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** The relay's loop ends: when a batch comes back short, and at once when Kafka refuses a send (nothing marked). */
@QuarkusTest
@WithTestResource(CourierServices.class)
class RowRelayTest {

    private static final long LOCK = 0x636f7572_74657374L; // "courtest"

    @Inject
    EntityManager em;

    private final List<Integer> waiting = new ArrayList<>(IntStream.range(0, 7).boxed().toList());
    private final List<List<Integer>> batches = new ArrayList<>();

    private List<Integer> select(int max) {
        return List.copyOf(waiting.subList(0, Math.min(max, waiting.size())));
    }

    private static List<Future<RecordMetadata>> acknowledged(List<Integer> rows) {
        return rows.stream().map(r -> (Future<RecordMetadata>) CompletableFuture.<RecordMetadata>completedFuture(null))
                .toList();
    }

    @Test
    void drainsFullBatchesAndStopsAtTheFirstShortOne() {
        new RowRelay(em, LOCK, 3, "test rows").drain(this::select, RowRelayTest::acknowledged, rows -> {
            batches.add(rows);
            waiting.removeAll(rows);
        });
        assertThat(batches).containsExactly(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6));
        assertThat(waiting).isEmpty();
    }

    @Test
    void aRefusedSendEndsTheDrainAndLeavesTheBatchUnmarked() {
        RowRelay relay = new RowRelay(em, LOCK, 3, "test rows");
        assertThatThrownBy(() -> relay.drain(this::select,
                rows -> List.of(CompletableFuture.failedFuture(new RecordTooLargeException("too large"))),
                rows -> batches.add(rows)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("sending test rows failed");
        assertThat(batches).isEmpty();
        assertThat(waiting).hasSize(7);
    }
}
