package dev.videogen.worker.intake;

/** Stops and restarts the flow of new requests from Kafka (the consumer keeps polling, so it stays in its group). */
public interface IntakeSwitch {

    void pause();

    void resume();
}
