package dev.videogen.status.fold;

import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.resource.ClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Looks every few seconds, and whenever a Redis connection is (re)established, whether Redis still holds the read
 * model; the fold rewinds the partitions it lost. Redis being away is not this watch's business: the fold retries.
 */
@Component
class ReadModelWatch implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ReadModelWatch.class);

    private final EventFoldListener fold;
    private final FoldProperties properties;
    private final ObjectProvider<ClientResources> redisResources;
    private ScheduledExecutorService executor;
    private Disposable reconnects;

    ReadModelWatch(EventFoldListener fold, FoldProperties properties, ObjectProvider<ClientResources> redisResources) {
        this.fold = fold;
        this.properties = properties;
        this.redisResources = redisResources;
    }

    @Override
    public synchronized void start() {
        executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "read-model-watch");
            thread.setDaemon(true);
            return thread;
        });
        long every = properties.rebuildCheck().toMillis();
        executor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
        ClientResources resources = redisResources.getIfAvailable();
        if (resources != null) {
            ScheduledExecutorService checks = executor;
            reconnects = resources.eventBus().get()
                    .filter(ConnectionActivatedEvent.class::isInstance)
                    .subscribe(event -> {
                        try {
                            checks.execute(this::check);
                        } catch (RejectedExecutionException stopping) {
                            // shutting down: nothing left to check
                        }
                    });
        }
    }

    private void check() {
        try {
            fold.rewindLostPartitions();
        } catch (RuntimeException e) {
            log.debug("read model check failed: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void stop() {
        if (reconnects != null) {
            reconnects.dispose();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        executor = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
