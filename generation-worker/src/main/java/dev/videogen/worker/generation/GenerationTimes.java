package dev.videogen.worker.generation;

import java.time.Duration;
import java.util.Arrays;

/**
 * How long generations take here lately: the median of the last 50 measured generation times, or a default until the
 * first one is measured. Feeds the ETA of every running job. Thread-safe.
 */
public final class GenerationTimes {

    static final int WINDOW = 50;

    private final Duration fallback;
    private final long[] millis = new long[WINDOW];
    private int count;
    private int nextSlot;

    public GenerationTimes(Duration fallback) {
        this.fallback = fallback;
    }

    public synchronized void record(Duration took) {
        if (took.isNegative() || took.isZero()) {
            return;
        }
        millis[nextSlot] = took.toMillis();
        nextSlot = (nextSlot + 1) % WINDOW;
        count = Math.min(WINDOW, count + 1);
    }

    /** The recent generation times in milliseconds, oldest first. */
    public synchronized long[] recentMillis() {
        long[] recent = new long[count];
        for (int i = 0; i < count; i++) {
            recent[i] = millis[(nextSlot - count + i + WINDOW) % WINDOW];
        }
        return recent;
    }

    /**
     * Starts from generation times another worker measured ({@link #recentMillis()}, oldest first). Ignored once this
     * one has measured any itself.
     *
     * @return whether the times were taken
     */
    public synchronized boolean seed(long[] recent) {
        if (count > 0) {
            return false;
        }
        for (long took : recent) {
            record(Duration.ofMillis(took));
        }
        return count > 0;
    }

    /** The median of the recent generation times, or the default when none has been measured yet. */
    public synchronized Duration typical() {
        if (count == 0) {
            return fallback;
        }
        long[] recent = Arrays.copyOf(millis, count);
        Arrays.sort(recent);
        long median = count % 2 == 1 ? recent[count / 2] : (recent[count / 2 - 1] + recent[count / 2]) / 2;
        return Duration.ofMillis(median);
    }
}
