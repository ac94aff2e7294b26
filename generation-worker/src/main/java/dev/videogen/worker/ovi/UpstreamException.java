package dev.videogen.worker.ovi;

import dev.videogen.worker.generation.GenerationException;

import java.time.Duration;

/**
 * One failed exchange with the provider: an HTTP answer that is not what the protocol promises, or no answer at all
 * (refused, reset, timed out). Transient ones are retried; the rest, and transient ones that outlast the retries,
 * become a {@link GenerationException} the user can act on. Messages never carry request headers (the token), and
 * upstream text is redacted before it lands here.
 */
final class UpstreamException extends RuntimeException {

    enum Operation {
        MAPPING("looking up the provider mapping"), SUBMIT("submitting"), STATUS("polling the status"),
        RESULT("fetching the result"), DOWNLOAD("downloading the video"), CANCEL("canceling");

        final String doing;

        Operation(String doing) {
            this.doing = doing;
        }

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Operation operation;
    private final int status;
    private final boolean transientFailure;
    private final Duration retryAfter;
    private final String upstreamDetail;
    private final String falErrorType;

    UpstreamException(Operation operation, int status, boolean transientFailure, Duration retryAfter,
                      String upstreamDetail, String falErrorType, Throwable cause) {
        super(operation.doing + (status > 0 ? " answered HTTP " + status : " failed")
                + (falErrorType != null ? " (" + falErrorType + ")" : "")
                + (upstreamDetail != null && !upstreamDetail.isBlank() ? ": " + upstreamDetail : ""), cause);
        this.operation = operation;
        this.status = status;
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
        this.upstreamDetail = upstreamDetail;
        this.falErrorType = falErrorType;
    }

    Operation operation() {
        return operation;
    }

    /** The HTTP status, or 0 when there was no answer. */
    int status() {
        return status;
    }

    boolean transientFailure() {
        return transientFailure;
    }

    /** What the answer's Retry-After asked for, or null. */
    Duration retryAfter() {
        return retryAfter;
    }

    String upstreamDetail() {
        return upstreamDetail;
    }

    String falErrorType() {
        return falErrorType;
    }
}
