package dev.videogen.events;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire format is a contract with other systems: these files must never change by accident. */
class GoldenJsonTest {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void requestMatchesGoldenFile() throws IOException {
        var request = new GenerationRequested("ext-123", "billing-system", "A calm ocean at dawn", "s3://uploads/ext-123",
                new GenerationParams(null, 42, 30), T0);
        assertSameJson(EventJson.write(request), "requested.json");
        assertThat(EventJson.readRequest(golden("requested.json"))).isEqualTo(request);
    }

    @Test
    void eventsMatchGoldenFiles() throws IOException {
        GenerationEvent progressed = new GenerationProgressed("e-3", "ext-123", 3, T0.plusSeconds(5), 40, "generating", null, 24);
        GenerationEvent completed = new GenerationCompleted("e-9", "ext-123", 9, T0.plusSeconds(45), "ext-123.mp4", "ext-123.jpg", 2_048_000, 5041);
        GenerationEvent failed = new GenerationFailed("e-4", "ext-123", 4, T0.plusSeconds(10),
                new JobError("urn:videogen:error:image-rejected", "Image rejected", "not a JPEG, PNG or WebP image"));
        GenerationEvent submitted = new GenerationSubmitted("e-2", "ext-123", 2, T0.plusSeconds(1), "huggingface",
                "764cabcf-b745-4b3e-ae38-1200304cf45b");

        assertSameJson(EventJson.write(progressed), "progressed.json");
        assertSameJson(EventJson.write(completed), "completed.json");
        assertSameJson(EventJson.write(failed), "failed.json");
        assertSameJson(EventJson.write(submitted), "submitted.json");

        assertThat(EventJson.readEvent(golden("progressed.json"))).isEqualTo(progressed);
        assertThat(EventJson.readEvent(golden("completed.json"))).isEqualTo(completed).matches(GenerationEvent::terminal);
        assertThat(EventJson.readEvent(golden("failed.json"))).isEqualTo(failed);
        assertThat(EventJson.readEvent(golden("submitted.json"))).isEqualTo(submitted);
    }

    @Test
    void requestFromAnotherProducerMayOmitParamsAndAddFields() {
        var request = EventJson.readRequest("""
                {"jobId":"x1","ownerId":"o","prompt":"p","imageUrl":"data:image/png;base64,AA==","extra":true}""");
        assertThat(request.params()).isEqualTo(GenerationParams.NONE);
        assertThat(request.requestedAt()).isNull();
    }

    @Test
    void unreadableMessagesAreRejectedWithAReason() {
        assertThatThrownBy(() -> EventJson.readRequest("not json")).isInstanceOf(UnreadableMessageException.class);
        assertThatThrownBy(() -> EventJson.readRequest("{\"jobId\":\"x\"}"))
                .isInstanceOf(UnreadableMessageException.class).hasMessageContaining("lacks");
        assertThatThrownBy(() -> EventJson.readEvent("{\"type\":\"Exploded\",\"jobId\":\"x\",\"sequence\":1}"))
                .isInstanceOf(UnreadableMessageException.class);
        assertThatThrownBy(() -> EventJson.readEvent("{\"type\":\"Progressed\",\"jobId\":\"x\",\"sequence\":0}"))
                .isInstanceOf(UnreadableMessageException.class);
    }

    private static void assertSameJson(String actual, String goldenFile) throws IOException {
        JsonNode expected = EventJson.mapper().readTree(golden(goldenFile));
        assertThat(EventJson.mapper().readTree(actual)).isEqualTo(expected);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = GoldenJsonTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
