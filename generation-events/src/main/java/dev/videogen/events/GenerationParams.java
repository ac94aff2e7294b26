package dev.videogen.events;

/** Optional generation parameters passed through to the model; any of them may be null. */
public record GenerationParams(String negativePrompt, Integer seed, Integer steps) {

    public static final GenerationParams NONE = new GenerationParams(null, null, null);
}
