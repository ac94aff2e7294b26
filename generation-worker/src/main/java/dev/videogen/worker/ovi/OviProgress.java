package dev.videogen.worker.ovi;

import dev.videogen.worker.generation.GenerationRun;
import dev.videogen.worker.generation.GenerationTimes;
import dev.videogen.worker.ovi.OviClient.QueueStatus;

import java.time.Duration;

/**
 * Turns what the provider says (IN_QUEUE with a position, IN_PROGRESS, COMPLETED) into a progress a person can read:
 * 0-100, never backwards, with a stage and an ETA from how long generations take here lately
 * ({@link GenerationTimes}). While generating, progress follows the elapsed share of the typical time and slows
 * down as it nears it, so a slow generation creeps instead of jumping back or stalling at a false 100.
 */
final class OviProgress {

    private enum Phase { SUBMITTING, RESUMING, QUEUED, GENERATING, FINISHING }

    private final GenerationTimes times;
    private final Duration perQueuePosition;
    private final String provider;
    private Phase phase;
    private Integer queuePosition;
    private long generatingSince;
    private int finishingProgress;
    private String finishingStage;

    OviProgress(GenerationTimes times, Duration perQueuePosition, String provider, boolean resuming) {
        this.times = times;
        this.perQueuePosition = perQueuePosition;
        this.provider = provider;
        this.phase = resuming ? Phase.RESUMING : Phase.SUBMITTING;
    }

    /** Takes one status answer; returns the generation time once it is COMPLETED, if this run saw it start. */
    synchronized void observe(QueueStatus status, long nowNanos) {
        switch (status.status()) {
            case QueueStatus.IN_QUEUE:
                if (phase.ordinal() <= Phase.QUEUED.ordinal()) {
                    phase = Phase.QUEUED;
                    queuePosition = status.queuePosition();
                }
                break;
            case QueueStatus.IN_PROGRESS:
                if (phase != Phase.GENERATING && phase != Phase.FINISHING) {
                    phase = Phase.GENERATING;
                    generatingSince = nowNanos;
                    queuePosition = null;
                }
                break;
            default:
                finishing(90, "fetching the result");
        }
    }

    /** Whether the result may come any moment: generating for 3/4 of the typical time, or state not known yet. */
    synchronized boolean dueSoon(long nowNanos) {
        if (phase == Phase.GENERATING) {
            return nowNanos - generatingSince >= times.typical().toNanos() * 3 / 4;
        }
        return phase == Phase.RESUMING || phase == Phase.FINISHING;
    }

    /** Generation time as this run saw it (first IN_PROGRESS to now), or null if it never saw one. */
    synchronized Duration generatingFor(long nowNanos) {
        return generatingSince == 0 ? null : Duration.ofNanos(nowNanos - generatingSince);
    }

    synchronized void finishing(int progress, String stage) {
        phase = Phase.FINISHING;
        queuePosition = null;
        finishingProgress = Math.max(finishingProgress, progress);
        finishingStage = stage;
    }

    /** Sends the current picture (the job's events keep it monotonic). */
    void report(GenerationRun run, long nowNanos) {
        int progress;
        String stage;
        Integer position;
        int eta;
        synchronized (this) {
            long typical = Math.max(1000, times.typical().toMillis());
            position = queuePosition;
            switch (phase) {
                case SUBMITTING:
                    progress = 1;
                    stage = "submitting to " + provider;
                    eta = seconds(typical);
                    break;
                case RESUMING:
                    progress = 2;
                    stage = "resuming the provider's request";
                    eta = seconds(typical);
                    break;
                case QUEUED:
                    progress = 5;
                    stage = "waiting in the provider's queue";
                    eta = seconds(typical + (position == null ? 0 : position * perQueuePosition.toMillis()));
                    break;
                case GENERATING:
                    double x = (nowNanos - generatingSince) / 1e6 / typical;
                    double f = x < 0.9 ? x : 0.9 + 0.1 * (1 - Math.exp(-(x - 0.9) * 3));
                    progress = 10 + (int) Math.floor(78 * Math.max(0, f));
                    stage = "generating";
                    long left = typical - (nowNanos - generatingSince) / 1_000_000;
                    eta = left > 0 ? seconds(left) + 2 : Math.max(2, seconds(typical / 10));
                    break;
                default:
                    progress = finishingProgress;
                    stage = finishingStage;
                    eta = finishingProgress >= 95 ? 1 : 2;
            }
        }
        run.progressed(progress, stage, position, eta);
    }

    private static int seconds(long millis) {
        return (int) Math.max(1, Math.ceil(millis / 1000.0));
    }
}
