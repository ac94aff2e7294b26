package dev.videogen.media.problem;

import dev.videogen.web.ProblemExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.Set;

/**
 * media-service's error handler: every error as application/problem+json ({@link ProblemExceptionHandler}), without
 * the headers that were set for the media body it replaces (an error is not the video: no ETag, no range, no file name).
 */
@Component
@Order(-2)
class MediaExceptionHandler extends ProblemExceptionHandler {

    MediaExceptionHandler(JsonMapper json) {
        super(json, Set.of(HttpHeaders.ETAG, HttpHeaders.LAST_MODIFIED, HttpHeaders.CONTENT_RANGE,
                HttpHeaders.ACCEPT_RANGES, HttpHeaders.CONTENT_DISPOSITION, HttpHeaders.CONTENT_TYPE,
                HttpHeaders.CONTENT_LENGTH, HttpHeaders.CACHE_CONTROL));
    }
}
