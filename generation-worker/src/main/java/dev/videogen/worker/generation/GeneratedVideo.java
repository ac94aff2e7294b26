package dev.videogen.worker.generation;

import reactor.core.publisher.Mono;

import java.nio.file.Path;

/**
 * A finished video, byte for byte as the generator made it, in a temporary file the job owns (and deletes once the
 * video is stored), and a JPEG still of it. The still may still be in the making ({@code poster} not yet complete):
 * the runner stores the video meanwhile, and a still that cannot be made fails the job as before.
 */
public record GeneratedVideo(Path mp4, long bytes, Mono<Poster> poster) {

    /** The JPEG still and the video's duration. */
    public record Poster(byte[] jpeg, long durationMs) {
    }

    /** A video whose still is already made. */
    public GeneratedVideo(Path mp4, long bytes, byte[] posterJpeg, long durationMs) {
        this(mp4, bytes, Mono.just(new Poster(posterJpeg, durationMs)));
    }
}
