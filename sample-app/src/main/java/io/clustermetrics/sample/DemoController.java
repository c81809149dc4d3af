package io.clustermetrics.sample;

import io.clustermetrics.sample.WorkService.Stats;
import io.clustermetrics.sample.WorkService.StressResult;
import io.clustermetrics.sample.WorkService.WorkResult;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClientException;
import org.springframework.web.server.ResponseStatusException;

/**
 * The demo API. {@code /work} and {@code /stress} are for people and the dashboard; the {@code /local}
 * variants are what nodes call on each other.
 */
@RestController
public class DemoController {

    private final WorkService work;

    /** Serves {@code work}. */
    public DemoController(WorkService work) {
        this.work = work;
    }

    /**
     * Runs one piece of work on a node chosen by spare capacity, and says which: chosen by the starter's
     * {@code WeightedRoutees} ({@code via=routees}, the default), by Spring Cloud LoadBalancer through a
     * {@code @LoadBalanced} client ({@code via=loadbalancer}), or by the sample's Spring Cloud Gateway and its
     * route {@code lb://sample-app} ({@code via=gateway}; 502 when the gateway does not answer).
     */
    @GetMapping("/work")
    public WorkResult work(@RequestParam(defaultValue = "routees") String via) {
        return switch (via) {
            case "routees" -> work.dispatch();
            case "loadbalancer" -> work.dispatchThroughLoadBalancer();
            case "gateway" -> work.dispatchThroughGateway();
            default -> throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "via must be routees, loadbalancer or gateway, was " + via);
        };
    }

    /** Runs one piece of work on this node. */
    @GetMapping("/work/local")
    public WorkResult workHere() {
        return work.work();
    }

    /** Where this node sent its work, per second over the last minute. */
    @GetMapping("/work/stats")
    public Stats stats() {
        return work.stats();
    }

    /** Burns CPU on {@code node} (default: this one) for {@code seconds}. */
    @PostMapping("/stress")
    public StressResult stress(@RequestParam(required = false) String node,
            @RequestParam(defaultValue = "20") int seconds) {
        return work.stress(node, seconds);
    }

    /** Burns CPU on this node for {@code seconds}. */
    @PostMapping("/stress/local")
    public StressResult stressHere(@RequestParam(defaultValue = "20") int seconds) {
        return work.stressHere(seconds);
    }

    /** A node that could not be reached: 502, with the reason. */
    @ExceptionHandler(RestClientException.class)
    public ProblemDetail unreachable(RestClientException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, String.valueOf(e.getMessage()));
    }
}
