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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gossip endpoint of a servlet app: {@code POST <gossip.path>} takes a push, {@code GET <gossip.path>} answers
 * an observer's pull, both by the rules of {@link GossipReceiver}; refusals are RFC 9457 problem details whose
 * {@code detail} says why.
 *
 * <p>A servlet of its own rather than a Spring MVC route, so that a slow sender cannot hold the server's threads:
 * what can be refused without the body is refused first (size, loopback, signature headers, and 503 when
 * {@code max-concurrent-requests} bodies are being received already), and the body is then read with the
 * servlet's non-blocking input ({@link ReadListener}), which holds no thread while bytes are awaited, within
 * {@code receive-timeout} (408 after it); a body that arrived whole with the headers, as a peer's does, is read
 * at once. A refused request's connection is closed rather than drained.
 */
public final class GossipServlet extends HttpServlet {

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
        write(response, receiver.pull(request::getHeader, isLoopback(request), local(request)));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean loopback = isLoopback(request);
        GossipReceiver.Reply early = receiver.precheck(request.getContentLengthLong(), request::getHeader, loopback);
        if (early == null) {
            early = receiver.claim();
        }
        if (early != null) {
            write(response, early);
            return;
        }
        long length = request.getContentLengthLong();
        ServletInputStream in = request.getInputStream();
        if (length >= 0 && in.available() >= length) { // the usual case: the whole body came with the headers
            try {
                write(response, receiver.push(request::getHeader, in.readNBytes((int) length), loopback, local(request)));
            } finally {
                receiver.release();
            }
            return;
        }
        AsyncContext async = request.startAsync();
        async.setTimeout(receiveTimeoutMillis);
        AtomicBoolean answered = new AtomicBoolean();
        async.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                receiver.release();
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
        in.setReadListener(new ReadListener() {
            private final ByteArrayOutputStream body = new ByteArrayOutputStream();
            private final byte[] chunk = new byte[8192];

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
    }

    /** Answers once, whichever of the body, the limit and the timeout comes first, and ends the request. */
    private void answer(AsyncContext async, AtomicBoolean answered, GossipReceiver.Reply reply) throws IOException {
        if (answered.compareAndSet(false, true)) {
            try {
                write((HttpServletResponse) async.getResponse(), reply);
            } finally {
                async.complete();
            }
        }
    }

    private void write(HttpServletResponse response, GossipReceiver.Reply reply) throws IOException {
        byte[] body = receiver.body(reply);
        response.setStatus(reply.status());
        reply.headers().forEach(response::setHeader);
        if (reply.isRefusal()) {
            response.setHeader("Connection", "close"); // a refused sender's remaining body is not worth draining
        }
        response.setContentType(reply.isRefusal() ? "application/problem+json" : "application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Both ends loopback; the local address first: the socket's, a literal, so a forwarded name is never looked up. */
    private static boolean isLoopback(HttpServletRequest request) {
        InetAddress local = address(request.getLocalAddr());
        return local != null && local.isLoopbackAddress() && GossipReceiver.isLoopback(local, address(request.getRemoteAddr()));
    }

    /** The connection's local end: the socket's address, a literal, and port. */
    private static InetSocketAddress local(HttpServletRequest request) {
        InetAddress local = address(request.getLocalAddr());
        return local == null ? null : new InetSocketAddress(local, request.getLocalPort());
    }

    private static InetAddress address(String address) {
        try {
            return address == null ? null : InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
