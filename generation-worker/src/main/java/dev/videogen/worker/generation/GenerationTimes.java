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
    private final RecentValues millis = new RecentValues(WINDOW);

    public GenerationTimes(Duration fallback) {
        this.fallback = fallback;
    }

    public synchronized void record(Duration took) {
        if (took.isNegative() || took.isZero()) {
            return;
        }
        millis.add(took.toMillis());
    }

    /** The recent generation times in milliseconds, oldest first. */
    public synchronized long[] recentMillis() {
        return millis.oldestFirst();
    }

    /**
     * Starts from generation times another worker measured ({@link #recentMillis()}, oldest first). Ignored once this
     * one has measured any itself.
     *
     * @return whether the times were taken
     */
    public synchronized boolean seed(long[] recent) {
        return millis.seed(recent);
    }

    /** The median of the recent generation times, or the default when none has been measured yet. */
    public synchronized Duration typical() {
        if (millis.isEmpty()) {
            return fallback;
        }
        long[] recent = millis.oldestFirst();
        Arrays.sort(recent);
        int count = recent.length;
        long median = count % 2 == 1 ? recent[count / 2] : (recent[count / 2 - 1] + recent[count / 2]) / 2;
        return Duration.ofMillis(median);
    }
}
