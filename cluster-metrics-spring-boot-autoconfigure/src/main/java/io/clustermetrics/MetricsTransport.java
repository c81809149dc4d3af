package io.clustermetrics;

import java.util.function.Consumer;

/** Carries gossip to another node. Implementations must not block the caller for long. */
@FunctionalInterface
public interface MetricsTransport {

    /**
     * Sends {@code pdu} to {@code targetNode}, best effort.
     *
     * @param targetNode the receiver's address
     * @param pdu the message
     */
    void send(String targetNode, MetricsPdu pdu);

    /**
     * Whether {@code targetNode} is worth a message now; a transport backing off from a failing peer says
     * no, and gossip picks another. By default every node is.
     */
    default boolean isAvailable(String targetNode) {
        return true;
    }

    /**
     * Whether {@code targetNode} took the last message sent to it: gossip draws all but one of a round's
     * peers (with a fanout of 1, every other round's) among those that did, so that addresses which never
     * answer (made up, or long gone) cannot starve the live peers. By default every node counts as having
     * answered.
     */
    default boolean hasAnswered(String targetNode) {
        return true;
    }

    /**
     * Asks {@code targetNode} for its view of its service ({@link MetricsObserver}'s pull), best effort:
     * {@code onReply} gets the answer, on any thread, if one comes. By default nothing is asked.
     *
     * @param targetNode the instance's address
     * @param service the service the instance is asked about, which a signed pull is bound to
     * @param onReply told the answer
     */
    default void pull(String targetNode, String service, Consumer<MetricsPdu.View> onReply) {}
}
