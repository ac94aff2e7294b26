package dev.videogen.worker.ovi;

import dev.videogen.worker.media.Mp4;
import dev.videogen.worker.support.TestMedia;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

class OviClientUnitTest {

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        assertThat(OviClient.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(OviClient.retryAfter(null)).isNull();
        assertThat(OviClient.retryAfter("soon")).isNull();
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(10));
        assertThat(OviClient.retryAfter(inTenSeconds)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
    }

    @Test
    void secretsNeverPrintThemselves() {
        Secret secret = new Secret("hf_abcdef123456");
        assertThat(secret.toString()).doesNotContain("abcdef");
        assertThat(secret.redact("bad token hf_abcdef123456 given")).isEqualTo("bad token [redacted] given");
    }

    @Test
    void anMp4StartsWithAnFtypBox() {
        assertThat(Mp4.startsWithFtyp(TestMedia.mp4())).isTrue();
        assertThat(Mp4.startsWithFtyp("<html><body>nope</body></html>".getBytes())).isFalse();
        assertThat(Mp4.startsWithFtyp(TestMedia.png())).isFalse();
        assertThat(Mp4.startsWithFtyp(new byte[] {0, 0, 0})).isFalse();
    }
}
