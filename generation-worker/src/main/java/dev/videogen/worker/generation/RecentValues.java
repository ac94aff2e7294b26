package dev.videogen.worker.generation;

/**
 * The last {@code capacity} values added, oldest first: the window that {@link GenerationTimes} (generation times)
 * and the Ovi poll schedule (moments a result was still not done) learn from, and share with other workers. Not
 * thread-safe: its owners hold it under their own lock.
 */
public final class RecentValues {

    private final long[] values;
    private int count;
    private int nextSlot;

    public RecentValues(int capacity) {
        this.values = new long[capacity];
    }

    public void add(long value) {
        values[nextSlot] = value;
        nextSlot = (nextSlot + 1) % values.length;
        count = Math.min(values.length, count + 1);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** A copy of the values held, oldest first. */
    public long[] oldestFirst() {
        long[] recent = new long[count];
        for (int i = 0; i < count; i++) {
            recent[i] = values[(nextSlot - count + i + values.length) % values.length];
        }
        return recent;
    }

    /**
     * Starts from the values another window held ({@link #oldestFirst()}), taking the positive ones; ignored once this
     * one holds any.
     *
     * @return whether any were taken
     */
    public boolean seed(long[] oldestFirst) {
        if (!isEmpty()) {
            return false;
        }
        for (long value : oldestFirst) {
            if (value > 0) {
                add(value);
            }
        }
        return !isEmpty();
    }
}
