package dev.videogen.worker.intake;

import dev.videogen.worker.WorkerProperties;
import org.springframework.stereotype.Component;

import java.util.UUID;

/** This process's name among the workers: its cancel commands need a consumer group no other worker shares. */
@Component("workerIdentity")
public class WorkerIdentity {

    private final String instanceId;

    public WorkerIdentity(WorkerProperties properties) {
        String configured = properties.instanceId();
        this.instanceId = configured != null && !configured.isBlank() ? configured.strip()
                : UUID.randomUUID().toString();
    }

    public String instanceId() {
        return instanceId;
    }

    public String commandsGroup() {
        return "generation-worker-commands-" + instanceId;
    }
}
