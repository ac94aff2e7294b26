package dev.videogen.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every error that leaves a service is application/problem+json ({@code type}, {@code title}, {@code status},
 * {@code detail}, {@code instance}), including the ones the framework raises (unknown paths, wrong methods, bad
 * headers), with the headers the error carries (429's Retry-After, 405's Allow, 416's Content-Range) and
 * {@code Cache-Control: no-store}. Never shows a stack trace. A service registers it as a bean ordered before Boot's
 * own error handler ({@code @Order(-2)}), and may override {@link #specific(Throwable)} for its own mappings.
 */
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
    private static final Pattern JOB_PATH = Pattern.compile("^/api/video-(?:jobs|blob)/([A-Za-z0-9_-]{1,100})(?:/|$)");

    private final JsonMapper json;
    private final Set<String> bodyHeaders;

    /**
     * @param bodyHeaders response headers that describe a body which an error replaces (a media response's ETag,
     *                    Content-Range, Last-Modified...): removed before the problem is written; headers set for every
     *                    response (security headers, cookies) stay
     */
    public ProblemExceptionHandler(JsonMapper json, Set<String> bodyHeaders) {
        this.json = json;
        this.bodyHeaders = Set.copyOf(bodyHeaders);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            // mid-body: nothing can be said any more; the server aborts the connection
            return Mono.error(error);
        }
        // a failure logged while answering a job's path names the job, as every line about a job does
        Matcher job = JOB_PATH.matcher(exchange.getRequest().getPath().value());
        if (job.find()) {
            MDC.put("jobId", job.group(1));
        }
        ProblemDetail problem;
        try {
            problem = toProblem(error);
        } finally {
            MDC.remove("jobId");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.getType() == null ? "about:blank" : problem.getType().toString());
        body.put("title", problem.getTitle() == null ? reason(problem.getStatus()) : problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail() == null ? reason(problem.getStatus()) : problem.getDetail());
        body.put("instance", exchange.getRequest().getPath().value());
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        byte[] bytes = json.writeValueAsBytes(body);
        HttpHeaders headers = response.getHeaders();
        bodyHeaders.forEach(headers::remove);
        if (error instanceof ErrorResponse known) {
            headers.putAll(known.getHeaders());
        }
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(bytes.length);
        headers.setCacheControl("no-store");
        // read and drop whatever request body the failed handler left unread: left on a kept-alive connection it
        // would be taken for the start of the next request, which then never gets an answer
        return exchange.getRequest().getBody()
                .doOnNext(DataBufferUtils::release)
                .onErrorResume(ignored -> Flux.empty())
                .then(Mono.defer(() -> response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)))));
    }

    /** A service's own mapping of an error to a problem, tried first; null when it has none. */
    protected ProblemDetail specific(Throwable error) {
        return null;
    }

    private ProblemDetail toProblem(Throwable error) {
        ProblemDetail own = specific(error);
        if (own != null) {
            return own;
        }
        if (error instanceof ErrorResponse known) {
            ProblemDetail p = known.getBody();
            if (p.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
                log.warn("request refused: {} ({})", p.getDetail(), error.getCause() == null ? "-" : error.getCause().toString());
            } else if (p.getStatus() >= 500) {
                log.error("request failed: {}", p.getDetail(), error);
            }
            return p;
        }
        log.error("unexpected error", error);
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong on our side; please try again.");
        p.setTitle("Internal error");
        return p;
    }

    /** Whether the error or one of its causes is of the type. */
    protected static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String reason(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error" : known.getReasonPhrase();
    }
}
