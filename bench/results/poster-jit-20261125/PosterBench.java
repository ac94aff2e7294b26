import dev.videogen.worker.media.*;
import org.bytedeco.javacv.*;
import java.nio.file.*;
import java.awt.image.BufferedImage;
public class PosterBench {
  public static void main(String[] a) throws Exception {
    Path v = Path.of(a[0]);
    PosterExtractor p = new PosterExtractor();
    Ffmpeg.load();
    for (int i = 0; i < 40; i++) {
      long t0 = System.nanoTime();
      FFmpegFrameGrabber g = new FFmpegFrameGrabber(v.toFile());
      g.setOption("probesize", "65536"); g.setOption("analyzeduration", "0"); g.setVideoOption("threads", "1");
      g.start(); long t1 = System.nanoTime();
      Frame f = g.grabImage(); long t2 = System.nanoTime();
      Java2DFrameConverter c = new Java2DFrameConverter();
      BufferedImage img = c.convert(f); long t3 = System.nanoTime();
      byte[] j = Ffmpeg.encodeJpeg(img, 0.85f); long t4 = System.nanoTime();
      g.close(); c.close(); long t5 = System.nanoTime();
      long t6 = System.nanoTime(); p.extract(v); long t7 = System.nanoTime();
      if (i % 5 == 4) System.out.printf("start %.1f grab %.1f conv %.1f jpeg %.1f close %.1f | extract %.1f ms (%dx%d, %d B)%n",
        (t1-t0)/1e6,(t2-t1)/1e6,(t3-t2)/1e6,(t4-t3)/1e6,(t5-t4)/1e6,(t7-t6)/1e6, img.getWidth(), img.getHeight(), j.length);
    }
  }
}
