package dev.videogen.worker.intake;

import dev.videogen.events.ImageHeaders;
import dev.videogen.worker.WorkerProperties;
import dev.videogen.worker.generation.GenerationException;
import dev.videogen.worker.storage.ObjectStore;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * Turns a request's {@code imageUrl} into checked image bytes: {@code s3://} only from the system's own uploads
 * bucket, {@code data:} URIs, and {@code https://} only from allowed hosts. Every image gets the checks of an upload.
 */
@Component
public class ImageSource {

    /** A checked image. */
    public record Image(byte[] bytes, String contentType) {
    }

    private final ObjectStore store;
    private final WorkerProperties properties;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public ImageSource(ObjectStore store, WorkerProperties properties) {
        this.store = store;
        this.properties = properties;
    }

    public Image load(String imageUrl) throws GenerationException, InterruptedException {
        byte[] bytes;
        String lower = imageUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("s3://")) {
            bytes = fromBucket(imageUrl);
        } else if (lower.startsWith("data:")) {
            bytes = fromDataUri(imageUrl);
        } else if (lower.startsWith("https://")) {
            bytes = fromHttps(imageUrl);
        } else {
            throw rejected("imageUrl must be an s3://, data: or https:// URL.");
        }
        if (bytes.length > properties.maxImageBytes()) {
            throw rejected("The image is larger than 10 MB.");
        }
        ImageHeaders.ImageInfo info = ImageHeaders.inspect(bytes)
                .orElseThrow(() -> rejected("The image must be a JPEG, PNG or WebP file."));
        if (info.width() > properties.maxImageSide() || info.height() > properties.maxImageSide()) {
            throw rejected("The image is %d x %d pixels; each side may be at most %d."
                    .formatted(info.width(), info.height(), properties.maxImageSide()));
        }
        return new Image(bytes, info.contentType());
    }

    private byte[] fromBucket(String url) throws GenerationException {
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw rejected("imageUrl " + url + " names no object.");
        }
        String bucket = rest.substring(0, slash);
        if (!bucket.equals(store.uploadsBucket())) {
            throw rejected("Images are read only from the system's own bucket, not from " + bucket + ".");
        }
        try {
            return store.get(bucket, rest.substring(slash + 1), properties.maxImageBytes())
                    .orElseThrow(() -> rejected("The uploaded image " + url + " does not exist."));
        } catch (ObjectStore.ObjectTooLargeException e) {
            throw rejected("The image is larger than 10 MB.");
        }
    }

    private byte[] fromDataUri(String url) throws GenerationException {
        int comma = url.indexOf(',');
        if (comma < 0 || !url.substring(0, comma).toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw rejected("A data: imageUrl must be base64-encoded.");
        }
        if ((url.length() - comma) * 3L / 4 > properties.maxImageBytes() + 3L) {
            throw rejected("The image is larger than 10 MB.");
        }
        try {
            return Base64.getMimeDecoder().decode(url.substring(comma + 1));
        } catch (IllegalArgumentException e) {
            throw rejected("The data: imageUrl is not valid base64.");
        }
    }

    private byte[] fromHttps(String url) throws GenerationException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw rejected("imageUrl is not a valid URL.");
        }
        if (uri.getHost() == null || !properties.allowedImageHosts().contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            throw rejected("Images are fetched only from allowed hosts (VIDEOGEN_IMAGE_URL_ALLOWED_HOSTS); "
                    + uri.getHost() + " is not one.");
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw rejected("Fetching the image answered HTTP " + response.statusCode() + ".");
                }
                byte[] bytes = body.readNBytes(properties.maxImageBytes() + 1);
                if (bytes.length > properties.maxImageBytes()) {
                    throw rejected("The image is larger than 10 MB.");
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new GenerationException("image-unreachable", "Image unreachable",
                    "The image could not be fetched: " + e.getMessage(), e);
        }
    }

    private static GenerationException rejected(String detail) {
        return new GenerationException("image-rejected", "Image rejected", detail);
    }
}
