package io.clustermetrics.web.reactive;

import io.clustermetrics.wire.GossipReceiver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The gossip endpoint of a reactive (WebFlux) app: {@code POST <gossip.path>} takes a push, {@code GET
 * <gossip.path>} answers an observer's pull, both by the rules of {@link GossipReceiver}, as the servlet endpoint
 * does: what can be refused without the body is refused first, at most {@code max-concurrent-requests} bodies are
 * received at once (503 beyond), and a body is gathered without blocking, up to the limit, within
 * {@code receive-timeout} (408 after it). Refusals are RFC 9457 problem details whose {@code detail} says why.
 */
public final class ReactiveGossipEndpoint {

    private final GossipReceiver receiver;
    private final Duration receiveTimeout;

    /**
     * @param receiver the rules
     * @param receiveTimeout how long a body may take to arrive
     */
    public ReactiveGossipEndpoint(GossipReceiver receiver, Duration receiveTimeout) {
        this.receiver = receiver;
        this.receiveTimeout = receiveTimeout;
    }

    /** The routes: {@code POST} and {@code GET} on {@code path}. */
    public RouterFunction<ServerResponse> routes(String path) {
        return RouterFunctions.route().POST(path, this::push).GET(path, this::pull).build();
    }

    private Mono<ServerResponse> push(ServerRequest request) {
        boolean loopback = isLoopback(request);
        GossipReceiver.Reply early = receiver.precheck(request.headers().contentLength().orElse(-1),
                request.headers()::firstHeader, loopback);
        if (early == null) {
            early = receiver.claim();
        }
        if (early != null) {
            return render(early);
        }
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), receiver.maxBodyBytes())
                .map(buffer -> {
                    byte[] body = new byte[buffer.readableByteCount()];
                    buffer.read(body);
                    DataBufferUtils.release(buffer);
                    return body;
                })
                .defaultIfEmpty(new byte[0])
                .timeout(receiveTimeout)
                .map(body -> receiver.push(request.headers()::firstHeader, body, loopback, request.localAddress().orElse(null)))
                .onErrorResume(DataBufferLimitException.class, e -> Mono.just(receiver.tooLarge()))
                .onErrorResume(TimeoutException.class, e -> Mono.just(receiver.timedOut()))
                .doFinally(signal -> receiver.release())
                .flatMap(this::render);
    }

    private Mono<ServerResponse> pull(ServerRequest request) {
        return render(receiver.pull(request.headers()::firstHeader, isLoopback(request), request.localAddress().orElse(null)));
    }

    private static boolean isLoopback(ServerRequest request) {
        return GossipReceiver.isLoopback(request.localAddress().map(InetSocketAddress::getAddress).orElse(null),
                request.remoteAddress().map(InetSocketAddress::getAddress).orElse(null));
    }

    private Mono<ServerResponse> render(GossipReceiver.Reply reply) {
        ServerResponse.BodyBuilder response = ServerResponse.status(reply.status()).headers(h -> reply.headers().forEach(h::set))
                .contentType(reply.isRefusal() ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON);
        if (reply.isRefusal()) {
            response.header("Connection", "close");
        }
        return response.bodyValue(receiver.body(reply));
    }
}
