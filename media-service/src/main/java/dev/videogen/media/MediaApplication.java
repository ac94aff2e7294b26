package dev.videogen.media;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import java.util.Properties;

@SpringBootApplication
@ConfigurationPropertiesScan
public class MediaApplication {

    static final String EVENT_LOOPS = "reactor.netty.ioWorkerCount";

    public static void main(String[] args) {
        oneEventLoopPerCore(System.getProperties(), Runtime.getRuntime().availableProcessors());
        SpringApplication.run(MediaApplication.class, args);
    }

    /**
     * One HTTP event loop per core the JVM may use (in a container: its CPU limit), unless set otherwise. Reactor
     * Netty's default is at least 4, which on fewer cores makes the loops that send the videos take turns on them;
     * measured on 2 cores against nginx, one per core was ahead in every cell (docs/benchmarks.md § 1).
     */
    static void oneEventLoopPerCore(Properties system, int cores) {
        if (system.getProperty(EVENT_LOOPS) == null) {
            system.setProperty(EVENT_LOOPS, String.valueOf(Math.max(1, cores)));
        }
    }
}
