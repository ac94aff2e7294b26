package dev.videogen.media;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class MediaApplicationTest {

    @Test
    void startsOneHttpEventLoopPerCoreUnlessTheOperatorChoseACount() {
        Properties system = new Properties();
        MediaApplication.oneEventLoopPerCore(system, 2);
        assertThat(system.getProperty(MediaApplication.EVENT_LOOPS)).isEqualTo("2");

        Properties chosen = new Properties();
        chosen.setProperty(MediaApplication.EVENT_LOOPS, "6");
        MediaApplication.oneEventLoopPerCore(chosen, 2);
        assertThat(chosen.getProperty(MediaApplication.EVENT_LOOPS)).isEqualTo("6");
    }
}
