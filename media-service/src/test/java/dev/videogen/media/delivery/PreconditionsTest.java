package dev.videogen.media.delivery;

import dev.videogen.media.delivery.Preconditions.Outcome;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PreconditionsTest {

    private static final String ETAG = "\"abc123\"";
    private static final Instant MODIFIED = Instant.parse("2026-11-25T12:00:00Z");
    private static final String MODIFIED_HTTP = "Wed, 25 Nov 2026 12:00:00 GMT";
    private static final Instant NOW = MODIFIED.plus(Duration.ofDays(2));

    private final Preconditions validators = new Preconditions(ETAG, MODIFIED);

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders headers = new HttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.add(nameValues[i], nameValues[i + 1]);
        }
        return headers;
    }

    private Outcome evaluate(String... nameValues) {
        return validators.evaluate(headers(nameValues), NOW);
    }

    @Test
    void noConditionsProceed() {
        assertThat(evaluate()).isEqualTo(Outcome.PROCEED);
    }

    @Test
    void ifNoneMatchComparesWeakly() {
        assertThat(evaluate("If-None-Match", ETAG)).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-None-Match", "W/" + ETAG)).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-None-Match", "\"other\", " + ETAG)).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-None-Match", "*")).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-None-Match", "\"other\"")).isEqualTo(Outcome.PROCEED);
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() {
        assertThat(evaluate("If-None-Match", "\"other\"", "If-Modified-Since", MODIFIED_HTTP)).isEqualTo(Outcome.PROCEED);
    }

    @Test
    void ifModifiedSince() {
        assertThat(evaluate("If-Modified-Since", MODIFIED_HTTP)).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-Modified-Since", "Thu, 26 Nov 2026 12:00:00 GMT")).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-Modified-Since", "Tue, 24 Nov 2026 12:00:00 GMT")).isEqualTo(Outcome.PROCEED);
    }

    @Test
    void ifModifiedSinceInTheFutureIsIgnored() {
        assertThat(evaluate("If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT")).isEqualTo(Outcome.PROCEED);
    }

    @Test
    void obsoleteDateFormsAreUnderstood() {
        assertThat(evaluate("If-Modified-Since", "Wednesday, 25-Nov-26 12:00:00 GMT")).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(evaluate("If-Modified-Since", "Wed Nov 25 12:00:00 2026")).isEqualTo(Outcome.NOT_MODIFIED);
        assertThat(Preconditions.date("Sun Nov  6 08:49:37 1994")).contains(Instant.parse("1994-11-06T08:49:37Z"));
    }

    @Test
    void malformedConditionsAreIgnored() {
        assertThat(evaluate("If-Modified-Since", "yesterday")).isEqualTo(Outcome.PROCEED);
        assertThat(evaluate("If-None-Match", "abc123")).isEqualTo(Outcome.PROCEED);
        assertThat(evaluate("If-None-Match", "\"unterminated")).isEqualTo(Outcome.PROCEED);
        assertThat(evaluate("If-Unmodified-Since", "not a date")).isEqualTo(Outcome.PROCEED);
    }

    @Test
    void ifMatchComparesStrongly() {
        assertThat(evaluate("If-Match", ETAG)).isEqualTo(Outcome.PROCEED);
        assertThat(evaluate("If-Match", "*")).isEqualTo(Outcome.PROCEED);
        assertThat(evaluate("If-Match", "W/" + ETAG)).isEqualTo(Outcome.PRECONDITION_FAILED);
        assertThat(evaluate("If-Match", "\"other\"")).isEqualTo(Outcome.PRECONDITION_FAILED);
    }

    @Test
    void ifUnmodifiedSince() {
        assertThat(evaluate("If-Unmodified-Since", MODIFIED_HTTP)).isEqualTo(Outcome.PROCEED);
        assertThat(evaluate("If-Unmodified-Since", "Tue, 24 Nov 2026 12:00:00 GMT")).isEqualTo(Outcome.PRECONDITION_FAILED);
    }

    @Test
    void ifRangeNeedsAStrongMatchOrTheExactDate() {
        assertThat(validators.rangeApplies(headers())).isTrue();
        assertThat(validators.rangeApplies(headers("If-Range", ETAG))).isTrue();
        assertThat(validators.rangeApplies(headers("If-Range", MODIFIED_HTTP))).isTrue();
        assertThat(validators.rangeApplies(headers("If-Range", "\"stale\""))).isFalse();
        assertThat(validators.rangeApplies(headers("If-Range", "W/" + ETAG))).isFalse();
        assertThat(validators.rangeApplies(headers("If-Range", "Thu, 26 Nov 2026 12:00:00 GMT"))).isFalse();
        assertThat(validators.rangeApplies(headers("If-Range", "garbage"))).isFalse();
    }

    @Test
    void entityTagLists() {
        assertThat(Preconditions.entityTags(List.of("\"a\", W/\"b\" ,\"c,d\"", "*", "junk, \"e\"")))
                .containsExactly("\"a\"", "W/\"b\"", "\"c,d\"", "*", "\"e\"");
    }
}
