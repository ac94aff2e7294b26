package dev.videogen.worker.generation;

/** Makes one video from an image and a prompt, reporting progress through the job's events. */
public interface VideoGenerator {

    /** Name in the {@code Started} event and in metrics: demo, huggingface or fal. */
    String name();

    GeneratedVideo generate(GenerationInput input, JobEvents events) throws GenerationException, InterruptedException;
}
