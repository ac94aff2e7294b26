package dev.videogen.gateway.problem;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

import java.net.URI;

/** RFC 9457 problems with a stable {@code type} per kind of mistake, so clients can branch on it. */
public final class Problems {

    private Problems() {
    }

    public static ErrorResponseException of(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(type(slug));
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }

    public static ErrorResponseException invalidInput(String detail) {
        return of(HttpStatus.BAD_REQUEST, "invalid-input", "Invalid input", detail);
    }

    public static URI type(String slug) {
        return URI.create("urn:videogen:problem:" + slug);
    }
}
