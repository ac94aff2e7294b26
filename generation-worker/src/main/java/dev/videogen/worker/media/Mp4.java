package dev.videogen.worker.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Recognises an ISO base media file (MP4) by its first box, which must be {@code ftyp}. */
public final class Mp4 {

    private Mp4() {
    }

    /** Whether the bytes start with an {@code ftyp} box of a plausible size. */
    public static boolean startsWithFtyp(byte[] head) {
        if (head.length < 12) {
            return false;
        }
        long size = (head[0] & 0xFFL) << 24 | (head[1] & 0xFFL) << 16 | (head[2] & 0xFFL) << 8 | (head[3] & 0xFFL);
        boolean ftyp = "ftyp".equals(new String(head, 4, 4, StandardCharsets.US_ASCII));
        // size 1 means a 64-bit size follows; otherwise the box holds at least the major brand and minor version
        return ftyp && (size == 1 || (size >= 16 && size <= 4096));
    }

    public static boolean startsWithFtyp(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return startsWithFtyp(in.readNBytes(16));
        }
    }
}
