package dev.videogen.status;

import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real redis-server (the binary inside embedded-redis) on a free port, once per test JVM, without persistence. */
final class EmbeddedRedis {

    private static RedisServer server;
    private static int port;

    private EmbeddedRedis() {
    }

    static synchronized String url() {
        if (server == null) {
            try {
                port = freePort();
                Path dir = Files.createTempDirectory("status-service-redis");
                server = RedisServer.newRedisServer()
                        .bind("127.0.0.1")
                        .port(port)
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .setting("dir " + dir)
                        .build();
                server.start();
                RedisServer started = server;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        started.stop();
                    } catch (IOException ignored) {
                        // the JVM is going away anyway
                    }
                }));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "redis://127.0.0.1:" + port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
