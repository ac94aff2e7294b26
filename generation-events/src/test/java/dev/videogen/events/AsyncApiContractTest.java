package dev.videogen.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The AsyncAPI document that other teams read must say exactly what the code puts on the wire. */
class AsyncApiContractTest {

    private final JsonNode spec = load();

    @Test
    void channelsAreTheTopics() {
        Set<String> addresses = new TreeSet<>();
        spec.get("channels").forEach(channel -> addresses.add(channel.get("address").asString()));
        assertThat(addresses).containsExactlyInAnyOrder(Topics.REQUESTED, Topics.EVENTS, Topics.REQUESTED_DLT, Topics.COMMANDS);
    }

    @Test
    void everyEventTypeIsDocumentedWithExactlyItsFields() {
        JsonNode messages = spec.get("components").get("messages");
        JsonSubTypes subTypes = GenerationEvent.class.getAnnotation(JsonSubTypes.class);
        assertThat(subTypes.value()).hasSize(GenerationEvent.class.getPermittedSubclasses().length);
        Set<String> header = fields(spec.get("components").get("schemas").get("EventHeader"));
        for (JsonSubTypes.Type type : subTypes.value()) {
            JsonNode message = messages.get(type.name());
            assertThat(message).as("message %s", type.name()).isNotNull();
            assertThat(spec.get("channels").get("events").get("messages").has(type.name())).isTrue();
            Set<String> documented = new HashSet<>(header);
            documented.addAll(fields(message.get("payload").get("allOf").get(1)));
            Set<String> code = components(type.value());
            code.add("type");
            assertThat(documented).as("fields of %s", type.name()).isEqualTo(code);
            assertThat(message.get("payload").get("allOf").get(1).get("properties").get("type").get("const").asString())
                    .isEqualTo(type.name());
        }
    }

    @Test
    void requestAndCommandPayloadsMatchTheirRecords() {
        JsonNode messages = spec.get("components").get("messages");
        assertThat(fields(messages.get("GenerationRequested").get("payload"))).isEqualTo(components(GenerationRequested.class));
        assertThat(fields(messages.get("GenerationRequested").get("payload").get("properties").get("params")))
                .isEqualTo(components(GenerationParams.class));
        assertThat(fields(messages.get("CancelRequested").get("payload"))).isEqualTo(components(CancelRequested.class));
    }

    private static Set<String> fields(JsonNode schema) {
        Set<String> names = new TreeSet<>();
        schema.get("properties").propertyNames().forEach(names::add);
        return names;
    }

    private static Set<String> components(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static JsonNode load() {
        try (InputStream in = AsyncApiContractTest.class.getResourceAsStream("/asyncapi.yaml")) {
            return new YAMLMapper().readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
