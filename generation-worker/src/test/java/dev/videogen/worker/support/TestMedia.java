package dev.videogen.worker.support;

import dev.videogen.worker.demo.DemoVideoRenderer;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Real media for the tests: small PNG and JPEG images, and a real H.264/AAC MP4 (rendered once per JVM). */
public final class TestMedia {

    private static volatile byte[] mp4;

    private TestMedia() {
    }

    public static byte[] png() {
        return encode("png", BufferedImage.TYPE_INT_ARGB);
    }

    public static byte[] jpeg() {
        return encode("jpeg", BufferedImage.TYPE_INT_RGB);
    }

    public static String dataUri(String type, byte[] bytes) {
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /** A real MP4 as the provider would return it (the demo renderer's output, about 1.5 s to make). */
    public static synchronized byte[] mp4() {
        if (mp4 == null) {
            try {
                mp4 = new DemoVideoRenderer().render(png(), null).mp4();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return mp4;
    }

    private static byte[] encode(String format, int type) {
        BufferedImage image = new BufferedImage(96, 64, type);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(20, 60, 140), 96, 64, new Color(240, 170, 60)));
        g.fillRect(0, 0, 96, 64);
        g.dispose();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(image, format, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
