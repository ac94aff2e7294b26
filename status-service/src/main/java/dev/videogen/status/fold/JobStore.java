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
import dev.videogen.web.Problems;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The read model in Redis. Writes come from the fold of Kafka records. The request (or the {@code Accepted} event,
 * which carries it) writes the identity fields, the events write the state fields, so the two may arrive in any
 * order. An event applies only if its sequence is above the last applied one and the job is not yet final:
 * duplicates and late events never move a job backwards, and progress never decreases.
 */
@Component
public class JobStore {

    static final String OWNER = "owner";
    static final String DELETED = "deleted";
    private static final String PROMPT = "prompt";
    private static final String CREATED = "createdAt";
    private static final String SEQ = "seq";
    private static final String STATUS = "status";
    private static final String PROGRESS = "progress";
    private static final String STAGE = "stage";
    private static final String ETA = "etaSeconds";
    private static final String ERROR = "error";
    private static final String UPDATED = "updatedAt";

    /**
     * Writes a job's identity atomically, so a concurrent event, delete or replay cannot leave half of it: the first
     * owner stands (a request reusing another owner's jobId changes nothing), the job joins its owner's history, and
     * the queue while no event has moved it past queued. Returns -1 when rejected, else bit 0 = new identity,
     * bit 1 = joined the queue.
     */
    private static final RedisScript<Long> IDENTIFY = RedisScript.of("""
            if redis.call('HGET', KEYS[1], 'deleted') == '1' then return -1 end
            redis.call('HSETNX', KEYS[1], 'owner', ARGV[1])
            if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return -1 end
            local fresh = redis.call('HSETNX', KEYS[1], 'historyMember', ARGV[4])
            redis.call('HSETNX', KEYS[1], 'prompt', ARGV[2])
            redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[3])
            redis.call('HSETNX', KEYS[1], 'updatedAt', ARGV[3])
            local member = redis.call('HGET', KEYS[1], 'historyMember')
            redis.call('ZADD', KEYS[2], 0, member)
            local status = redis.call('HGET', KEYS[1], 'status')
            if status == false or status == 'queued' then
              return fresh + 2 * redis.call('ZADD', KEYS[3], 'NX', tonumber(string.sub(member, 1, 15)), ARGV[5])
            end
            redis.call('ZREM', KEYS[3], ARGV[5])
            return fresh
            """, Long.class);

    /**
     * Marks a job deleted, leaves its owner's history and the queue; returns 1 when it left the queue. Writes the
     * mark even before the job's identity is known (a deletion replayed before its request), so that the identity
     * is then refused. A deletion by someone who is not the owner changes nothing.
     */
    private static final RedisScript<Long> DELETE = RedisScript.of("""
            local owner = redis.call('HGET', KEYS[1], 'owner')
            if owner and owner ~= ARGV[1] then return -1 end
            redis.call('HSET', KEYS[1], 'deleted', '1')
            local member = redis.call('HGET', KEYS[1], 'historyMember')
            if member then redis.call('ZREM', KEYS[2], member) end
            return redis.call('ZREM', KEYS[3], ARGV[2])
            """, Long.class);

    /**
     * Writes an event's changes to a job that is not queued, takes it out of the queue (telling the queue's channel
     * if it was there) and announces its new state, in one round trip. ARGV: jobId, the update's channel, the
     * update, then field/value pairs.
     */
    private static final RedisScript<Long> APPLY_AND_ANNOUNCE = RedisScript.of("""
            if #ARGV > 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 4)) end
            if redis.call('ZREM', KEYS[2], ARGV[1]) > 0 then redis.call('PUBLISH', KEYS[3], ARGV[1]) end
            return redis.call('PUBLISH', ARGV[2], ARGV[3])
            """, Long.class);

    /** What folding one record did. */
    public enum Outcome {
        /** The job changed. */
        APPLIED,
        /** A redelivery of the last applied event: nothing changed, the current state was announced again. */
        DUPLICATE,
        /** Late, after the end, for a deleted job, or a request for a job that already had its identity. */
        IGNORED
    }

    private final StringRedisTemplate redis;
    private final ReactiveStringRedisTemplate reactive;

    public JobStore(StringRedisTemplate redis, ReactiveStringRedisTemplate reactive) {
        this.redis = redis;
        this.reactive = reactive;
    }

    /** Records who asked for what; the job shows as queued until a worker says otherwise. */
    public Outcome applyRequest(GenerationRequested request) {
        Instant createdAt = request.requestedAt() == null ? Instant.now() : request.requestedAt();
        return identify(request.jobId(), request.ownerId(), request.prompt(), createdAt) ? Outcome.APPLIED
                : Outcome.IGNORED;
    }

    /**
     * Applies one event and announces the job's new state on its channel. A redelivery of the last applied event
     * announces the state again and repeats the queue bookkeeping, in case Redis went away between the write and
     * what follows it (the record is retried then, and must not be lost for live streams).
     */
    public Outcome applyEvent(GenerationEvent event) {
        boolean identified = false;
        if (event instanceof GenerationAccepted accepted && accepted.ownerId() != null
                && !accepted.ownerId().isBlank()) {
            // identity holds whatever the order: an Accepted that arrives after later events still names the owner
            identified = identify(accepted.jobId(), accepted.ownerId(), accepted.prompt(),
                    accepted.requestedAt() != null ? accepted.requestedAt()
                            : accepted.occurredAt() != null ? accepted.occurredAt() : Instant.now());
        }
        String jobId = event.jobId();
        String key = JobKeys.job(jobId);
        Map<String, String> current = hash(key);
        if ("1".equals(current.get(DELETED))) {
            return Outcome.IGNORED;
        }
        long seq = parseLong(current.get(SEQ), 0);
        if (event.sequence() == seq) {
            write(jobId, Map.of(), current);
            return Outcome.DUPLICATE;
        }
        if (event.sequence() < seq || isFinal(current.get(STATUS))) {
            return identified ? Outcome.APPLIED : Outcome.IGNORED;
        }
        write(jobId, changesOf(event, current), current);
        return Outcome.APPLIED;
    }

    /**
     * Writes the changes, keeps the queue right and announces the new state. A job that is no longer queued (every
     * event after the first, in practice) takes one round trip to Redis; a queued one needs its rank first.
     */
    private void write(String jobId, Map<String, String> changes, Map<String, String> current) {
        current.putAll(changes);
        if (isQueued(current)) {
            if (!changes.isEmpty()) {
                redis.opsForHash().putAll(JobKeys.job(jobId), changes);
            }
            announce(jobId, current);
            return;
        }
        List<String> args = new ArrayList<>(3 + 2 * changes.size());
        args.add(jobId);
        args.add(JobKeys.updates(jobId));
        args.add(EventJson.write(toStored(jobId, current, null)));
        changes.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        redis.execute(APPLY_AND_ANNOUNCE, List.of(JobKeys.job(jobId), JobKeys.QUEUE, JobKeys.QUEUE_CHANGES),
                args.toArray());
    }

    private static Map<String, String> changesOf(GenerationEvent event, Map<String, String> current) {
        Map<String, String> changes = new HashMap<>();
        changes.put(SEQ, Long.toString(event.sequence()));
        changes.put(UPDATED, event.occurredAt() == null ? Instant.now().toString() : event.occurredAt().toString());
        if (event instanceof GenerationAccepted) {
            if (isQueued(current)) { // a resumed run accepts again; a running job stays running
                changes.put(STAGE, "waiting for a generation slot");
            }
        } else if (event instanceof GenerationStarted) {
            changes.put(STATUS, VideoJob.RUNNING);
            changes.put(STAGE, "starting");
        } else if (event instanceof GenerationSubmitted) {
            changes.put(STATUS, VideoJob.RUNNING);
            changes.put(STAGE, "submitted to the model");
        } else if (event instanceof GenerationProgressed p) {
            changes.put(STATUS, VideoJob.RUNNING);
            changes.put(PROGRESS, Integer.toString(Math.max(parseInt(current.get(PROGRESS), 0), clamp(p.progress()))));
            if (p.stage() != null && !p.stage().isBlank()) {
                changes.put(STAGE, p.stage());
            }
            changes.put(ETA, p.etaSeconds() == null ? "" : Integer.toString(Math.max(0, p.etaSeconds())));
        } else {
            changes.put(ETA, "");
            if (event instanceof GenerationCompleted) {
                changes.put(STATUS, VideoJob.SUCCEEDED);
                changes.put(PROGRESS, "100");
                changes.put(STAGE, "done");
            } else if (event instanceof GenerationFailed f) {
                changes.put(STATUS, VideoJob.FAILED);
                changes.put(STAGE, "failed");
                changes.put(ERROR, EventJson.write(f.error() == null
                        ? new JobError("urn:videogen:problem:generation-failed", "Generation failed", "") : f.error()));
            } else if (event instanceof GenerationCanceled) {
                changes.put(STATUS, VideoJob.CANCELED);
                changes.put(STAGE, "canceled");
            }
        }
        return changes;
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
                    return rank.map(r -> Optional.of(
                            toStored(jobId, fields, r >= 0 ? Integer.valueOf((int) (r + 1)) : null)));
                });
    }

    /** A job's place in the queue (1 = next), or empty when it is not queued. */
    public Mono<Integer> queuePosition(String jobId) {
        return reactive.opsForZSet().rank(JobKeys.QUEUE, jobId).map(rank -> (int) (rank + 1));
    }

    /** The queued jobs in order (the first is next): one read for every position at once. */
    public Mono<List<String>> queue() {
        return reactive.opsForZSet().range(JobKeys.QUEUE, Range.closed(0L, -1L)).collectList();
    }

    /** The job if it exists and belongs to this owner; otherwise a 404 problem (another's job looks missing). */
    public Mono<StoredJob> findOwned(String jobId, String ownerId) {
        return find(jobId)
                .flatMap(Mono::justOrEmpty)
                .filter(stored -> stored.ownedBy(ownerId))
                .switchIfEmpty(Mono.error(() -> Problems.jobNotFound(jobId)));
    }

    /** One page of an owner's history. */
    public record HistoryPage(List<StoredJob> items, String nextMember) {
    }

    /**
     * One page of an owner's history, newest first, after the given history member (exclusive) if any. The next
     * page starts after the last member read, so a job that vanished in between never ends the paging early.
     */
    public Mono<HistoryPage> history(String ownerId, String afterMember, int limit) {
        Range<String> range = afterMember == null ? Range.unbounded()
                : Range.leftUnbounded(Range.Bound.exclusive(afterMember));
        return reactive.opsForZSet().reverseRangeByLex(JobKeys.history(ownerId), range, Limit.limit().count(limit + 1))
                .collectList()
                .flatMap(members -> {
                    List<String> page = members.size() > limit ? members.subList(0, limit) : members;
                    String next = members.size() > limit ? page.get(page.size() - 1) : null;
                    return Flux.fromIterable(page)
                            .flatMapSequential(member -> find(JobKeys.jobIdOf(member)), 8)
                            .flatMap(Mono::justOrEmpty)
                            .filter(stored -> stored.ownedBy(ownerId))
                            .collectList()
                            .map(items -> new HistoryPage(items, next));
                });
    }

    /** Folds a deletion (from the fold thread). */
    public Outcome applyDeletion(JobDeleted deletion) {
        Long result = redis.execute(DELETE, deleteKeys(deletion), deletion.ownerId(), deletion.jobId());
        if (result != null && result > 0) {
            redis.convertAndSend(JobKeys.QUEUE_CHANGES, deletion.jobId());
        }
        return result != null && result >= 0 ? Outcome.APPLIED : Outcome.IGNORED;
    }

    /**
     * Applies a deletion at once for the caller (the media service stops serving the job); the fold applies it
     * again from Kafka, which changes nothing.
     */
    public Mono<Void> delete(JobDeleted deletion) {
        return reactive.execute(DELETE, deleteKeys(deletion), List.of(deletion.ownerId(), deletion.jobId()))
                .next()
                .flatMap(left -> left > 0 ? reactive.convertAndSend(JobKeys.QUEUE_CHANGES, deletion.jobId())
                        : Mono.just(0L))
                .then();
    }

    private static List<String> deleteKeys(JobDeleted deletion) {
        return List.of(JobKeys.job(deletion.jobId()), JobKeys.history(deletion.ownerId()), JobKeys.QUEUE);
    }

    /** Returns whether the identity changed something: a new job, or a job that joined the queue. */
    private boolean identify(String jobId, String ownerId, String prompt, Instant createdAt) {
        String member = JobKeys.historyMember(createdAt.toEpochMilli(), jobId);
        Long result = redis.execute(IDENTIFY, List.of(JobKeys.job(jobId), JobKeys.history(ownerId), JobKeys.QUEUE),
                ownerId, prompt == null ? "" : prompt, createdAt.toString(), member, jobId);
        if (result != null && result >= 0 && (result & 2) != 0) {
            redis.convertAndSend(JobKeys.QUEUE_CHANGES, jobId);
        }
        return result != null && result > 0;
    }

    private void announce(String jobId, Map<String, String> fields) {
        Long rank = isQueued(fields) ? redis.opsForZSet().rank(JobKeys.QUEUE, jobId) : null;
        StoredJob stored = toStored(jobId, fields, rank == null ? null : (int) (rank + 1));
        redis.convertAndSend(JobKeys.updates(jobId), EventJson.write(stored));
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
        Integer position = VideoJob.QUEUED.equals(status) ? queuePosition : null;
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
