package dev.videogen.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

import java.net.URI;

/**
 * RFC 9457 problems with a stable {@code type} per kind of mistake ({@code urn:videogen:problem:<slug>}), so clients
 * can branch on it. The same factory for every service, so the same mistake reads the same on every path.
 */
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

    /** The same answer for a job that does not exist, was deleted, or belongs to someone else. */
    public static ErrorResponseException jobNotFound(String jobId) {
        return of(HttpStatus.NOT_FOUND, "job-not-found", "Job not found", "There is no job " + jobId + " of yours.");
    }

    /**
     * 503 with {@code Retry-After}: a dependency (object store, broker) is not reachable; nothing was done, and the
     * same request may simply be sent again.
     */
    public static ErrorResponseException unavailable(String slug, String title, String detail, Throwable cause) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
        body.setType(type(slug));
        body.setTitle(title);
        ErrorResponseException problem = new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, body, cause);
        problem.getHeaders().set("Retry-After", "5");
        return problem;
    }

    public static URI type(String slug) {
        return URI.create("urn:videogen:problem:" + slug);
    }
}
