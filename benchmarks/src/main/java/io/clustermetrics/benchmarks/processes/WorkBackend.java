package io.clustermetrics.benchmarks.processes;

import io.clustermetrics.ApplicationUtilization;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * One backend of the real-process benchmark: a Spring Boot app with the starter whose {@code /work} runs on a
 * pool of {@code bench.workers} threads, each call holding a worker for an exponentially distributed time of
 * mean {@code bench.service-ms} (times the slowdown), so that its capacity is its pool's size whatever the
 * machine's cores. A call that waited longer than {@code bench.deadline-ms} for a worker is answered 503
 * without being served, as a server with a request deadline does, so that an overloaded backend drains.
 * With {@code bench.report-utilization} (the default) it reports the pool's busy share since the last sample
 * as its application utilization.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@RestController
public class WorkBackend {

    private final ExecutorService pool;
    private final int workers;
    private final double serviceMillis;
    private final long deadlineNanos;
    private final String name;
    private final AtomicLong busyNanos = new AtomicLong();
    private volatile double slowdown = 1.0;

    WorkBackend(@Value("${bench.workers}") int workers, @Value("${bench.service-ms:50}") double serviceMillis,
            @Value("${bench.deadline-ms:5000}") long deadlineMillis, @Value("${bench.name}") String name) {
        this.pool = Executors.newFixedThreadPool(workers);
        this.workers = workers;
        this.serviceMillis = serviceMillis;
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        this.name = name;
    }

    /**
     * Holds a worker for the service time and answers this backend's name; 503 (with its name) past the deadline. Asynchronous,
     * so that calls waiting for a worker hold no server thread.
     */
    @GetMapping("/work")
    CompletableFuture<ResponseEntity<String>> work() {
        long queued = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            if (start - queued > deadlineNanos) {
                return ResponseEntity.status(503).body(name); // a deadline missed: named, so that the client counts it
            }
            double millis = -Math.log(1.0 - ThreadLocalRandom.current().nextDouble()) * serviceMillis * slowdown;
            try {
                TimeUnit.NANOSECONDS.sleep((long) (millis * 1e6));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            busyNanos.addAndGet(System.nanoTime() - start);
            return ResponseEntity.ok(name);
        }, pool);
    }

    /** This backend's name: what the benchmark polls until the backend is up. */
    @GetMapping("/control/name")
    String name() {
        return name;
    }

    /** Sets the slowdown factor of the service time (1 is normal). */
    @PostMapping("/control/slowdown")
    String slowdown(@RequestParam double factor) {
        slowdown = factor;
        return name + " x" + factor;
    }

    /** Stops the workers with the app. */
    @PreDestroy
    void stop() {
        pool.shutdownNow();
    }

    /**
     * The pool's busy share since the previous sample: worker time spent serving over the workers' time. A
     * call is counted when it ends, so one window may see a little more than its share: it is capped at 1.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "bench.report-utilization", matchIfMissing = true)
    ApplicationUtilization workPoolUtilization() {
        return new ApplicationUtilization() {
            private long lastBusy;
            private long lastTime = System.nanoTime();

            @Override
            public synchronized double utilization() {
                long now = System.nanoTime();
                long busy = busyNanos.get();
                double share = (double) (busy - lastBusy) / Math.max(1, (now - lastTime) * workers);
                lastBusy = busy;
                lastTime = now;
                return Math.min(1.0, share);
            }

            @Override
            public String toString() {
                return "the work pool's busy share";
            }
        };
    }

    /** Starts a backend; the benchmark passes its port, name, workers and settings as arguments. */
    public static void main(String[] args) {
        SpringApplication.run(WorkBackend.class, args);
    }
}
