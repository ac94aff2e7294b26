package dev.videogen.worker.ovi;

import dev.videogen.events.EventJson;
import dev.videogen.worker.storage.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the workers learned about the provider's timing (recent generation times for ETAs, and the moments a result was
 * still not done for {@link PollSchedule}), kept in the object store beside the checkpoints as
 * {@code workers/ovi-timings-{provider}.json}. A worker that starts (a restart, a rolling deploy, a scale-out) takes it
 * over, so its first jobs get the ETA and the aimed polls of a worker that has run for a while instead of learning them
 * again with a missed poll (half a second) each. Every worker writes what it knows at most every
 * {@link #SAVE_EVERY} and when it stops; the last writer wins, which is fine for a hint. A snapshot older than
 * {@link #MAX_AGE}, or of another model, is not taken. Failing to read or write it only costs the head start: it is
 * logged and the worker carries on.
 */
final class SharedTimings {

    private static final Logger log = LoggerFactory.getLogger(SharedTimings.class);

    static final Duration SAVE_EVERY = Duration.ofSeconds(30);
    static final Duration MAX_AGE = Duration.ofHours(1);
    private static final int MAX_BYTES = 64 * 1024;

    /** The file's content. */
    record Snapshot(String model, Instant savedAt, List<Long> generationMillis, List<Long> notDoneMillis) {
    }

    private final ObjectStore store;
    private final String key;
    private final String model;
    private final Executor io;
    private final Clock clock;
    private final AtomicBoolean saving = new AtomicBoolean();
    private volatile boolean changed;
    private volatile Instant lastSave = Instant.MIN;

    SharedTimings(ObjectStore store, String provider, String model, Executor io, Clock clock) {
        this.store = store;
        this.key = "workers/ovi-timings-" + provider + ".json";
        this.model = model;
        this.io = io;
        this.clock = clock;
    }

    String key() {
        return key;
    }

    /** The snapshot to start from: present when one exists, is fresh enough and is about this model. */
    Optional<Snapshot> load() {
        try {
            Optional<Snapshot> found = store.get(store.videosBucket(), key, MAX_BYTES)
                    .map(bytes -> EventJson.read(new String(bytes, StandardCharsets.UTF_8), Snapshot.class));
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Snapshot snapshot = found.get();
            if (!model.equals(snapshot.model()) || snapshot.savedAt() == null
                    || snapshot.savedAt().isBefore(clock.instant().minus(MAX_AGE))) {
                log.info("not starting from {}: it is about {} and from {}", key, snapshot.model(), snapshot.savedAt());
                return Optional.empty();
            }
            return Optional.of(snapshot);
        } catch (RuntimeException e) {
            log.warn("could not read {} (starting without learned timings): {}", key, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Reads the snapshot on the I/O pool and hands it over when there is one to take, so that a slow or absent object
     * store never holds up the worker's start (its first jobs then learn as without a snapshot).
     */
    void loadInBackground(Consumer<Snapshot> startFrom) {
        try {
            io.execute(() -> load().ifPresent(startFrom));
        } catch (RuntimeException e) {
            log.warn("could not read {} (starting without learned timings): {}", key, e.getMessage());
        }
    }

    /** A job taught something: saves the current snapshot in the background if the last save is old enough. */
    void changed(Supplier<Snapshot> current) {
        changed = true;
        if (clock.instant().isBefore(lastSave.plus(SAVE_EVERY)) || !saving.compareAndSet(false, true)) {
            return;
        }
        try {
            io.execute(() -> {
                try {
                    save(current);
                } finally {
                    saving.set(false);
                }
            });
        } catch (RuntimeException e) { // the pool is gone: the worker is stopping, flush() saves
            saving.set(false);
        }
    }

    /** Saves now if anything changed since the last save (the worker is stopping); waits for a save under way. */
    synchronized void flush(Supplier<Snapshot> current) {
        if (changed) {
            save(current);
        }
    }

    private synchronized void save(Supplier<Snapshot> current) {
        changed = false;
        lastSave = clock.instant();
        try {
            Snapshot snapshot = current.get();
            store.put(store.videosBucket(), key, EventJson.write(snapshot).getBytes(StandardCharsets.UTF_8),
                    "application/json");
        } catch (RuntimeException e) {
            changed = true;
            log.warn("could not write {}: {}", key, e.getMessage());
        }
    }

    Snapshot snapshot(long[] generationMillis, long[] notDoneMillis) {
        return new Snapshot(model, clock.instant(), boxed(generationMillis), boxed(notDoneMillis));
    }

    private static List<Long> boxed(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
