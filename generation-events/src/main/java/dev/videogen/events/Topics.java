package dev.videogen.events;

/** Kafka topic and header names of the contract. Every record is keyed by jobId so a job's messages stay in order. */
public final class Topics {

    /** Generation requests ({@link GenerationRequested}), from the gateway or any other producer. */
    public static final String REQUESTED = "videogen.generation.requested";

    /** Lifecycle events of every job ({@link GenerationEvent}). */
    public static final String EVENTS = "videogen.generation.events";

    /** Requests that could not be read; original key and headers kept. */
    public static final String REQUESTED_DLT = "videogen.generation.requested-dlt";

    /** Commands to running jobs ({@link CancelRequested}), compacted, keyed by jobId. */
    public static final String COMMANDS = "videogen.generation.commands";

    /**
     * Configuration of {@link #COMMANDS}, the same wherever it is declared (worker and status-service): compacted to
     * the last command per job, and commands older than a week dropped (no job runs that long).
     */
    public static final java.util.Map<String, String> COMMANDS_CONFIG = java.util.Map.of(
            "cleanup.policy", "compact,delete",
            "retention.ms", Long.toString(java.time.Duration.ofDays(7).toMillis()));

    /** Partitions of the requested topic: the ceiling on workers that can share the load. */
    public static final int REQUESTED_PARTITIONS = 12;

    private Topics() {
    }
}
