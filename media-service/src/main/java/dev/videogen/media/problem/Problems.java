package dev.videogen.media.problem;

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
        body.setType(URI.create("urn:videogen:problem:" + slug));
        body.setTitle(title);
        return new ErrorResponseException(status, body, null);
    }

    /** The same answer for a job that does not exist, was deleted, or belongs to someone else. */
    public static ErrorResponseException jobNotFound(String jobId) {
        return of(HttpStatus.NOT_FOUND, "job-not-found", "Job not found", "There is no job " + jobId + " of yours.");
    }
}
