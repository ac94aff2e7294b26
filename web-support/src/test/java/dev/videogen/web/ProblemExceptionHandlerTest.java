package dev.videogen.web;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemExceptionHandlerTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final ProblemExceptionHandler handler = new ProblemExceptionHandler(json, Set.of(HttpHeaders.ETAG));

    @Test
    void aProblemIsWrittenWithItsHeadersAndNoneOfTheBodysOwn() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/video-blob/job1"));
        exchange.getResponse().getHeaders().setETag("\"abc\"");
        exchange.getResponse().getHeaders().set("X-Content-Type-Options", "nosniff");
        var unavailable = Problems.unavailable("storage-unavailable", "Storage unavailable", "Try again.", null);

        handler.handle(exchange, unavailable).block();

        HttpHeaders headers = exchange.getResponse().getHeaders();
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(headers.getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(headers.getFirst("Retry-After")).isEqualTo("5");
        assertThat(headers.getCacheControl()).isEqualTo("no-store");
        assertThat(headers.getETag()).as("a header of the body the error replaces").isNull();
        assertThat(headers.getFirst("X-Content-Type-Options")).as("a header of every response").isEqualTo("nosniff");
        JsonNode body = json.readTree(exchange.getResponse().getBodyAsString().block());
        assertThat(body.get("type").asString()).isEqualTo("urn:videogen:problem:storage-unavailable");
        assertThat(body.get("title").asString()).isEqualTo("Storage unavailable");
        assertThat(body.get("status").asInt()).isEqualTo(503);
        assertThat(body.get("detail").asString()).isEqualTo("Try again.");
        assertThat(body.get("instance").asString()).isEqualTo("/api/video-blob/job1");
        assertThat(headers.getContentLength()).isEqualTo(exchange.getResponse().getBodyAsString().block().length());
    }

    @Test
    void aFrameworkErrorWithoutDetailGetsItsReasonAndAnUnknownOneIsA500WithoutItsMessage() {
        MockServerWebExchange notFound = MockServerWebExchange.from(MockServerHttpRequest.get("/nowhere"));
        handler.handle(notFound, new ResponseStatusException(HttpStatus.NOT_FOUND)).block();
        JsonNode body = json.readTree(notFound.getResponse().getBodyAsString().block());
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("title").asString()).isEqualTo("Not Found");
        assertThat(body.get("detail").asString()).isNotBlank();

        MockServerWebExchange broken = MockServerWebExchange.from(MockServerHttpRequest.get("/api/video-jobs/j2"));
        handler.handle(broken, new IllegalStateException("secret internals")).block();
        String text = broken.getResponse().getBodyAsString().block();
        assertThat(broken.getResponse().getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
        assertThat(text).doesNotContain("secret internals").contains("\"title\":\"Internal error\"");
    }

    @Test
    void aServiceMappingComesFirst() {
        ProblemExceptionHandler own = new ProblemExceptionHandler(json, Set.of()) {
            @Override
            protected org.springframework.http.ProblemDetail specific(Throwable error) {
                return hasCause(error, ArithmeticException.class)
                        ? Problems.of(HttpStatus.CONFLICT, "sums", "Bad sums", "No.").getBody() : null;
            }
        };
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/x").body("left over"));
        own.handle(exchange, new RuntimeException(new ArithmeticException())).block();
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
        assertThat(exchange.getResponse().getBodyAsString().block()).contains("urn:videogen:problem:sums");
    }
}
