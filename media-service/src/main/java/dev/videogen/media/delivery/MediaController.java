package dev.videogen.media.delivery;

import dev.videogen.media.storage.MediaStore;
import dev.videogen.media.storage.MediaStore.ObjectInfo;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Videos and posters with the caching and range semantics of a CDN edge: strong ETag, Last-Modified, conditional
 * GETs, single byte ranges (206/416). Only the owner gets the bytes; anyone else gets the same 404 as for a missing job.
 */
@RestController
class MediaController {

    private static final CacheControl CACHE = CacheControl.maxAge(Duration.ofDays(1)).cachePrivate();

    private final MediaStore store;
    private final OwnershipCheck ownership;

    MediaController(MediaStore store, OwnershipCheck ownership) {
        this.store = store;
        this.ownership = ownership;
    }

    @RequestMapping(path = "/api/video-blob/{jobId}", method = {RequestMethod.GET, RequestMethod.HEAD})
    Mono<Void> video(@PathVariable String jobId, ServerWebExchange exchange) {
        return serve(jobId, jobId + ".mp4", MediaType.valueOf("video/mp4"), "videogen-" + jobId + ".mp4", exchange);
    }

    @RequestMapping(path = "/api/video-blob/{jobId}/poster", method = {RequestMethod.GET, RequestMethod.HEAD})
    Mono<Void> poster(@PathVariable String jobId, ServerWebExchange exchange) {
        return serve(jobId, jobId + ".jpg", MediaType.IMAGE_JPEG, "videogen-" + jobId + ".jpg", exchange);
    }

    private Mono<Void> serve(String jobId, String key, MediaType type, String fileName, ServerWebExchange exchange) {
        String owner = exchange.getRequest().getHeaders().getFirst("X-Videogen-Owner");
        return ownership.owns(owner, jobId)
                .flatMap(owned -> owned ? store.stat(key) : Mono.error(notFound(jobId)))
                .flatMap(info -> info.map(i -> write(key, i, type, fileName, exchange))
                        .orElseGet(() -> Mono.error(notFound(jobId))));
    }

    private Mono<Void> write(String key, ObjectInfo info, MediaType type, String fileName, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        ServerHttpResponse response = exchange.getResponse();
        HttpHeaders out = response.getHeaders();
        String etag = "\"" + info.etag().replace("\"", "") + "\"";
        Instant lastModified = info.lastModified().truncatedTo(ChronoUnit.SECONDS);
        out.setContentType(type);
        out.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        out.setETag(etag);
        out.setLastModified(lastModified);
        out.setCacheControl(CACHE);
        if ("1".equals(request.getQueryParams().getFirst("download"))) {
            out.setContentDisposition(ContentDisposition.attachment().filename(fileName).build());
        }
        if (notModified(request.getHeaders(), etag, lastModified)) {
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            return response.setComplete();
        }
        ByteRange.Result range = rangeApplies(request.getHeaders(), etag, lastModified)
                ? ByteRange.parse(request.getHeaders().getFirst(HttpHeaders.RANGE), info.length())
                : new ByteRange.Whole();
        if (range instanceof ByteRange.Unsatisfiable) {
            ErrorResponseException unsatisfiable = problem(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "range-not-satisfiable", "Range not satisfiable",
                    "The requested range is outside the " + info.length() + " bytes of this file.");
            unsatisfiable.getHeaders().set(HttpHeaders.CONTENT_RANGE, "bytes */" + info.length());
            return Mono.error(unsatisfiable);
        }
        long start = 0;
        long length = info.length();
        if (range instanceof ByteRange.Partial partial) {
            start = partial.range().start();
            length = partial.range().length();
            response.setStatusCode(HttpStatus.PARTIAL_CONTENT);
            out.set(HttpHeaders.CONTENT_RANGE, "bytes %d-%d/%d".formatted(partial.range().start(), partial.range().end(),
                    info.length()));
        }
        out.setContentLength(length);
        if (request.getMethod() == HttpMethod.HEAD || length == 0) {
            return response.setComplete();
        }
        return response.writeWith(store.read(key, start, length, response.bufferFactory()));
    }

    private static boolean notModified(HttpHeaders headers, String etag, Instant lastModified) {
        List<String> ifNoneMatch = headers.getIfNoneMatch();
        if (!ifNoneMatch.isEmpty()) {
            return ifNoneMatch.stream().anyMatch(tag -> tag.equals("*") || weakEquals(tag, etag));
        }
        long since = headers.getIfModifiedSince();
        return since >= 0 && lastModified.toEpochMilli() <= since;
    }

    /** If-Range: the range applies only when the validator still matches (strong comparison for ETags). */
    private static boolean rangeApplies(HttpHeaders headers, String etag, Instant lastModified) {
        String ifRange = headers.getFirst(HttpHeaders.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"")) {
            return ifRange.equals(etag);
        }
        try {
            return ZonedDateTime.parse(ifRange, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().equals(lastModified);
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean weakEquals(String a, String b) {
        return a.replaceFirst("^W/", "").equals(b.replaceFirst("^W/", ""));
    }

    private static ErrorResponseException notFound(String jobId) {
        return problem(HttpStatus.NOT_FOUND, "media-not-found", "Not found", "There is no video for job " + jobId + " of yours.");
    }

    private static ErrorResponseException problem(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(URI.create("urn:videogen:problem:" + slug));
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }
}
