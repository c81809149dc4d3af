package io.clustermetrics.web.servlet;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * Gives the {@link GossipServlet} on Tomcat what the servlet API does not: the connection's own remote address
 * ({@link GossipServlet#PEER_ATTRIBUTE}, which forwarding headers cannot rewrite), and a way to close a refused
 * request's connection without reading the rest of its body ({@link GossipServlet#CLOSE_ATTRIBUTE}). Without
 * it, Tomcat reads a refused body to its end after the answer, {@code Connection: close} or not, in a worker
 * thread: a sender trickling a declared body would hold one thread each.
 */
public final class TomcatGossipValve extends ValveBase {

    private final String servletName;

    /** @param servletName the name the gossip servlet is registered under; other requests pass untouched */
    public TomcatGossipValve(String servletName) {
        super(true);
        this.servletName = servletName;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Wrapper wrapper = request.getWrapper();
        if (wrapper != null && servletName.equals(wrapper.getName())) {
            request.setAttribute(GossipServlet.PEER_ATTRIBUTE, request.getPeerAddr());
            request.setAttribute(GossipServlet.CLOSE_ATTRIBUTE, (Runnable) () -> {
                request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
                response.setErrorReported(); // the refusal written is the answer: no error page in its place
            });
        }
        getNext().invoke(request, response);
    }
}
