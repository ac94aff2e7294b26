package dev.videogen.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The whole system as a user starts it: {@code ./run.sh}, on ports of its own so it does not collide with a
 * system a developer has running, with its data under target/.
 */
final class LocalSystem {

    /** Ports are {@code base + 80} (gateway), +81 status, +82 media, +83 worker, +92/+93 Kafka, +79 Redis, +90 S3. */
    final int gatewayPort;
    final int statusPort;
    final int mediaPort;
    final int workerPort;
    final int kafkaPort;
    final int redisPort;
    final int s3Port;
    final List<Integer> ports;

    /** An API client's bearer key and the owner it stands for. */
    static final String API_KEY = "e2e-secret-api-key";
    static final String API_OWNER = "api-client";

    private final Path root;
    private final Path dataDir;
    private final Path output;
    private final Map<String, String> extraEnv = new java.util.HashMap<>();
    private Process process;

    LocalSystem(Path dataDir, int requestedBase) {
        // -Dvideogen.e2e.portShift=N moves every port, so two checkouts can run the suite side by side.
        int base = requestedBase + Integer.getInteger("videogen.e2e.portShift", 0);
        this.gatewayPort = base + 80;
        this.statusPort = base + 81;
        this.mediaPort = base + 82;
        this.workerPort = base + 83;
        this.kafkaPort = base + 92;
        this.redisPort = base + 79;
        this.s3Port = base + 90;
        this.ports = List.of(gatewayPort, statusPort, mediaPort, workerPort, kafkaPort, kafkaPort + 1, redisPort, s3Port);
        String rootEnv = System.getenv("VIDEOGEN_ROOT");
        this.root = Path.of(rootEnv == null ? ".." : rootEnv).toAbsolutePath().normalize();
        this.dataDir = dataDir;
        this.output = dataDir.resolveSibling(dataDir.getFileName() + "-run.log");
    }

    String gateway() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    String kafka() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** Sets a variable for run.sh and the services, over the defaults above. */
    LocalSystem withEnv(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    String status() {
        return "http://127.0.0.1:" + statusPort;
    }

    void start() throws IOException {
        Files.createDirectories(dataDir);
        ProcessBuilder builder = new ProcessBuilder("bash", root.resolve("run.sh").toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        environment(builder.environment());
        int logBefore = log().length();
        process = builder.start();
        await("run.sh reports the system up").atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("run.sh exited with " + process.exitValue() + ":\n" + log());
                    }
                    return log().indexOf("Videogen is up", logBefore) >= 0;
                });
    }

    /** What run.sh and each component it starts see: this system's ports and data, then {@link #withEnv}. */
    private void environment(Map<String, String> env) {
        env.put("VIDEOGEN_DATA_DIR", dataDir.toString());
        env.put("VIDEOGEN_PORT", Integer.toString(gatewayPort));
        env.put("VIDEOGEN_STATUS_PORT", Integer.toString(statusPort));
        env.put("VIDEOGEN_MEDIA_PORT", Integer.toString(mediaPort));
        env.put("VIDEOGEN_WORKER_PORT", Integer.toString(workerPort));
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka());
        env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
        env.put("S3_ENDPOINT", "http://127.0.0.1:" + s3Port);
        env.put("VIDEOGEN_DEMO_SECONDS", "1");
        env.put("VIDEOGEN_API_KEYS", API_KEY + "=" + API_OWNER);
        env.remove("HF_TOKEN");
        env.remove("FAL_KEY");
        env.putAll(extraEnv);
    }

    /**
     * One component on its own ({@code ./run.sh component NAME [N]}: kafka, redis, s3, a service, or generation-worker
     * N), for tests that kill or restart a part of the system. Its output is appended to {@code logs/NAME.log}.
     */
    Process startComponent(String... nameAndArgs) throws IOException {
        Path log = componentLog(nameAndArgs);
        Files.createDirectories(log.getParent());
        java.util.List<String> command = new java.util.ArrayList<>(List.of("bash", root.resolve("run.sh").toString(), "component"));
        command.addAll(List.of(nameAndArgs));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        environment(builder.environment());
        return builder.start();
    }

    /** Where {@link #startComponent} writes the output of that component. */
    Path componentLog(String... nameAndArgs) {
        return dataDir.resolve("logs").resolve(String.join("-", nameAndArgs) + ".log");
    }

    /** Stops run.sh the way Ctrl-C would and returns its exit code. */
    int stop() throws InterruptedException, IOException {
        if (process == null) {
            return -1;
        }
        process.destroy(); // SIGTERM
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("run.sh did not stop within 90 s:\n" + log());
        }
        return process.exitValue();
    }

    String log() throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }

    Path dataDir() {
        return dataDir;
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
