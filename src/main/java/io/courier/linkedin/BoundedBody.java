package io.courier.linkedin;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a cap: once more than the cap has arrived it stops reading (cancelling the rest, which
 * closes the connection) and keeps the first cap bytes, marked truncated. The JDK's ofByteArray has no cap.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<BoundedBody.Bytes> {

    record Bytes(byte[] value, boolean truncated) {}

    private final int cap;
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();
    private final CompletableFuture<Bytes> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int cap) {
        this.cap = cap;
    }

    @Override
    public CompletionStage<Bytes> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        // All of it at once, as the JDK's ofByteArray does: asking for one buffer at a time re-registers the
        // connection with the client's selector for every buffer (measured: the benchmark's CPU per job rose).
        // The cap still holds: past it the subscription is cancelled.
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int take = Math.min(buffer.remaining(), cap + 1 - read.size());
            byte[] bytes = new byte[take];
            buffer.get(bytes);
            read.writeBytes(bytes);
            if (read.size() > cap) {
                subscription.cancel();
                byte[] all = read.toByteArray();
                result.complete(new Bytes(Arrays.copyOf(all, cap), true));
                return;
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(new Bytes(read.toByteArray(), false));
    }
}
