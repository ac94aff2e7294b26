package dev.videogen.media.delivery;

import dev.videogen.media.cache.MediaCache;
import dev.videogen.web.Problems;
import dev.videogen.media.storage.MediaKeys;
import dev.videogen.media.storage.MediaStore;
import dev.videogen.media.storage.MediaStore.ObjectInfo;
import dev.videogen.media.transport.TcpCork;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ZeroCopyHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Videos and posters with the caching and range semantics of a CDN edge (RFC 9110): strong ETag, Last-Modified,
 * conditional requests (304, 412), single byte ranges (206, 416), If-Range. Only the owner gets the bytes; anyone
 * else gets the same 404 as for a missing job, checked on every request. The body is sent with {@code sendfile} from
 * the local cache's copy when there is one, else streamed from the object store as the client reads it (and a copy
 * is made for the next requests).
 */
@RestController
class MediaController {

    static final String OWNER_HEADER = "X-Videogen-Owner";

    private static final String CACHE = CacheControl.maxAge(Duration.ofDays(1)).cachePrivate().getHeaderValue();
    private static final MediaType VIDEO_MP4 = MediaType.valueOf("video/mp4");
    private static final int FALLBACK_CHUNK = 64 * 1024;
    private static final int MAX_VALIDATORS = 4096;

    private final MediaStore store;
    /** The store's answers about objects, one request for all who ask at once. */
    private final SharedStats stats;
    private final MediaCache cache;
    private final OwnershipCheck ownership;
    private final TcpCork cork;
    private final MeterRegistry meters;
    private final Clock clock;
    /** The download timers by media, part and outcome, registered once rather than looked up per response. */
    private final Map<String, Timer> downloadTimers = new ConcurrentHashMap<>();
    /** An object's validators (ETag, Last-Modified), worked out once per object rather than per request. */
    private final Map<ObjectInfo, Validators> validators = new ConcurrentHashMap<>();

    /** The preconditions to evaluate, and the header values of the validators, formatted once. */
    private record Validators(Preconditions preconditions, String etag, String lastModified) {
        static Validators of(ObjectInfo info) {
            Preconditions preconditions = new Preconditions(entityTag(info),
                    info.lastModified().truncatedTo(ChronoUnit.SECONDS));
            HttpHeaders formatted = new HttpHeaders();
            formatted.setETag(preconditions.etag());
            formatted.setLastModified(preconditions.lastModified());
            return new Validators(preconditions, formatted.getETag(), formatted.getFirst(HttpHeaders.LAST_MODIFIED));
        }
    }

    MediaController(MediaStore store, MediaCache cache, OwnershipCheck ownership, TcpCork cork, MeterRegistry meters) {
        this.store = store;
        this.stats = new SharedStats(store::stat);
        this.cache = cache;
        this.ownership = ownership;
        this.cork = cork;
        this.meters = meters;
        this.clock = Clock.systemUTC();
        for (String media : new String[] {"video", "poster"}) {
            for (String part : new String[] {"whole", "partial"}) {
                for (String outcome : new String[] {"complete", "canceled", "error"}) {
                    downloadTimers.put(media + part + outcome, downloadTime(media, part, outcome));
                }
            }
        }
    }

    /** Where a response's bytes come from: the object's validators and a way to send a part of it. */
    private sealed interface Found {
        ObjectInfo info();

        Mono<Void> send(ServerHttpResponse response, long start, long length);

        default void release() {
        }
    }

    /** Streamed from the store; the first read of the bytes (not a HEAD, a 304 or an error) starts a copy. */
    private record FromStore(MediaStore store, MediaCache cache, String key, ObjectInfo info) implements Found {
        @Override
        public Mono<Void> send(ServerHttpResponse response, long start, long length) {
            cache.fill(key, info);
            return response.writeWith(store.read(key, start, length, response.bufferFactory()));
        }
    }

    private record FromCache(MediaCache.Lease lease) implements Found {
        @Override
        public ObjectInfo info() {
            return lease.info();
        }

        @Override
        public Mono<Void> send(ServerHttpResponse response, long start, long length) {
            if (response instanceof ZeroCopyHttpOutputMessage zeroCopy) {
                return zeroCopy.writeWith(lease.file(), start, length); // sendfile: no copy through the JVM
            }
            // a decorated response (none in this service today) cannot sendfile: read the file in chunks instead
            return response.writeWith(DataBufferUtils.takeUntilByteCount(DataBufferUtils.readAsynchronousFileChannel(
                    () -> AsynchronousFileChannel.open(lease.file(), StandardOpenOption.READ), start,
                    response.bufferFactory(), FALLBACK_CHUNK), length));
        }

        @Override
        public void release() {
            lease.close();
        }
    }

    private record Media(String jobId, String key, MediaType type, String extension, String what) {
        String fileName() {
            return "videogen-" + jobId.replaceAll("[^A-Za-z0-9._-]", "_") + "." + extension;
        }
    }

    /** GET and HEAD normally arrive through {@link MediaRoute}; the mapping answers the other methods (405, OPTIONS). */
    @RequestMapping(path = "/api/video-blob/{jobId}", method = {RequestMethod.GET, RequestMethod.HEAD})
    Mono<Void> video(@PathVariable String jobId, ServerWebExchange exchange) {
        return serve(new Media(jobId, MediaKeys.video(jobId), VIDEO_MP4, "mp4", "video"), exchange);
    }

    @RequestMapping(path = "/api/video-blob/{jobId}/poster", method = {RequestMethod.GET, RequestMethod.HEAD})
    Mono<Void> poster(@PathVariable String jobId, ServerWebExchange exchange) {
        return serve(new Media(jobId, MediaKeys.poster(jobId), MediaType.IMAGE_JPEG, "jpg", "poster"), exchange);
    }

    private Mono<Void> serve(Media media, ServerWebExchange exchange) {
        if (!MediaKeys.isJobId(media.jobId())) {
            return Mono.error(Problems.jobNotFound(media.jobId()));
        }
        String owner = exchange.getRequest().getHeaders().getFirst(OWNER_HEADER);
        return ownership.owns(owner, media.jobId())
                .flatMap(owned -> owned
                        ? Mono.usingWhen(Mono.defer(() -> locate(media.key())), found -> found.map(f -> write(media, f, exchange))
                                        .orElseGet(() -> Mono.error(Problems.of(HttpStatus.NOT_FOUND, "media-not-found",
                                                "Media not found", "Job " + media.jobId() + " has no " + media.what()
                                                        + " yet."))),
                                found -> Mono.fromRunnable(() -> found.ifPresent(Found::release)))
                        : Mono.error(Problems.jobNotFound(media.jobId())));
    }

    /**
     * The cached copy if there is one (asking the store again whether it is still the object once it is older than
     * the revalidation interval), else the store's object.
     */
    private Mono<Optional<Found>> locate(String key) {
        Optional<MediaCache.Lease> cached = cache.lease(key);
        if (cached.isEmpty()) {
            return fromStore(key);
        }
        MediaCache.Lease lease = cached.get();
        if (!lease.stale()) {
            return Mono.just(Optional.of(new FromCache(lease)));
        }
        return stats.stat(key)
                .flatMap(current -> {
                    if (current.isPresent() && sameObject(current.get(), lease.info())) {
                        lease.revalidated();
                        return Mono.just(Optional.<Found>of(new FromCache(lease)));
                    }
                    lease.close();
                    cache.evict(key);
                    return current.isPresent() ? fromStore(key, current.get()) : Mono.just(Optional.<Found>empty());
                })
                .doOnError(e -> lease.close())
                .doOnCancel(lease::close);
    }

    private Mono<Optional<Found>> fromStore(String key) {
        return stats.stat(key).map(info -> info.map(i -> new FromStore(store, cache, key, i)));
    }

    private Mono<Optional<Found>> fromStore(String key, ObjectInfo info) {
        return Mono.just(Optional.of(new FromStore(store, cache, key, info)));
    }

    private static boolean sameObject(ObjectInfo a, ObjectInfo b) {
        return a.length() == b.length() && Objects.equals(a.etag(), b.etag())
                && Objects.equals(a.lastModified(), b.lastModified());
    }

    private Mono<Void> write(Media media, Found found, ServerWebExchange exchange) {
        ObjectInfo info = found.info();
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        HttpHeaders in = request.getHeaders();
        HttpHeaders out = response.getHeaders();
        Validators validators = validatorsOf(info);

        switch (validators.preconditions().evaluate(in, clock.instant())) {
            case PRECONDITION_FAILED -> {
                return Mono.error(Problems.of(HttpStatus.PRECONDITION_FAILED, "precondition-failed",
                        "Precondition failed", "The " + media.what() + " does not match the request's conditions."));
            }
            case NOT_MODIFIED -> {
                // 304 carries the validators and caching a 200 would have (RFC 9110 section 15.4.5), no content headers.
                setValidators(out, validators);
                response.setStatusCode(HttpStatus.NOT_MODIFIED);
                return response.setComplete();
            }
            case PROCEED -> {
                // serve below
            }
        }

        ByteRange.Result range = validators.preconditions().rangeApplies(in)
                ? ByteRange.parse(in.getFirst(HttpHeaders.RANGE), info.length())
                : new ByteRange.Whole();
        if (range instanceof ByteRange.Unsatisfiable) {
            ErrorResponseException unsatisfiable = Problems.of(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "range-not-satisfiable", "Range not satisfiable",
                    "The requested range is outside the " + info.length() + " bytes of this " + media.what() + ".");
            unsatisfiable.getHeaders().set(HttpHeaders.CONTENT_RANGE, "bytes */" + info.length());
            unsatisfiable.getHeaders().set(HttpHeaders.ACCEPT_RANGES, "bytes");
            return Mono.error(unsatisfiable);
        }

        setValidators(out, validators);
        out.setContentType(media.type());
        out.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        out.set("X-Content-Type-Options", "nosniff");
        if (wantsDownload(request)) {
            out.setContentDisposition(ContentDisposition.attachment().filename(media.fileName()).build());
        }
        long start = 0;
        long length = info.length();
        if (range instanceof ByteRange.Partial partial) {
            start = partial.range().start();
            length = partial.range().length();
            response.setStatusCode(HttpStatus.PARTIAL_CONTENT);
            out.set(HttpHeaders.CONTENT_RANGE,
                    "bytes " + partial.range().start() + "-" + partial.range().end() + "/" + info.length());
        } else {
            response.setStatusCode(HttpStatus.OK);
        }
        out.setContentLength(length);
        if (HttpMethod.HEAD.equals(request.getMethod()) || length == 0) {
            return response.setComplete();
        }
        String part = range instanceof ByteRange.Partial ? "partial" : "whole";
        long from = start;
        long count = length;
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start(meters);
            return cork.around(response, found.send(response, from, count))
                    .doFinally(signal -> sample.stop(downloadTimers.get(media.what() + part + switch (signal) {
                        case ON_COMPLETE -> "complete";
                        case CANCEL -> "canceled";
                        default -> "error";
                    })));
        });
    }

    /** From the first byte asked of the object store (or the cache) to the last one taken by the client (or it leaving). */
    private Timer downloadTime(String media, String part, String outcome) {
        return Timer.builder("videogen.media.download.time")
                .description("Time to stream a video or poster to a client")
                .tags("media", media, "range", part, "outcome", outcome)
                .publishPercentileHistogram()
                .register(meters);
    }

    private Validators validatorsOf(ObjectInfo info) {
        Validators known = validators.get(info);
        if (known == null) {
            if (validators.size() >= MAX_VALIDATORS) {
                validators.clear();
            }
            known = Validators.of(info);
            validators.put(info, known);
        }
        return known;
    }

    private static void setValidators(HttpHeaders out, Validators validators) {
        out.set(HttpHeaders.ETAG, validators.etag());
        out.set(HttpHeaders.LAST_MODIFIED, validators.lastModified());
        out.set(HttpHeaders.CACHE_CONTROL, CACHE);
    }

    /** The store's ETag (an MD5 for a single-part upload) is a strong validator of the bytes. */
    private static String entityTag(ObjectInfo info) {
        String raw = info.etag() == null ? "" : info.etag().replace("\"", "").strip();
        if (raw.isEmpty() || !raw.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            raw = Long.toHexString(info.length()) + "-" + Long.toHexString(info.lastModified().toEpochMilli());
        }
        return "\"" + raw + "\"";
    }

    private static boolean wantsDownload(ServerHttpRequest request) {
        String download = request.getQueryParams().getFirst("download");
        return "1".equals(download) || "true".equalsIgnoreCase(download);
    }

}
