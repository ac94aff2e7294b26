package dev.videogen.status.fold;

import dev.videogen.events.EventJson;
import dev.videogen.events.GenerationAccepted;
import dev.videogen.events.GenerationCanceled;
import dev.videogen.events.GenerationCompleted;
import dev.videogen.events.GenerationEvent;
import dev.videogen.events.GenerationFailed;
import dev.videogen.events.GenerationProgressed;
import dev.videogen.events.GenerationRequested;
import dev.videogen.events.GenerationStarted;
import dev.videogen.events.GenerationSubmitted;
import dev.videogen.events.JobError;
import dev.videogen.events.VideoJob;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import reactor.core.publisher.Mono;

import java.net.URI;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read model in Redis. Writes come from the single-threaded fold of Kafka records; the request and the events
 * of a job write disjoint hash fields, so they may arrive in any order. An event applies only if its sequence is
 * above the last applied one and the job is not yet final: duplicates and late events never move a job backwards.
 */
@Component
public class JobStore {

    private static final String OWNER = "owner";
    private static final String PROMPT = "prompt";
    private static final String CREATED = "createdAt";
    private static final String HISTORY_MEMBER = "historyMember";
    private static final String SEQ = "seq";
    private static final String STATUS = "status";
    private static final String PROGRESS = "progress";
    private static final String STAGE = "stage";
    private static final String PROVIDER_QUEUE = "providerQueuePosition";
    private static final String ETA = "etaSeconds";
    private static final String ERROR = "error";
    private static final String UPDATED = "updatedAt";
    private static final String DELETED = "deleted";

    private final StringRedisTemplate redis;
    private final ReactiveStringRedisTemplate reactive;

    public JobStore(StringRedisTemplate redis, ReactiveStringRedisTemplate reactive) {
        this.redis = redis;
        this.reactive = reactive;
    }

    /** Records who asked for what; the job shows as queued until a worker says otherwise. */
    public void applyRequest(GenerationRequested request) {
        Instant createdAt = request.requestedAt() == null ? Instant.now() : request.requestedAt();
        identify(request.jobId(), request.ownerId(), request.prompt(), createdAt);
    }

    /** Applies one event; returns the job as it now is, or empty when the event changed nothing. */
    public Optional<StoredJob> applyEvent(GenerationEvent event) {
        String key = JobKeys.job(event.jobId());
        Map<String, String> current = hash(key);
        long seq = parseLong(current.get(SEQ), 0);
        if (event.sequence() <= seq || isFinal(current.get(STATUS)) || "1".equals(current.get(DELETED))) {
            return Optional.empty();
        }
        if (event instanceof GenerationAccepted accepted) {
            identify(accepted.jobId(), accepted.ownerId(), accepted.prompt(),
                    accepted.requestedAt() == null ? accepted.occurredAt() : accepted.requestedAt());
        }
        Map<String, String> changes = new HashMap<>();
        changes.put(SEQ, Long.toString(event.sequence()));
        changes.put(UPDATED, event.occurredAt().toString());
        if (event instanceof GenerationAccepted) {
            changes.put(STAGE, "waiting for a generation slot");
        } else if (event instanceof GenerationStarted) {
            changes.put(STATUS, VideoJob.RUNNING);
            changes.put(STAGE, "starting");
        } else if (event instanceof GenerationSubmitted) {
            changes.put(STATUS, VideoJob.RUNNING);
            changes.put(STAGE, "submitted to the model");
        } else if (event instanceof GenerationProgressed p) {
            changes.put(STATUS, VideoJob.RUNNING);
            changes.put(PROGRESS, Integer.toString(Math.max(parseInt(current.get(PROGRESS), 0), clamp(p.progress()))));
            changes.put(STAGE, p.stage());
            changes.put(PROVIDER_QUEUE, p.queuePosition() == null ? "" : p.queuePosition().toString());
            changes.put(ETA, p.etaSeconds() == null ? "" : p.etaSeconds().toString());
        } else {
            changes.put(PROVIDER_QUEUE, "");
            changes.put(ETA, "");
            if (event instanceof GenerationCompleted) {
                changes.put(STATUS, VideoJob.SUCCEEDED);
                changes.put(PROGRESS, "100");
                changes.put(STAGE, "done");
            } else if (event instanceof GenerationFailed f) {
                changes.put(STATUS, VideoJob.FAILED);
                changes.put(STAGE, "failed");
                changes.put(ERROR, EventJson.write(f.error()));
            } else if (event instanceof GenerationCanceled) {
                changes.put(STATUS, VideoJob.CANCELED);
                changes.put(STAGE, "canceled");
            }
        }
        redis.opsForHash().putAll(key, changes);
        if (!(event instanceof GenerationAccepted)) {
            redis.opsForZSet().remove(JobKeys.QUEUE, event.jobId());
        }
        current.putAll(changes);
        Long rank = isQueued(current) ? redis.opsForZSet().rank(JobKeys.QUEUE, event.jobId()) : null;
        return Optional.of(toStored(event.jobId(), current, rank == null ? null : (int) (rank + 1)));
    }

    public Mono<Optional<StoredJob>> find(String jobId) {
        return reactive.<String, String>opsForHash().entries(JobKeys.job(jobId))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(fields -> {
                    if (fields.isEmpty() || "1".equals(fields.get(DELETED)) || fields.get(OWNER) == null) {
                        return Mono.just(Optional.<StoredJob>empty());
                    }
                    Mono<Long> rank = isQueued(fields)
                            ? reactive.opsForZSet().rank(JobKeys.QUEUE, jobId).defaultIfEmpty(-1L)
                            : Mono.just(-1L);
                    return rank.map(r -> Optional.of(toStored(jobId, fields, r >= 0 ? Integer.valueOf((int) (r + 1)) : null)));
                });
    }

    /** One page of an owner's history, newest first, after the given history member (exclusive) if any. */
    public Mono<List<StoredJob>> history(String ownerId, String afterMember, int limit) {
        Range<String> range = afterMember == null ? Range.unbounded()
                : Range.leftUnbounded(Range.Bound.exclusive(afterMember));
        return reactive.opsForZSet().reverseRangeByLex(JobKeys.history(ownerId), range, Limit.limit().count(limit))
                .concatMap(member -> find(member.substring(member.indexOf(':') + 1)))
                .flatMap(Mono::justOrEmpty)
                .filter(stored -> stored.ownedBy(ownerId))
                .collectList();
    }

    /** The history member of a job, which a page cursor points at. */
    public static String historyMemberOf(StoredJob stored) {
        return JobKeys.historyMember(stored.job().createdAt().toEpochMilli(), stored.job().jobId());
    }

    /** The job if it exists and belongs to this owner; otherwise a 404 problem (another's job looks missing). */
    public Mono<StoredJob> findOwned(String jobId, String ownerId) {
        return find(jobId)
                .flatMap(Mono::justOrEmpty)
                .filter(stored -> stored.ownedBy(ownerId))
                .switchIfEmpty(Mono.error(() -> problem(HttpStatus.NOT_FOUND, "job-not-found", "Job not found",
                        "There is no job " + jobId + " of yours.")));
    }

    public static ErrorResponseException problem(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(URI.create("urn:videogen:problem:" + slug));
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }

    /** Removes the job from its owner's history; later events for it are ignored. */
    public Mono<Void> delete(StoredJob stored) {
        String key = JobKeys.job(stored.job().jobId());
        return reactive.<String, String>opsForHash().get(key, HISTORY_MEMBER)
                .flatMap(member -> reactive.opsForZSet().remove(JobKeys.history(stored.ownerId()), member))
                .then(reactive.opsForHash().put(key, DELETED, "1"))
                .then(reactive.opsForZSet().remove(JobKeys.QUEUE, stored.job().jobId()))
                .then();
    }

    private void identify(String jobId, String ownerId, String prompt, Instant createdAt) {
        String key = JobKeys.job(jobId);
        String member = JobKeys.historyMember(createdAt.toEpochMilli(), jobId);
        Boolean fresh = redis.opsForHash().putIfAbsent(key, OWNER, ownerId);
        if (!Boolean.TRUE.equals(fresh)) {
            return; // the first word on who owns a job stands; a duplicate request cannot move it
        }
        redis.opsForHash().putAll(key, Map.of(PROMPT, prompt == null ? "" : prompt, CREATED, createdAt.toString(),
                HISTORY_MEMBER, member));
        redis.opsForHash().putIfAbsent(key, UPDATED, createdAt.toString());
        redis.opsForZSet().add(JobKeys.history(ownerId), member, 0);
        redis.opsForZSet().add(JobKeys.QUEUE, jobId, createdAt.toEpochMilli());
        // an event may have started the job before its request was folded: then it is not queued
        Object status = redis.opsForHash().get(key, STATUS);
        if (status != null && !VideoJob.QUEUED.equals(status)) {
            redis.opsForZSet().remove(JobKeys.QUEUE, jobId);
        }
    }

    private Map<String, String> hash(String key) {
        Map<String, String> fields = new HashMap<>();
        redis.<String, String>opsForHash().entries(key).forEach(fields::put);
        return fields;
    }

    static StoredJob toStored(String jobId, Map<String, String> f, Integer queuePosition) {
        String status = f.getOrDefault(STATUS, VideoJob.QUEUED);
        boolean succeeded = VideoJob.SUCCEEDED.equals(status);
        Instant created = f.get(CREATED) == null ? Instant.parse(f.getOrDefault(UPDATED, Instant.EPOCH.toString()))
                : Instant.parse(f.get(CREATED));
        Integer position = VideoJob.QUEUED.equals(status) ? queuePosition : nullableInt(f.get(PROVIDER_QUEUE));
        var job = new VideoJob(jobId, status, parseInt(f.get(PROGRESS), 0), f.getOrDefault(STAGE, "queued"),
                position, nullableInt(f.get(ETA)), f.getOrDefault(PROMPT, ""), VideoJob.imageUrlOf(jobId),
                succeeded ? VideoJob.videoUrlOf(jobId) : null, succeeded ? VideoJob.posterUrlOf(jobId) : null,
                f.get(ERROR) == null ? null : EventJson.read(f.get(ERROR), JobError.class),
                created, Instant.parse(f.getOrDefault(UPDATED, created.toString())));
        return new StoredJob(f.get(OWNER), parseLong(f.get(SEQ), 0), job);
    }

    private static boolean isQueued(Map<String, String> fields) {
        return VideoJob.QUEUED.equals(fields.getOrDefault(STATUS, VideoJob.QUEUED));
    }

    private static boolean isFinal(String status) {
        return VideoJob.SUCCEEDED.equals(status) || VideoJob.FAILED.equals(status) || VideoJob.CANCELED.equals(status);
    }

    private static int clamp(int progress) {
        return Math.max(0, Math.min(100, progress));
    }

    private static Integer nullableInt(String s) {
        return s == null || s.isEmpty() ? null : Integer.valueOf(s);
    }

    private static int parseInt(String s, int fallback) {
        return s == null || s.isEmpty() ? fallback : Integer.parseInt(s);
    }

    private static long parseLong(String s, long fallback) {
        return s == null || s.isEmpty() ? fallback : Long.parseLong(s);
    }
}
