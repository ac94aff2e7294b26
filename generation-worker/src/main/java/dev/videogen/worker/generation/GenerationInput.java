package dev.videogen.worker.generation;

import dev.videogen.events.GenerationParams;

/** What a generator gets: the prompt, the input image byte for byte with its real type, and optional parameters. */
public record GenerationInput(String jobId, String prompt, byte[] image, String contentType, GenerationParams params) {
}
