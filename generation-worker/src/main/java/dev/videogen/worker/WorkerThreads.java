package dev.videogen.worker;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker's thread pools, each bounded: {@code io} for blocking calls (object store, Kafka sends, image fetches),
 * {@code cpu} for rendering and decoding. Timers and HTTP need no pool of their own (Reactor's timer and Netty's
 * event loops), so a job that waits on its provider holds no thread.
 */
public record WorkerThreads(Scheduler io, ExecutorService cpu, Scheduler cpuScheduler) {

    public static WorkerThreads create(int cpuThreads, int ioThreads) {
        AtomicInteger count = new AtomicInteger();
        ExecutorService cpu = Executors.newFixedThreadPool(cpuThreads, task -> {
            Thread thread = new Thread(task, "worker-cpu-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Scheduler io = Schedulers.newBoundedElastic(ioThreads, 100_000, "worker-io", 60, true);
        return new WorkerThreads(io, cpu, Schedulers.fromExecutorService(cpu, "worker-cpu"));
    }

    /** The I/O pool as a plain executor, for CompletableFuture stages. */
    public Executor ioExecutor() {
        return task -> io.schedule(task);
    }

    public void close() {
        io.dispose();
        cpuScheduler.dispose();
        cpu.shutdownNow();
    }
}
