package io.clustermetrics.web.reactive;

import io.clustermetrics.wire.GossipReceiver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The gossip endpoint of a reactive (WebFlux) app: {@code POST <gossip.path>} takes a push, {@code GET
 * <gossip.path>} answers an observer's pull, both by the rules of {@link GossipReceiver}, as the servlet endpoint
 * does: what can be refused without the body is refused first, each request takes one of the places of
 * {@code max-concurrent-requests} (503 when none is free for its sender), and a body is gathered without
 * blocking, up to the limit, within {@code receive-timeout} (408 after it). Refusals are RFC 9457 problem details
 * whose {@code detail} says why, and close the connection.
 *
 * <p>Whether the sender is on loopback is judged by the connection's own addresses, which forwarding headers
 * cannot rewrite (on Reactor Netty; on another server, whose connection this endpoint cannot reach, a sender
 * without a secret is refused), and the forwarding headers are read as they came, before Spring's
 * {@code ForwardedHeaderTransformer} removes them.
 */
public final class ReactiveGossipEndpoint {

    private static final boolean REACTOR_NETTY =
            ClassUtils.isPresent("reactor.netty.http.server.HttpServerRequest", ReactiveGossipEndpoint.class.getClassLoader());

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
        Link connection = Link.of(request);
        boolean loopback = connection.isLoopback();
        GossipReceiver.Reply early = receiver.precheck(request.headers().contentLength().orElse(-1),
                connection.headers(), loopback);
        if (early != null) {
            return render(early);
        }
        GossipReceiver.Place place = receiver.place(connection.remote());
        AtomicBoolean arrived = new AtomicBoolean();
        Mono<GossipReceiver.Reply> pushed = DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), receiver.maxBodyBytes())
                .map(buffer -> {
                    byte[] body = new byte[buffer.readableByteCount()];
                    buffer.read(body);
                    DataBufferUtils.release(buffer);
                    return body;
                })
                .defaultIfEmpty(new byte[0])
                .doOnNext(body -> arrived.set(true))
                .timeout(receiveTimeout)
                .map(body -> {
                    GossipReceiver.Reply busy = place.claim(); // held already if the body was waited for
                    return busy != null ? busy : receiver.push(connection.headers(), body, loopback, connection.local());
                })
                .onErrorResume(DataBufferLimitException.class, e -> Mono.just(receiver.tooLarge()))
                .onErrorResume(TimeoutException.class, e -> Mono.just(receiver.timedOut()));
        // once what came with the headers is read: a body still missing needs one of the places for slow bodies
        Mono<GossipReceiver.Reply> slowAndBusy = Mono.create(sink -> connection.afterWhatArrived().accept(() -> {
            GossipReceiver.Reply busy = arrived.get() ? null : place.awaitBody();
            if (busy != null) {
                sink.success(busy);
            }
        }));
        return Mono.firstWithSignal(pushed, slowAndBusy).doFinally(signal -> place.release()).flatMap(this::render);
    }

    private Mono<ServerResponse> pull(ServerRequest request) {
        Link connection = Link.of(request);
        GossipReceiver.Reply early = receiver.precheckPull(request.headers().contentLength().orElse(0) > 0
                || request.headers().firstHeader("Transfer-Encoding") != null, connection.headers(), connection.isLoopback());
        if (early != null) {
            return render(early);
        }
        GossipReceiver.Place place = receiver.place(connection.remote());
        try {
            GossipReceiver.Reply busy = place.claim();
            return render(busy != null ? busy : receiver.pull(connection.headers(), connection.isLoopback(), connection.local()));
        } finally {
            place.release();
        }
    }

    private Mono<ServerResponse> render(GossipReceiver.Reply reply) {
        ServerResponse.BodyBuilder response = ServerResponse.status(reply.status()).headers(h -> reply.headers().forEach(h::set))
                .contentType(reply.isRefusal() ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON);
        if (reply.isRefusal()) {
            response.header("Connection", "close");
        }
        return response.bodyValue(receiver.body(reply));
    }

    /**
     * What the endpoint needs of the connection rather than of the request: its two ends (null when unknown), the
     * headers as they came, and a way to run a task once what arrived with the headers has been read.
     */
    private record Link(InetSocketAddress local, InetAddress remote, Function<String, String> headers,
            Consumer<Runnable> afterWhatArrived) {

        static Link of(ServerRequest request) {
            Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request.exchange().getRequest());
            Link netty = REACTOR_NETTY ? Netty.of(nativeRequest) : null;
            return netty != null ? netty : new Link(null, null, request.headers()::firstHeader, Runnable::run);
        }

        boolean isLoopback() {
            return GossipReceiver.isLoopback(local == null ? null : local.getAddress(), remote);
        }
    }

    /** Reactor Netty's connection; a class of its own, loaded only when Reactor Netty is there. */
    private static final class Netty {

        /** The link of a Reactor Netty request; null for another server's. */
        static Link of(Object nativeRequest) {
            if (!(nativeRequest instanceof HttpServerRequest request)) {
                return null;
            }
            // a task queued on the connection's event loop runs after the bytes it has read so far are handled
            return new Link(request.connectionHostAddress() instanceof InetSocketAddress local ? local : null,
                    address(request.connectionRemoteAddress()),
                    request.requestHeaders()::get,
                    task -> request.withConnection(connection -> connection.channel().eventLoop().execute(task)));
        }

        private static InetAddress address(SocketAddress address) {
            return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
        }
    }
}
