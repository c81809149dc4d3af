package io.clustermetrics.actuate;

import io.clustermetrics.ApplicationUtilization;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;

/**
 * The application's utilization from Micrometer gauges: one gauge's value, or a busy count over a capacity
 * ({@code tomcat.threads.busy / tomcat.threads.config.max}, {@code executor.active / executor.pool.max}).
 * The values of every gauge with the name and tags are added up. A missing gauge, or a capacity that is not
 * positive, throws {@link IllegalStateException} with what was looked for.
 */
public final class MeterUtilization implements ApplicationUtilization {

    private final MeterRegistry registry;
    private final String meter;
    private final String capacityMeter;
    private final Tags tags;

    /**
     * @param registry where the gauges are registered
     * @param meter the gauge giving the utilization, or the busy count when {@code capacityMeter} is set
     * @param capacityMeter the gauge the busy count is divided by; null for none
     * @param tags the tags both gauges must carry
     */
    public MeterUtilization(MeterRegistry registry, String meter, String capacityMeter, Tags tags) {
        this.registry = registry;
        this.meter = meter;
        this.capacityMeter = capacityMeter;
        this.tags = tags;
    }

    @Override
    public double utilization() {
        double busy = sum(meter);
        if (capacityMeter == null) {
            return busy;
        }
        double capacity = sum(capacityMeter);
        if (!(capacity > 0)) {
            throw new IllegalStateException("The gauge " + capacityMeter + tags + " is " + capacity
                    + ", not a capacity to divide " + meter + " by");
        }
        return busy / capacity;
    }

    private double sum(String name) {
        Collection<Gauge> gauges = registry.find(name).tags(tags).gauges();
        if (gauges.isEmpty()) {
            throw new IllegalStateException("There is no gauge " + name + (Tags.empty().equals(tags) ? "" : " with tags " + tags)
                    + " in the MeterRegistry");
        }
        return gauges.stream().mapToDouble(Gauge::value).sum();
    }

    @Override
    public String toString() {
        return "the gauge " + meter + (capacityMeter == null ? "" : " / " + capacityMeter)
                + (Tags.empty().equals(tags) ? "" : " " + tags);
    }
}
