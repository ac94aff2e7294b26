package dev.videogen.events;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class ImageHeadersTest {

    @Test
    void readsPngAndJpegSizesFromTheirHeaders() throws IOException {
        assertThat(ImageHeaders.inspect(encode("png", 640, 360)))
                .hasValue(new ImageHeaders.ImageInfo("image/png", 640, 360));
        assertThat(ImageHeaders.inspect(encode("jpg", 300, 500)))
                .hasValue(new ImageHeaders.ImageInfo("image/jpeg", 300, 500));
    }

    @Test
    void readsTheThreeWebpFlavours() {
        // lossy VP8: frame tag, start code 9d 01 2a, then 14-bit width and height (little endian)
        byte[] lossy = webp("VP8 ", "0000009d012a" + "8002" + "6801");
        assertThat(ImageHeaders.inspect(lossy)).hasValue(new ImageHeaders.ImageInfo("image/webp", 640, 360));
        // lossless VP8L: signature 2f, then (width-1) and (height-1) in 14 bits each
        int bits = (99) | (49 << 14);
        byte[] lossless = webp("VP8L", "2f" + String.format("%02x%02x%02x%02x", bits & 0xFF, (bits >> 8) & 0xFF,
                (bits >> 16) & 0xFF, (bits >> 24) & 0xFF) + "000000000000");
        assertThat(ImageHeaders.inspect(lossless)).hasValue(new ImageHeaders.ImageInfo("image/webp", 100, 50));
        // extended VP8X: flags, reserved, then canvas (width-1) and (height-1) in 24 bits each
        byte[] extended = webp("VP8X", "00000000" + "ff0f00" + "ff0700" + "0000");
        assertThat(ImageHeaders.inspect(extended)).hasValue(new ImageHeaders.ImageInfo("image/webp", 4096, 2048));
    }

    @Test
    void refusesWhatIsNotAnImageWhateverItsName() {
        assertThat(ImageHeaders.inspect("GIF89a".getBytes())).isEmpty();
        assertThat(ImageHeaders.inspect(new byte[0])).isEmpty();
        assertThat(ImageHeaders.inspect(HexFormat.of().parseHex("89504e470d0a1a0a"))).isEmpty();
        assertThat(ImageHeaders.inspect(HexFormat.of().parseHex("ffd8ffd9"))).isEmpty();
    }

    private static byte[] webp(String chunk, String payloadHex) {
        byte[] payload = HexFormat.of().parseHex(payloadHex);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes());
        out.writeBytes(new byte[] {0, 0, 0, 0});
        out.writeBytes("WEBP".getBytes());
        out.writeBytes(chunk.getBytes());
        out.writeBytes(new byte[] {(byte) payload.length, 0, 0, 0});
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] encode(String format, int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), format, out);
        return out.toByteArray();
    }
}
