package dev.videogen.gateway.submit;

import dev.videogen.events.GenerationParams;
import dev.videogen.events.ImageHeaders;
import dev.videogen.web.Problems;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** The rules of a submission, with the same messages the web UI shows before sending. */
@Component
class SubmissionValidator {

    static final String BAD_TYPE = "The image must be a JPEG, PNG or WebP file.";
    static final String TOO_LARGE = "The image is larger than 10 MB.";
    static final String BAD_PROMPT = "Write a prompt of 1 to 2000 characters.";
    static final String BAD_STEPS = "Steps must be a whole number from 1 to 50.";
    static final String BAD_SEED = "Seed must be a whole number.";

    record Form(byte[] image, String prompt, String negativePrompt, String seed, String steps) {
    }

    record Submission(byte[] image, ImageHeaders.ImageInfo imageInfo, String prompt, GenerationParams params) {
    }

    private final SubmitProperties limits;

    SubmissionValidator(SubmitProperties limits) {
        this.limits = limits;
    }

    Submission validate(Form form) {
        String prompt = form.prompt() == null ? "" : form.prompt().strip();
        if (prompt.isEmpty() || prompt.length() > limits.maxPromptChars()) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "invalid-prompt", "Invalid prompt", BAD_PROMPT);
        }
        if (form.image().length == 0) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "invalid-image", "Invalid image", BAD_TYPE);
        }
        if (form.image().length > limits.maxImageBytes()) {
            throw Problems.of(HttpStatus.PAYLOAD_TOO_LARGE, "image-too-large", "Image too large", TOO_LARGE);
        }
        ImageHeaders.ImageInfo info = ImageHeaders.inspect(form.image())
                .orElseThrow(() -> Problems.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid-image", "Invalid image", BAD_TYPE));
        if (info.width() > limits.maxImageSide() || info.height() > limits.maxImageSide()) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "image-too-large", "Image too large",
                    "The image is %d x %d pixels; each side may be at most %d.".formatted(info.width(), info.height(),
                            limits.maxImageSide()));
        }
        Integer seed = parseInt(form.seed(), "invalid-seed", BAD_SEED);
        Integer steps = parseInt(form.steps(), "invalid-steps", BAD_STEPS);
        if (steps != null && (steps < 1 || steps > 50)) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "invalid-steps", "Invalid steps", BAD_STEPS);
        }
        String negative = form.negativePrompt() == null || form.negativePrompt().isBlank() ? null : form.negativePrompt().strip();
        if (negative != null && negative.length() > limits.maxPromptChars()) {
            throw Problems.of(HttpStatus.BAD_REQUEST, "invalid-prompt", "Invalid negative prompt",
                    "Write a negative prompt of at most 2000 characters.");
        }
        return new Submission(form.image(), info, prompt, new GenerationParams(negative, seed, steps));
    }

    private static Integer parseInt(String value, String slug, String message) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw Problems.of(HttpStatus.BAD_REQUEST, slug, "Invalid parameter", message);
        }
    }
}
