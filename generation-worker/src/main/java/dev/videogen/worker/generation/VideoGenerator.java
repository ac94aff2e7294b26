package dev.videogen.worker.generation;

import reactor.core.publisher.Mono;

/**
 * Makes one video from an image and a prompt, reporting progress through the run. Non-blocking: the returned Mono
 * holds no thread while it waits. Cancelling the subscription stops the local work; stopping the upstream work is
 * what {@link GenerationRun#onAbort} is for.
 */
public interface VideoGenerator {

    /** Name in the {@code Started} event and in metrics: demo, huggingface or fal. */
    String name();

    /** Fails with a {@link GenerationException} when the job cannot succeed. */
    Mono<GeneratedVideo> generate(GenerationInput input, GenerationRun run);
}
