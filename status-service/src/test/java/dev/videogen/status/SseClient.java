package dev.videogen.status;

import dev.videogen.events.EventJson;
import dev.videogen.events.VideoJob;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Reads a server-sent event stream line by line, as a browser would, keeping ids, data and comments apart. */
final class SseClient implements AutoCloseable {

    /** One dispatched event ({@code id} null when the event had none) or one comment line. */
    record Event(String id, String data, String comment) {

        boolean isComment() {
            return comment != null;
        }

        VideoJob job() {
            return EventJson.read(data, VideoJob.class);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Event> received = new CopyOnWriteArrayList<>();
    private final InputStream body;
    private volatile boolean ended;

    private SseClient(InputStream body) {
        this.body = body;
        Thread reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    static SseClient open(String baseUrl, String jobId, String owner, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/video-jobs/" + jobId + "/events"))
                .header("Accept", "text/event-stream")
                .header("X-Videogen-Owner", owner);
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            response.body().close();
            throw new IllegalStateException("stream answered " + response.statusCode());
        }
        return new SseClient(response.body());
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            StringBuilder data = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (data != null) {
                        received.add(new Event(id, data.toString(), null));
                    }
                    id = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    received.add(new Event(null, null, line.substring(1).strip()));
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
        } catch (IOException closed) {
            // closed by the test
        } finally {
            ended = true;
        }
    }

    /** Events with data, in order (comments left out). */
    List<Event> events() {
        return received.stream().filter(event -> !event.isComment()).toList();
    }

    List<Event> comments() {
        return received.stream().filter(Event::isComment).toList();
    }

    List<VideoJob> jobs() {
        return events().stream().map(Event::job).toList();
    }

    /** The ids that came with events, in order. */
    List<Long> ids() {
        return events().stream().filter(event -> event.id() != null).map(event -> Long.parseLong(event.id())).toList();
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
