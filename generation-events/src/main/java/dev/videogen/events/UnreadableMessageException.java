package dev.videogen.events;

/** A Kafka message that cannot be read as the contract says; such messages go to a dead-letter topic, never retried. */
public class UnreadableMessageException extends RuntimeException {

    public UnreadableMessageException(String message) {
        super(message);
    }
}
