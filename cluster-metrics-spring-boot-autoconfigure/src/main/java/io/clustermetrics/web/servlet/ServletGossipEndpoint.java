package io.clustermetrics.web.servlet;

import io.clustermetrics.wire.GossipReceiver;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The gossip endpoint of a servlet (Spring MVC) app: {@code POST <gossip.path>} takes a push, {@code GET
 * <gossip.path>} answers an observer's pull, both by the rules of {@link GossipReceiver}. Refusals are RFC 9457
 * problem details whose {@code detail} says why.
 */
public final class ServletGossipEndpoint {

    private final GossipReceiver receiver;

    /** Serves {@code receiver}'s answers. */
    public ServletGossipEndpoint(GossipReceiver receiver) {
        this.receiver = receiver;
    }

    /** The routes: {@code POST} and {@code GET} on {@code path}. */
    public RouterFunction<ServerResponse> routes(String path) {
        return RouterFunctions.route().POST(path, this::push).GET(path, this::pull).build();
    }

    private ServerResponse push(ServerRequest request) throws IOException {
        HttpServletRequest servlet = request.servletRequest();
        GossipReceiver.Reply tooLarge = receiver.checkLength(servlet.getContentLengthLong());
        if (tooLarge != null) {
            return render(tooLarge);
        }
        byte[] body = servlet.getInputStream().readNBytes(receiver.maxBodyBytes() + 1);
        return render(receiver.push(request.headers()::firstHeader, body, isLoopback(servlet)));
    }

    private ServerResponse pull(ServerRequest request) {
        return render(receiver.pull(request.headers()::firstHeader, isLoopback(request.servletRequest())));
    }

    /** Both ends loopback; the local address first: the socket's, a literal, so a forwarded name is never looked up. */
    private static boolean isLoopback(HttpServletRequest servlet) {
        InetAddress local = address(servlet.getLocalAddr());
        return local != null && local.isLoopbackAddress() && GossipReceiver.isLoopback(local, address(servlet.getRemoteAddr()));
    }

    private static InetAddress address(String address) {
        try {
            return address == null ? null : InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static ServerResponse render(GossipReceiver.Reply reply) {
        ServerResponse.BodyBuilder response = ServerResponse.status(reply.status()).headers(h -> reply.headers().forEach(h::set));
        if (!reply.isRefusal()) {
            return response.contentType(MediaType.APPLICATION_JSON).body(reply.json());
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(reply.status()), reply.detail());
        reply.properties().forEach(problem::setProperty);
        return response.contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
