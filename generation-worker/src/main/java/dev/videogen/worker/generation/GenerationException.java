package dev.videogen.worker.generation;

import dev.videogen.events.JobError;

/** A job cannot succeed, for a reason the user can read; it ends with {@code Failed}. Unchecked, to travel through Monos. */
public class GenerationException extends RuntimeException {

    private final transient JobError error;

    public GenerationException(String slug, String title, String detail) {
        this(slug, title, detail, null);
    }

    public GenerationException(String slug, String title, String detail, Throwable cause) {
        super(title + ": " + detail, cause);
        this.error = new JobError("urn:videogen:error:" + slug, title, detail);
    }

    public JobError error() {
        return error;
    }
}
