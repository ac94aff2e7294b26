package dev.videogen.worker.generation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.MDC;
import reactor.core.publisher.Signal;
import reactor.util.context.ContextView;

import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One job's trace and its jobId for the logs. A job runs on many threads after the listener that took its request has
 * returned, so neither the listener's observation nor an MDC entry is still in place when its later events are sent or
 * its later lines are logged: this carries both explicitly. Every event the job publishes is sent inside {@link #call},
 * so its record's {@code traceparent} continues the trace of the request record, and every line logged inside it has
 * the job's trace id and jobId.
 */
public final class JobScope {

    /** The MDC key of the job a log line is about, in every service. */
    public static final String MDC_KEY = "jobId";

    /** The observation's name: one span per job run on a worker, a child of the span that received its request. */
    public static final String OBSERVATION = "videogen.worker.job";

    private final String jobId;
    private final Observation observation;
    private final ObservationRegistry registry;

    private JobScope(String jobId, Observation observation, ObservationRegistry registry) {
        this.jobId = jobId;
        this.observation = observation;
        this.registry = registry;
    }

    /**
     * Starts the job's observation as a child of the current one (the listener's, which continues the request
     * record's trace; with none, a new trace). The jobId is a high-cardinality value: on the span, never a metric tag.
     */
    public static JobScope start(String jobId, ObservationRegistry registry) {
        Observation observation = Observation.createNotStarted(OBSERVATION, registry)
                .contextualName("job")
                .highCardinalityKeyValue("videogen.job.id", jobId)
                .parentObservation(registry.getCurrentObservation())
                .start();
        return new JobScope(jobId, observation, registry);
    }

    /** A scope without a trace of its own (tests and callers without an observation registry). */
    public static JobScope untraced(String jobId) {
        return new JobScope(jobId, Observation.NOOP, ObservationRegistry.NOOP);
    }

    public String jobId() {
        return jobId;
    }

    /** Ends the job's span; once, when the job leaves this worker. */
    public void stop() {
        observation.stop();
    }

    public <T> T call(Supplier<T> body) {
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, jobId);
        try (Observation.Scope ignored = open()) {
            return body.get();
        } finally {
            restore(previous);
        }
    }

    public void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }

    public <T> Callable<T> wrap(Callable<T> body) {
        return () -> {
            String previous = MDC.get(MDC_KEY);
            MDC.put(MDC_KEY, jobId);
            try (Observation.Scope ignored = open()) {
                return body.call();
            } finally {
                restore(previous);
            }
        };
    }

    /** The scope a job's Reactor pipeline carries in its context ({@code contextWrite(scope::into)}), if any. */
    public static JobScope from(ContextView context) {
        return context.getOrDefault(JobScope.class, null);
    }

    public reactor.util.context.Context into(reactor.util.context.Context context) {
        return context.put(JobScope.class, this);
    }

    /** For {@code doOnEach}: runs the action on each value inside the job's scope found in the pipeline's context. */
    public static <T> Consumer<Signal<T>> onNext(Consumer<T> action) {
        return signal -> {
            if (!signal.isOnNext()) {
                return;
            }
            JobScope scope = from(signal.getContextView());
            if (scope == null) {
                action.accept(signal.get());
            } else {
                scope.run(() -> action.accept(signal.get()));
            }
        };
    }

    /** Runs the action inside the scope in the context, or as it is when there is none. */
    public static void runIn(ContextView context, Runnable action) {
        JobScope scope = from(context);
        if (scope == null) {
            action.run();
        } else {
            scope.run(action);
        }
    }

    /** Opens the observation's scope on this thread unless it is open here already (scopes of one do not nest). */
    private Observation.Scope open() {
        return registry.getCurrentObservation() == observation ? Observation.Scope.NOOP : observation.openScope();
    }

    private static void restore(String previous) {
        if (previous == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, previous);
        }
    }
}
