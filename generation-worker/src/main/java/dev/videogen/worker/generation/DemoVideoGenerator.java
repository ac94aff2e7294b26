package dev.videogen.worker.generation;

import dev.videogen.worker.WorkerProperties;
import dev.videogen.worker.demo.DemoVideoRenderer;
import dev.videogen.worker.demo.RenderedVideo;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The offline generator: a real MP4 (H.264 + AAC) with a slow camera move over the uploaded image. It takes
 * {@code VIDEOGEN_DEMO_SECONDS} in all, like a model would take its time, and reports progress twice a second.
 */
public final class DemoVideoGenerator implements VideoGenerator {

    private static final long TICK_MILLIS = 500;

    private final DemoVideoRenderer renderer = new DemoVideoRenderer();
    private final ExecutorService renderThreads;
    private final Duration duration;

    public DemoVideoGenerator(WorkerProperties properties, ExecutorService renderThreads) {
        this.renderThreads = renderThreads;
        this.duration = Duration.ofMillis(Math.round(properties.demoSeconds() * 1000));
    }

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public GeneratedVideo generate(GenerationInput input, JobEvents events) throws GenerationException, InterruptedException {
        long start = System.nanoTime();
        AtomicReference<Double> rendered = new AtomicReference<>(0.0);
        CompletableFuture<RenderedVideo> render = CompletableFuture.supplyAsync(() -> {
            try {
                return renderer.render(input.image(), rendered::set);
            } catch (IOException e) {
                throw new RenderFailure(e);
            }
        }, renderThreads);
        try {
            while (true) {
                try {
                    RenderedVideo video = render.get(TICK_MILLIS, TimeUnit.MILLISECONDS);
                    long left = duration.toMillis() - elapsedMillis(start);
                    if (left <= 0) {
                        return new GeneratedVideo(video.mp4(), video.posterJpeg(), video.durationMs());
                    }
                    report(events, rendered.get(), start);
                    TimeUnit.MILLISECONDS.sleep(Math.min(TICK_MILLIS, left));
                } catch (TimeoutException still) {
                    report(events, rendered.get(), start);
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof RenderFailure f ? f.getCause() : e.getCause();
            throw new GenerationException("image-unreadable", "Image could not be used",
                    "The demo generator could not read the image: " + cause.getMessage(), cause);
        } finally {
            render.cancel(true);
        }
    }

    /** Progress follows whichever is behind: the frames rendered, or the time the demo is meant to take. */
    private void report(JobEvents events, double renderedFraction, long start) {
        double timeFraction = duration.isZero() ? 1.0 : Math.min(1.0, elapsedMillis(start) / (double) duration.toMillis());
        int progress = (int) Math.floor(95 * Math.min(renderedFraction, timeFraction));
        int eta = (int) Math.max(1, Math.ceil((duration.toMillis() - elapsedMillis(start)) / 1000.0));
        events.progressed(progress, renderedFraction < 1.0 ? "rendering frames" : "mixing sound", null, eta);
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static final class RenderFailure extends RuntimeException {
        RenderFailure(IOException cause) {
            super(cause);
        }
    }
}
