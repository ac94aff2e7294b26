package dev.videogen.worker.generation;

/** How a job run ended; every value but {@link #SKIPPED} means its terminal event is in Kafka. */
public enum Outcome {
    SUCCEEDED, FAILED, CANCELED,
    /** The job had already finished; the redelivered request was skipped. */
    SKIPPED;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
