package io.clustermetrics.benchmarks;

import io.clustermetrics.MemorySource;
import io.clustermetrics.OshiProbe;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.software.os.CgroupInfo;

/**
 * Where an {@link OshiProbe} sample's time goes at the production cadence: every OSHI call the probe
 * makes, timed alone, 350 ms after the previous call (so OSHI's 300 ms cache has always expired and nothing
 * is hot, as in a node sampling every second or three), and
 * the whole sample. Prints the median and the maximum in microseconds per call.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.clustermetrics.benchmarks.OshiCallCost [rounds, default 20]</pre>
 */
public final class OshiCallCost {

    private static final int PAUSE_MILLIS = 350;

    private OshiCallCost() {}

    /** Runs the rounds and prints the table. */
    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        SystemInfo system = new SystemInfo();
        CentralProcessor processor = system.getHardware().getProcessor();
        GlobalMemory memory = system.getHardware().getMemory();
        CgroupInfo cgroup = system.getOperatingSystem().getCgroupInfo();
        OshiProbe probe = new OshiProbe(MemorySource.SYSTEM);
        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("OshiProbe.sample (SYSTEM)", () -> probe.sample("http://127.0.0.1:8081", 1));
        calls.put("processor.getSystemCpuLoadTicks", processor::getSystemCpuLoadTicks);
        calls.put("cgroup.getEffectiveCpus", cgroup::getEffectiveCpus);
        calls.put("cgroup.getCpuUsage", cgroup::getCpuUsage);
        calls.put("cgroup.getMemoryLimit", cgroup::getMemoryLimit);
        calls.put("cgroup.getMemoryUsage", cgroup::getMemoryUsage);
        calls.put("memory.getTotal", memory::getTotal);
        calls.put("memory.getAvailable", memory::getAvailable);
        calls.put("processor.getSystemLoadAverage", () -> processor.getSystemLoadAverage(1));
        calls.put("processor.getLogicalProcessorCount", processor::getLogicalProcessorCount);
        Map<String, long[]> nanos = new LinkedHashMap<>();
        calls.keySet().forEach(name -> nanos.put(name, new long[rounds]));
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Supplier<Object>> call : calls.entrySet()) {
                Thread.sleep(PAUSE_MILLIS); // past OSHI's 300 ms cache, whichever call refreshed it
                long start = System.nanoTime();
                call.getValue().get();
                nanos.get(call.getKey())[round] = System.nanoTime() - start;
            }
        }
        System.out.printf("effective cpus %.1f, memory limit %d, %d rounds, a call every %d ms%n",
                cgroup.getEffectiveCpus(), cgroup.getMemoryLimit(), rounds, PAUSE_MILLIS);
        System.out.printf("| call | median µs | max µs |%n|---|---:|---:|%n");
        nanos.forEach((name, times) -> {
            long[] sorted = times.clone();
            Arrays.sort(sorted);
            System.out.printf("| %s | %.0f | %.0f |%n", name, sorted[rounds / 2] / 1e3, sorted[rounds - 1] / 1e3);
        });
    }
}
