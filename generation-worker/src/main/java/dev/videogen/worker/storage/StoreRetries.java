package dev.videogen.worker.storage;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A few quick retries around one blocking object-store call; for the worker's I/O threads only, never an event loop. */
public final class StoreRetries {

    private static final Logger log = LoggerFactory.getLogger(StoreRetries.class);
    private static final int ATTEMPTS = 4;

    private StoreRetries() {
    }

    public static <T> T call(Supplier<T> call) {
        long backoff = 250;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (ObjectStore.StorageException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                log.warn("object store call failed (attempt {} of {}), retrying: {}", attempt, ATTEMPTS, e.getMessage());
                try {
                    TimeUnit.MILLISECONDS.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff *= 2;
            }
        }
    }

    public static void run(Runnable call) {
        call(() -> {
            call.run();
            return null;
        });
    }
}
