package io.clustermetrics.web.servlet;

import io.clustermetrics.wire.GossipReceiver;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gossip endpoint of a servlet app: {@code POST <gossip.path>} takes a push, {@code GET <gossip.path>} answers
 * an observer's pull, both by the rules of {@link GossipReceiver}; refusals are RFC 9457 problem details whose
 * {@code detail} says why.
 *
 * <p>A servlet of its own rather than a Spring MVC route, so that a slow sender cannot hold the server's threads:
 * what can be refused without the body is refused first (size, loopback and forwarding headers, signature
 * headers); a body that arrived whole with the headers, as a peer's does, is read at once, and any other with the
 * servlet's non-blocking input ({@link ReadListener}), which holds no thread while bytes are awaited, within
 * {@code receive-timeout} (408 after it). Each request takes a place of {@code max-concurrent-requests}
 * ({@link GossipReceiver#place}), pulls included: 503 when none is free for its sender. A refused request's
 * connection is closed rather than drained: on Tomcat through {@link TomcatGossipValve} ({@link #CLOSE_ATTRIBUTE}),
 * which also gives the connection's own remote address.
 */
public final class GossipServlet extends HttpServlet {

    /**
     * The request attribute under which the server may put a {@link Runnable} that closes the connection after
     * the answer without reading the rest of the body ({@link TomcatGossipValve} does); run on every refusal.
     */
    public static final String CLOSE_ATTRIBUTE = GossipServlet.class.getName() + ".close";

    /**
     * The request attribute under which the server may put the connection's own remote address, a literal, where
     * {@code getRemoteAddr()} may be taken from forwarding headers ({@link TomcatGossipValve} does).
     */
    public static final String PEER_ATTRIBUTE = GossipServlet.class.getName() + ".peer";

    private final transient GossipReceiver receiver;
    private final long receiveTimeoutMillis;

    /**
     * @param receiver the rules
     * @param receiveTimeout how long a body may take to arrive
     */
    public GossipServlet(GossipReceiver receiver, Duration receiveTimeout) {
        this.receiver = receiver;
        this.receiveTimeoutMillis = receiveTimeout.toMillis();
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean loopback = isLoopback(request);
        GossipReceiver.Reply early = receiver.precheckPull(request.getContentLengthLong() > 0
                || request.getHeader("Transfer-Encoding") != null, request::getHeader, loopback);
        if (early != null) {
            write(request, response, early);
            return;
        }
        GossipReceiver.Place place = receiver.place(address(peer(request)));
        try {
            GossipReceiver.Reply busy = place.claim();
            write(request, response, busy != null ? busy : receiver.pull(request::getHeader, loopback, local(request)));
        } finally {
            place.release();
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean loopback = isLoopback(request);
        GossipReceiver.Reply early = receiver.precheck(request.getContentLengthLong(), request::getHeader, loopback);
        if (early != null) {
            write(request, response, early);
            return;
        }
        GossipReceiver.Place place = receiver.place(address(peer(request)));
        boolean handedOver = false; // to the async listener, which releases the place once the request is done
        try {
            long length = request.getContentLengthLong();
            ServletInputStream in = request.getInputStream();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            // what came with the headers (a declared length only: a chunked body's framing could block a read):
            // available() says whether a byte is buffered, and reading what is buffered does not block
            while (length > 0 && body.size() < length && in.available() > 0) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, length - body.size()));
                if (n < 0) {
                    break;
                }
                body.write(chunk, 0, n);
            }
            if (length >= 0 && body.size() >= length) { // the usual case: the whole body came with the headers
                GossipReceiver.Reply busy = place.claim();
                write(request, response, busy != null ? busy : receiver.push(request::getHeader, body.toByteArray(), loopback, local(request)));
                return;
            }
            GossipReceiver.Reply busy = place.awaitBody();
            if (busy != null) {
                write(request, response, busy);
                return;
            }
            if (!request.isAsyncSupported()) {
                write(request, response, new GossipReceiver.Reply(500, null, "the body did not come with the headers, and "
                        + "this endpoint cannot wait for it without holding a thread: a filter on its path is not "
                        + "async-supported", Map.of(), Map.of()));
                return;
            }
            AsyncContext async = request.startAsync();
            async.setTimeout(receiveTimeoutMillis);
            AtomicBoolean answered = new AtomicBoolean();
            async.addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    place.release();
                }

                @Override
                public void onTimeout(AsyncEvent event) throws IOException {
                    answer(async, answered, receiver.timedOut());
                }

                @Override
                public void onError(AsyncEvent event) {
                    async.complete();
                }

                @Override
                public void onStartAsync(AsyncEvent event) {}
            });
            handedOver = true;
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() throws IOException {
                    while (in.isReady() && !in.isFinished()) {
                        int n = in.read(chunk);
                        if (n < 0) {
                            return;
                        }
                        body.write(chunk, 0, n);
                        if (body.size() > receiver.maxBodyBytes()) {
                            answer(async, answered, receiver.tooLarge());
                            return;
                        }
                    }
                }

                @Override
                public void onAllDataRead() throws IOException {
                    answer(async, answered, receiver.push(request::getHeader, body.toByteArray(), loopback, local(request)));
                }

                @Override
                public void onError(Throwable t) {
                    async.complete();
                }
            });
        } finally {
            if (!handedOver) {
                place.release();
            }
        }
    }

    /** Answers once, whichever of the body, the limit and the timeout comes first, and ends the request. */
    private void answer(AsyncContext async, AtomicBoolean answered, GossipReceiver.Reply reply) throws IOException {
        if (answered.compareAndSet(false, true)) {
            try {
                write((HttpServletRequest) async.getRequest(), (HttpServletResponse) async.getResponse(), reply);
            } finally {
                async.complete();
            }
        }
    }

    private void write(HttpServletRequest request, HttpServletResponse response, GossipReceiver.Reply reply) throws IOException {
        byte[] body = receiver.body(reply);
        response.setStatus(reply.status());
        reply.headers().forEach(response::setHeader);
        if (reply.isRefusal()) {
            response.setHeader("Connection", "close"); // a refused sender's remaining body is not worth reading
            if (request.getAttribute(CLOSE_ATTRIBUTE) instanceof Runnable close) {
                close.run();
            }
        }
        response.setContentType(reply.isRefusal() ? "application/problem+json" : "application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The connection's remote address: the server's own where it gives it, else the request's. */
    private static String peer(HttpServletRequest request) {
        return request.getAttribute(PEER_ATTRIBUTE) instanceof String peer ? peer : request.getRemoteAddr();
    }

    /** The connection's local end: the socket's address, a literal, and port. */
    private static InetSocketAddress local(HttpServletRequest request) {
        InetAddress local = address(request.getLocalAddr());
        return local == null ? null : new InetSocketAddress(local, request.getLocalPort());
    }

    /**
     * Both ends loopback, and the remote address not rewritten from forwarding headers (by the server or a filter,
     * which then differs from the connection's).
     */
    private static boolean isLoopback(HttpServletRequest request) {
        InetAddress local = address(request.getLocalAddr());
        String peer = peer(request);
        return local != null && local.isLoopbackAddress() && peer.equals(request.getRemoteAddr())
                && GossipReceiver.isLoopback(local, address(peer));
    }

    /** An address literal, parsed; null for anything else, so that no name (a forwarded one, say) is looked up. */
    private static InetAddress address(String address) {
        if (address == null || !(address.matches("[0-9.]+") || address.contains(":") && address.matches("[0-9a-fA-F:.%]+"))) {
            return null;
        }
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
