package dev.videogen.gateway.problem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every error that leaves the gateway is application/problem+json, including the ones the framework raises
 * (unknown paths, wrong methods, bad headers). Runs before Boot's own error handler. Never shows a stack trace.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
    private static final Pattern JOB_PATH = Pattern.compile("^/api/video-(?:jobs|blob)/([A-Za-z0-9_-]{1,100})(?:/|$)");

    private final JsonMapper json;

    ProblemExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
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
        body.put("title", problem.getTitle() == null ? HttpStatus.valueOf(problem.getStatus()).getReasonPhrase() : problem.getTitle());
        body.put("status", problem.getStatus());
        body.put("detail", problem.getDetail());
        body.put("instance", exchange.getRequest().getPath().value());
        if (problem.getProperties() != null) {
            body.putAll(problem.getProperties());
        }
        if (error instanceof ErrorResponse known) {
            response.getHeaders().putAll(known.getHeaders()); // e.g. Retry-After on 429, Allow on 405
        }
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(bytes.length);
        // read and drop whatever request body the failed handler left unread: left on a kept-alive connection it
        // would be taken for the start of the next request, which then never gets an answer
        return exchange.getRequest().getBody()
                .doOnNext(DataBufferUtils::release)
                .onErrorResume(ignored -> Flux.empty())
                .then(Mono.defer(() -> response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)))));
    }

    private ProblemDetail toProblem(Throwable error) {
        if (hasCause(error, DataBufferLimitException.class)) {
            ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE, "The image is larger than 10 MB.");
            p.setType(Problems.type("image-too-large"));
            p.setTitle("Image too large");
            return p;
        }
        if (error instanceof ErrorResponse known) {
            ProblemDetail p = known.getBody();
            if (p.getDetail() == null) {
                p.setDetail(HttpStatus.valueOf(p.getStatus()).getReasonPhrase());
            }
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

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
