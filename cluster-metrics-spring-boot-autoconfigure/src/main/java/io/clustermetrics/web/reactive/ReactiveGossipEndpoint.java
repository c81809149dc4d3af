package io.clustermetrics.web.reactive;

import io.clustermetrics.wire.GossipReceiver;
import java.net.InetSocketAddress;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The gossip endpoint of a reactive (WebFlux) app: {@code POST <gossip.path>} takes a push, {@code GET
 * <gossip.path>} answers an observer's pull, both by the rules of {@link GossipReceiver}, as the servlet
 * endpoint does. The body is gathered without blocking, up to the limit. Refusals are RFC 9457 problem details
 * whose {@code detail} says why.
 */
public final class ReactiveGossipEndpoint {

    private final GossipReceiver receiver;

    /** Serves {@code receiver}'s answers. */
    public ReactiveGossipEndpoint(GossipReceiver receiver) {
        this.receiver = receiver;
    }

    /** The routes: {@code POST} and {@code GET} on {@code path}. */
    public RouterFunction<ServerResponse> routes(String path) {
        return RouterFunctions.route().POST(path, this::push).GET(path, this::pull).build();
    }

    private Mono<ServerResponse> push(ServerRequest request) {
        GossipReceiver.Reply tooLarge = receiver.checkLength(request.headers().contentLength().orElse(-1));
        if (tooLarge != null) {
            return render(tooLarge);
        }
        int limit = receiver.maxBodyBytes();
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), limit)
                .map(buffer -> {
                    byte[] body = new byte[buffer.readableByteCount()];
                    buffer.read(body);
                    DataBufferUtils.release(buffer);
                    return receiver.push(request.headers()::firstHeader, body, isLoopback(request));
                })
                .switchIfEmpty(Mono.fromSupplier(() -> receiver.push(request.headers()::firstHeader, new byte[0], isLoopback(request))))
                .onErrorResume(DataBufferLimitException.class, e -> Mono.just(receiver.tooLarge()))
                .flatMap(ReactiveGossipEndpoint::render);
    }

    private Mono<ServerResponse> pull(ServerRequest request) {
        return render(receiver.pull(request.headers()::firstHeader, isLoopback(request)));
    }

    private static boolean isLoopback(ServerRequest request) {
        return GossipReceiver.isLoopback(request.localAddress().map(InetSocketAddress::getAddress).orElse(null),
                request.remoteAddress().map(InetSocketAddress::getAddress).orElse(null));
    }

    private static Mono<ServerResponse> render(GossipReceiver.Reply reply) {
        ServerResponse.BodyBuilder response = ServerResponse.status(reply.status()).headers(h -> reply.headers().forEach(h::set));
        if (!reply.isRefusal()) {
            return response.contentType(MediaType.APPLICATION_JSON).bodyValue(reply.json());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(reply.status()), reply.detail());
        reply.properties().forEach(problem::setProperty);
        return response.contentType(MediaType.APPLICATION_PROBLEM_JSON).bodyValue(problem);
    }
}
