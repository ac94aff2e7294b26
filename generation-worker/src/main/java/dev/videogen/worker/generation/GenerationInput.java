package dev.videogen.worker.generation;

import dev.videogen.events.GenerationParams;

import java.util.concurrent.atomic.AtomicReference;

/**
 * What a generator gets: the prompt, the input image byte for byte with its real type, and optional parameters.
 * The generator releases the image as soon as it no longer needs it (once submitted, once rendered): a worker holds
 * hundreds of jobs that mostly wait, and none of them should keep a photo in memory while it does.
 */
public final class GenerationInput {

    private final String jobId;
    private final String prompt;
    private final AtomicReference<byte[]> image;
    private final String contentType;
    private final GenerationParams params;

    public GenerationInput(String jobId, String prompt, byte[] image, String contentType, GenerationParams params) {
        this.jobId = jobId;
        this.prompt = prompt;
        this.image = new AtomicReference<>(image);
        this.contentType = contentType;
        this.params = params == null ? GenerationParams.NONE : params;
    }

    public String jobId() {
        return jobId;
    }

    public String prompt() {
        return prompt;
    }

    /** The image bytes; fails once released. */
    public byte[] image() {
        byte[] bytes = image.get();
        if (bytes == null) {
            throw new IllegalStateException("the image of job " + jobId + " was already released");
        }
        return bytes;
    }

    public void releaseImage() {
        image.set(null);
    }

    public String contentType() {
        return contentType;
    }

    public GenerationParams params() {
        return params;
    }
}
