package dev.videogen.events;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON codec for everything on Kafka. Unknown fields are ignored (tolerant reader), dates are ISO-8601 strings.
 * Thread-safe.
 */
public final class EventJson {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventJson() {
    }

    public static JsonMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** Reads a value; anything unreadable or missing its identity is an {@link UnreadableMessageException}. */
    public static <T> T read(String json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new UnreadableMessageException("empty message");
            }
            return value;
        } catch (JacksonException e) {
            throw new UnreadableMessageException("not a readable " + type.getSimpleName() + ": " + e.getOriginalMessage());
        }
    }

    public static GenerationRequested readRequest(String json) {
        GenerationRequested request = read(json, GenerationRequested.class);
        if (isBlank(request.jobId()) || isBlank(request.ownerId()) || isBlank(request.imageUrl())
                || request.prompt() == null) {
            throw new UnreadableMessageException("request lacks jobId, ownerId, prompt or imageUrl");
        }
        return request;
    }

    public static GenerationEvent readEvent(String json) {
        GenerationEvent event = read(json, GenerationEvent.class);
        if (isBlank(event.jobId()) || event.sequence() < 1) {
            throw new UnreadableMessageException("event lacks jobId or a sequence >= 1");
        }
        return event;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
