package dev.videogen.worker.demo;

/**
 * Receives the progress of a {@link DemoVideoRenderer#render} call.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores every update. */
    ProgressListener NONE = fraction -> { };

    /**
     * Called from the rendering thread with a non-decreasing fraction in {@code [0, 1]};
     * {@code 1.0} is reported once the MP4 and the poster are complete.
     */
    void onProgress(double fraction);
}
