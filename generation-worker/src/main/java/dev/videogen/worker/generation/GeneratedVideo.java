package dev.videogen.worker.generation;

/** A finished video, byte for byte as the generator made it, and a JPEG still of it. */
public record GeneratedVideo(byte[] mp4, byte[] posterJpeg, long durationMs) {
}
