package dev.videogen.worker.ovi;

import java.util.Objects;

/**
 * A token or key from the environment. It goes into one header and nowhere else: its {@code toString} hides it, and
 * {@link #redact} scrubs it from any text that came back from upstream before that text reaches a log or an error.
 */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value").strip();
        if (this.value.isEmpty()) {
            throw new IllegalArgumentException("empty secret");
        }
    }

    String reveal() {
        return value;
    }

    String redact(String text) {
        return text == null ? null : text.replace(value, "[redacted]");
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
