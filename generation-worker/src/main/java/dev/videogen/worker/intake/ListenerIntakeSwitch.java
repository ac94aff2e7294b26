package dev.videogen.worker.intake;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/** Pauses and resumes the requests listener container (the pause takes effect at its next poll). */
@Component
class ListenerIntakeSwitch implements IntakeSwitch {

    private final ObjectProvider<KafkaListenerEndpointRegistry> registry;

    ListenerIntakeSwitch(ObjectProvider<KafkaListenerEndpointRegistry> registry) {
        this.registry = registry;
    }

    @Override
    public void pause() {
        MessageListenerContainer container = container();
        if (container != null) {
            container.pause();
        }
    }

    @Override
    public void resume() {
        MessageListenerContainer container = container();
        if (container != null) {
            container.resume();
        }
    }

    private MessageListenerContainer container() {
        return registry.getObject().getListenerContainer(RequestListener.ID);
    }
}
