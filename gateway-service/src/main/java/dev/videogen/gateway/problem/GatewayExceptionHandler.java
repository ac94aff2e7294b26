package dev.videogen.gateway.problem;

import dev.videogen.web.ProblemExceptionHandler;
import dev.videogen.web.Problems;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.util.Set;

/**
 * The gateway's error handler: every error as application/problem+json ({@link ProblemExceptionHandler}), and an
 * upload over the form's size limit as 413. Headers set for every response (security headers, the owner cookie) stay.
 */
@Component
@Order(-2)
class GatewayExceptionHandler extends ProblemExceptionHandler {

    GatewayExceptionHandler(JsonMapper json) {
        super(json, Set.of());
    }

    @Override
    protected ProblemDetail specific(Throwable error) {
        if (!hasCause(error, DataBufferLimitException.class)) {
            return null;
        }
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.PAYLOAD_TOO_LARGE, "The image is larger than 10 MB.");
        p.setType(Problems.type("image-too-large"));
        p.setTitle("Image too large");
        return p;
    }
}
