package dev.videogen.media.delivery;

import dev.videogen.media.delivery.ByteRange.Partial;
import dev.videogen.media.delivery.ByteRange.Unsatisfiable;
import dev.videogen.media.delivery.ByteRange.Whole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ByteRangeTest {

    private static final long LENGTH = 1000;

    private static ByteRange.Result parse(String header) {
        return ByteRange.parse(header, LENGTH);
    }

    private static Partial partial(long start, long end) {
        return new Partial(new ByteRange(start, end));
    }

    @Test
    void noHeaderIsTheWholeBody() {
        assertThat(parse(null)).isEqualTo(new Whole());
    }

    @Test
    void firstToLast() {
        assertThat(parse("bytes=0-99")).isEqualTo(partial(0, 99));
        assertThat(parse("bytes=100-199")).isEqualTo(partial(100, 199));
        assertThat(parse("bytes=0-0")).isEqualTo(partial(0, 0));
        assertThat(parse("bytes=999-999")).isEqualTo(partial(999, 999));
        assertThat(((Partial) parse("bytes=10-19")).range().length()).isEqualTo(10);
    }

    @Test
    void openEnded() {
        assertThat(parse("bytes=0-")).isEqualTo(partial(0, 999));
        assertThat(parse("bytes=500-")).isEqualTo(partial(500, 999));
        assertThat(parse("bytes=999-")).isEqualTo(partial(999, 999));
    }

    @Test
    void suffix() {
        assertThat(parse("bytes=-1")).isEqualTo(partial(999, 999));
        assertThat(parse("bytes=-100")).isEqualTo(partial(900, 999));
        assertThat(parse("bytes=-1000")).isEqualTo(partial(0, 999));
    }

    @Test
    void suffixLongerThanTheBodyIsTheWholeBodyAsARange() {
        assertThat(parse("bytes=-5000")).isEqualTo(partial(0, 999));
    }

    @Test
    void zeroSuffixIsUnsatisfiable() {
        assertThat(parse("bytes=-0")).isEqualTo(new Unsatisfiable());
        assertThat(parse("bytes=-000")).isEqualTo(new Unsatisfiable());
    }

    @Test
    void firstPositionBeyondTheLengthIsUnsatisfiable() {
        assertThat(parse("bytes=1000-")).isEqualTo(new Unsatisfiable());
        assertThat(parse("bytes=1000-1000")).isEqualTo(new Unsatisfiable());
        assertThat(parse("bytes=5000-6000")).isEqualTo(new Unsatisfiable());
    }

    @Test
    void lastPositionBeyondTheLengthIsClampedToTheEnd() {
        assertThat(parse("bytes=0-1000")).isEqualTo(partial(0, 999));
        assertThat(parse("bytes=900-5000")).isEqualTo(partial(900, 999));
    }

    @Test
    void hugeNumbersSaturateInsteadOfFailing() {
        assertThat(parse("bytes=0-99999999999999999999999999")).isEqualTo(partial(0, 999));
        assertThat(parse("bytes=99999999999999999999999999-")).isEqualTo(new Unsatisfiable());
        assertThat(parse("bytes=99999999999999999999999999-99999999999999999999999999")).isEqualTo(new Unsatisfiable());
        assertThat(parse("bytes=-99999999999999999999999999")).isEqualTo(partial(0, 999));
        assertThat(parse("bytes=9223372036854775807-")).isEqualTo(new Unsatisfiable());
        assertThat(parse("bytes=9223372036854775808-")).isEqualTo(new Unsatisfiable());
        assertThat(ByteRange.parse("bytes=9223372036854775806-", Long.MAX_VALUE))
                .isEqualTo(new Partial(new ByteRange(Long.MAX_VALUE - 1, Long.MAX_VALUE - 1)));
    }

    @Test
    void leadingZerosAreJustDigits() {
        assertThat(parse("bytes=000000000000000000000000010-000000000000000000000000019")).isEqualTo(partial(10, 19));
    }

    @Test
    void unitIsCaseInsensitiveAndWhitespaceAroundTheSpecIsAllowed() {
        assertThat(parse("Bytes=0-9")).isEqualTo(partial(0, 9));
        assertThat(parse("BYTES=0-9")).isEqualTo(partial(0, 9));
        assertThat(parse("bytes= 0-9 ")).isEqualTo(partial(0, 9));
        assertThat(parse("bytes=0-9, ")).isEqualTo(partial(0, 9));
    }

    @Test
    void severalRangesAreServedAsTheWholeBody() {
        assertThat(parse("bytes=0-9,20-29")).isEqualTo(new Whole());
        assertThat(parse("bytes=0-9, -5")).isEqualTo(new Whole());
        assertThat(parse("bytes=5000-,6000-")).isEqualTo(new Whole());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bytes", "bytes=", "bytes=-", "bytes=abc", "bytes=a-b", "bytes=5-3", "bytes=1-2-3",
            "bytes=--5", "bytes=+5-", "bytes=-5-", "bytes=0x10-20", "bytes=1.5-2", "items=0-9", "0-9", "=0-9",
            "bytes 0-9", "bytes=0 - 9", "bytes=,", "bytes=١-٢", "bytes=0-9;x"})
    void garbageIsIgnored(String header) {
        assertThat(parse(header)).isEqualTo(new Whole());
    }

    @Test
    void anEmptyRepresentationSatisfiesNoRange() {
        assertThat(ByteRange.parse("bytes=0-", 0)).isEqualTo(new Unsatisfiable());
        assertThat(ByteRange.parse("bytes=0-0", 0)).isEqualTo(new Unsatisfiable());
        assertThat(ByteRange.parse("bytes=-10", 0)).isEqualTo(new Unsatisfiable());
        assertThat(ByteRange.parse("bytes=abc", 0)).isEqualTo(new Whole());
    }
}
