package dev.videogen.worker.generation;

import java.nio.file.Path;

/**
 * A finished video, byte for byte as the generator made it, in a temporary file the job owns (and deletes once the
 * video is stored), and a JPEG still of it.
 */
public record GeneratedVideo(Path mp4, long bytes, byte[] posterJpeg, long durationMs) {
}
