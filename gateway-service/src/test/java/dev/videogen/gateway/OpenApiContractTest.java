package dev.videogen.gateway;

import dev.videogen.events.VideoJob;
import org.junit.jupiter.api.Test;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAPI document the gateway serves must list exactly the operations its controllers answer. */
class OpenApiContractTest {

    private static final String[] CONTROLLERS = {"dev.videogen.gateway.submit.SubmitController",
            "dev.videogen.gateway.routing.RouteController"};

    private final JsonNode spec = load();

    @Test
    void documentedOperationsAreExactlyTheControllers() throws ClassNotFoundException {
        Set<String> code = new TreeSet<>();
        for (String name : CONTROLLERS) {
            for (Method method : Class.forName(name).getDeclaredMethods()) {
                RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
                if (mapping == null) {
                    continue;
                }
                for (String path : mapping.path()) {
                    for (RequestMethod verb : mapping.method()) {
                        code.add(verb.name().toLowerCase() + " " + path);
                    }
                }
            }
        }
        Set<String> documented = new TreeSet<>();
        spec.get("paths").properties().forEach(path -> path.getValue().propertyNames().stream()
                .filter(verb -> !verb.equals("parameters"))
                .forEach(verb -> documented.add(verb + " " + path.getKey())));
        assertThat(documented).isEqualTo(code);
    }

    @Test
    void theJobSchemaHasTheFieldsOfTheJob() {
        Set<String> documented = new TreeSet<>(spec.get("components").get("schemas").get("Job").get("properties").propertyNames());
        Set<String> code = Arrays.stream(VideoJob.class.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).isEqualTo(code);
    }

    private static JsonNode load() {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/static/openapi.yaml")) {
            return new YAMLMapper().readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
