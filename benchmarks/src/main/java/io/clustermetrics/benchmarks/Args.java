package io.clustermetrics.benchmarks;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code key=value} command-line arguments, each with a default. */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("arguments are key=value, was " + arg);
            }
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
    }

    int integer(String key, int otherwise) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : otherwise;
    }

    long longValue(String key, long otherwise) {
        return values.containsKey(key) ? Long.parseLong(values.get(key)) : otherwise;
    }

    double decimal(String key, double otherwise) {
        return values.containsKey(key) ? Double.parseDouble(values.get(key)) : otherwise;
    }

    /** A comma-separated list; empty for {@code key=}. */
    int[] integers(String key, int... otherwise) {
        return values.containsKey(key)
                ? Arrays.stream(values.get(key).split(",")).filter(v -> !v.isBlank()).mapToInt(Integer::parseInt).toArray()
                : otherwise;
    }

    /** A comma-separated list; empty for {@code key=}. */
    double[] decimals(String key, double... otherwise) {
        return values.containsKey(key)
                ? Arrays.stream(values.get(key).split(",")).filter(v -> !v.isBlank()).mapToDouble(Double::parseDouble).toArray()
                : otherwise;
    }

    /** A comma-separated list of an enum's constant names; every constant when absent. */
    <E extends Enum<E>> Set<E> constants(String key, Class<E> type) {
        Set<E> all = EnumSet.allOf(type);
        if (!values.containsKey(key)) {
            return all;
        }
        Set<E> chosen = EnumSet.noneOf(type);
        for (String name : values.get(key).split(",")) {
            chosen.add(Enum.valueOf(type, name.trim()));
        }
        return chosen;
    }
}
