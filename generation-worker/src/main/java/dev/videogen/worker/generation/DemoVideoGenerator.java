package dev.videogen.worker.generation;

import dev.videogen.worker.WorkerProperties;
import dev.videogen.worker.demo.DemoVideoRenderer;
import dev.videogen.worker.demo.RenderedVideo;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The offline generator: a real MP4 (H.264 + AAC) with a slow camera move over the uploaded image. It takes
 * {@code VIDEOGEN_DEMO_SECONDS} in all, like a model would take its time, and reports progress twice a second. The
 * render runs on the CPU threads; the waiting is a timer, so a demo job holds no thread while it waits.
 */
public final class DemoVideoGenerator implements VideoGenerator {

    private static final Duration TICK = Duration.ofMillis(500);

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
    public Mono<GeneratedVideo> generate(GenerationInput input, GenerationRun run) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            AtomicReference<Double> rendered = new AtomicReference<>(0.0);
            Mono<GeneratedVideo> video = render(input.image(), rendered)
                    .doOnTerminate(input::releaseImage)
                    .onErrorMap(e -> !(e instanceof GenerationException), e -> new GenerationException(
                            "image-unreadable", "Image could not be used",
                            "The demo generator could not read the image: " + e.getMessage(), e))
                    .delayUntil(done -> Mono.delay(remaining(start)))
                    .map(DemoVideoGenerator::toFile);
            return Mono.using(
                    () -> Flux.interval(Duration.ZERO, TICK).subscribe(tick -> report(run, rendered.get(), start)),
                    ticker -> video,
                    ticker -> ticker.dispose());
        });
    }

    /** Renders on the CPU threads; cancelling interrupts the render. */
    private Mono<RenderedVideo> render(byte[] image, AtomicReference<Double> rendered) {
        return Mono.create(sink -> {
            Future<?> task = renderThreads.submit(() -> {
                try {
                    sink.success(renderer.render(image, rendered::set));
                } catch (IOException | RuntimeException e) {
                    sink.error(e);
                }
            });
            sink.onCancel(() -> task.cancel(true));
        });
    }

    private Duration remaining(long startNanos) {
        long left = duration.toMillis() - elapsedMillis(startNanos);
        return Duration.ofMillis(Math.max(0, left));
    }

    private static GeneratedVideo toFile(RenderedVideo video) {
        try {
            Path file = Files.createTempFile("videogen-demo-", ".mp4");
            Files.write(file, video.mp4());
            return new GeneratedVideo(file, video.mp4().length, video.posterJpeg(), video.durationMs());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Progress follows whichever is behind: the frames rendered, or the time the demo is meant to take. */
    private void report(GenerationRun run, double renderedFraction, long start) {
        double timeFraction = duration.isZero() ? 1.0 : Math.min(1.0, elapsedMillis(start) / (double) duration.toMillis());
        int progress = (int) Math.floor(95 * Math.min(renderedFraction, timeFraction));
        int eta = (int) Math.max(1, Math.ceil((duration.toMillis() - elapsedMillis(start)) / 1000.0));
        run.progressed(progress, renderedFraction < 1.0 ? "rendering frames" : "mixing sound", null, eta);
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
