package dev.greenlight.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a whole response body but keeps only its first {@code cap} bytes, so a large or endless body cannot
 * exhaust memory while the connection is still drained properly.
 */
public final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Text> {

    /** The kept part of a body, decoded as UTF-8, and whether anything was dropped. */
    public record Text(String text, boolean truncated) {
    }

    private final int cap;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<Text> result = new CompletableFuture<>();
    private boolean truncated;

    private CappedBody(int cap) {
        this.cap = cap;
    }

    public static HttpResponse.BodyHandler<Text> handler(int cap) {
        return info -> new CappedBody(cap);
    }

    @Override
    public CompletionStage<Text> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int room = cap - kept.size();
            int take = Math.min(room, buffer.remaining());
            if (take < buffer.remaining()) {
                truncated = true;
            }
            byte[] chunk = new byte[take];
            buffer.get(chunk);
            kept.write(chunk, 0, take);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(new Text(kept.toString(StandardCharsets.UTF_8), truncated));
    }
}
