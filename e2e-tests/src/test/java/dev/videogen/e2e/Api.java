package dev.videogen.e2e;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** A browser-like API client: one cookie jar (one owner), plain HTTP to the gateway. */
final class Api {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final HttpClient http;
    private final String[] extraHeaders;

    Api(String base, String... extraHeaders) {
        this.base = base;
        this.extraHeaders = extraHeaders;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpResponse<String> submit(byte[] image, String fileName, String contentType, Map<String, String> fields,
                                String... headers) throws IOException, InterruptedException {
        String boundary = "----videogen" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> field : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field.getKey()
                    + "\"\r\n\r\n" + field.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (image != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"" + fileName
                    + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(image);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/generate-video"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        return http.send(withHeaders(request, headers), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(withHeaders(HttpRequest.newBuilder(URI.create(base + path)).GET()), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> getBytes(String path, String... headers) throws IOException, InterruptedException {
        return http.send(withHeaders(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(withHeaders(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.noBody())), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest withHeaders(HttpRequest.Builder builder, String... headers) {
        if (extraHeaders.length > 0) {
            builder.headers(extraHeaders);
        }
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder.build();
    }

    JsonNode job(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/video-jobs/" + jobId);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET job answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }
}
