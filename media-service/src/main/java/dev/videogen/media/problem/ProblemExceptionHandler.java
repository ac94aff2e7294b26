package dev.videogen.media.problem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one error handler of the service: every error is application/problem+json, including the ones the framework
 * raises (unknown paths, wrong methods), with the headers the error carries (416's Content-Range, 405's Allow).
 * Runs before Boot's own error handler. Never shows a stack trace.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final JsonMapper json;

    ProblemExceptionHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            // Mid-body: nothing can be said any more; the server aborts the connection.
            return Mono.error(error);
        }
        ProblemDetail problem = toProblem(error);
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
        // Drop what was set for a body that will not be sent (ETag, Content-Range, Cache-Control...).
        headers.clear();
        if (error instanceof ErrorResponse known) {
            headers.addAll(known.getHeaders());
        }
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(bytes.length);
        headers.setCacheControl("no-store");
        return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
    }

    private static ProblemDetail toProblem(Throwable error) {
        if (error instanceof ErrorResponse known) {
            ProblemDetail p = known.getBody();
            if (p.getStatus() >= 500) {
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

    private static String reason(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error" : known.getReasonPhrase();
    }
}
