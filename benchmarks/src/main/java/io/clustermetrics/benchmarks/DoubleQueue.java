package io.clustermetrics.benchmarks;

/** A growable FIFO of {@code double}s, without boxing. Not thread-safe. */
final class DoubleQueue {

    private double[] items = new double[8];
    private int head;
    private int size;

    void add(double value) {
        if (size == items.length) {
            double[] grown = new double[items.length * 2];
            for (int i = 0; i < size; i++) {
                grown[i] = items[(head + i) & (items.length - 1)];
            }
            items = grown;
            head = 0;
        }
        items[(head + size) & (items.length - 1)] = value;
        size++;
    }

    /** The oldest value; only when not empty. */
    double peek() {
        return items[head];
    }

    /** Removes and returns the oldest value; only when not empty. */
    double poll() {
        double value = items[head];
        head = (head + 1) & (items.length - 1);
        size--;
        return value;
    }

    /** Removes the values at the head that are at most {@code limit}, and returns how many are left. */
    int dropUpTo(double limit) {
        while (size > 0 && items[head] <= limit) {
            poll();
        }
        return size;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
