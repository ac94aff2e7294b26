package dev.videogen.events;

import java.util.Optional;

/**
 * Tells an image's real type and pixel size from its header bytes alone, without decoding it, so a
 * decompression bomb costs nothing to reject. The file name and the declared content type are not trusted.
 * Shared because an image that arrives by URL in a request gets the same checks as an upload.
 */
public final class ImageHeaders {

    public record ImageInfo(String contentType, int width, int height) {
    }

    private ImageHeaders() {
    }

    public static Optional<ImageInfo> inspect(byte[] b) {
        if (startsWith(b, 0, new int[] {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) {
            return png(b);
        }
        if (startsWith(b, 0, new int[] {0xFF, 0xD8, 0xFF})) {
            return jpeg(b);
        }
        if (startsWith(b, 0, new int[] {'R', 'I', 'F', 'F'}) && startsWith(b, 8, new int[] {'W', 'E', 'B', 'P'})) {
            return webp(b);
        }
        return Optional.empty();
    }

    private static Optional<ImageInfo> png(byte[] b) {
        if (b.length < 24 || !startsWith(b, 12, new int[] {'I', 'H', 'D', 'R'})) {
            return Optional.empty();
        }
        return valid("image/png", be32(b, 16), be32(b, 20));
    }

    private static Optional<ImageInfo> jpeg(byte[] b) {
        int i = 2;
        while (i + 3 < b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                return Optional.empty();
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                i++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) { // end of image or start of scan before any frame header
                return Optional.empty();
            }
            int length = be16(b, i + 2);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                if (i + 9 > b.length) {
                    return Optional.empty();
                }
                return valid("image/jpeg", be16(b, i + 7), be16(b, i + 5));
            }
            if (length < 2) {
                return Optional.empty();
            }
            i += 2 + length;
        }
        return Optional.empty();
    }

    private static Optional<ImageInfo> webp(byte[] b) {
        if (b.length < 30) {
            return Optional.empty();
        }
        if (startsWith(b, 12, new int[] {'V', 'P', '8', ' '})) {
            if (!startsWith(b, 23, new int[] {0x9D, 0x01, 0x2A})) {
                return Optional.empty();
            }
            return valid("image/webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
        }
        if (startsWith(b, 12, new int[] {'V', 'P', '8', 'L'})) {
            if ((b[20] & 0xFF) != 0x2F) {
                return Optional.empty();
            }
            long bits = (b[21] & 0xFFL) | (b[22] & 0xFFL) << 8 | (b[23] & 0xFFL) << 16 | (b[24] & 0xFFL) << 24;
            return valid("image/webp", (int) (bits & 0x3FFF) + 1, (int) ((bits >> 14) & 0x3FFF) + 1);
        }
        if (startsWith(b, 12, new int[] {'V', 'P', '8', 'X'})) {
            return valid("image/webp", le24(b, 24) + 1, le24(b, 27) + 1);
        }
        return Optional.empty();
    }

    private static Optional<ImageInfo> valid(String type, long width, long height) {
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new ImageInfo(type, (int) width, (int) height));
    }

    private static boolean startsWith(byte[] b, int offset, int[] prefix) {
        if (b.length < offset + prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[offset + i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static long be32(byte[] b, int i) {
        return (b[i] & 0xFFL) << 24 | (b[i + 1] & 0xFFL) << 16 | (b[i + 2] & 0xFFL) << 8 | (b[i + 3] & 0xFFL);
    }

    private static int be16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int le24(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16;
    }
}
