package dev.videogen.media.delivery;

import org.springframework.http.HttpHeaders;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The conditional headers of a GET or HEAD, evaluated in the order of RFC 9110 section 13.2.2 against the current
 * validators: a strong entity tag (quoted) and the last-modified time (whole seconds). Header values that cannot be
 * parsed are treated as absent or as not matching, never as an error.
 */
record Preconditions(String etag, Instant lastModified) {

    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US);
    private static final DateTimeFormatter ASCTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US);

    enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

    Outcome evaluate(HttpHeaders headers, Instant now) {
        List<String> ifMatch = headers.getOrEmpty(HttpHeaders.IF_MATCH);
        if (!ifMatch.isEmpty()) {
            if (!matches(ifMatch, true)) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else {
            Optional<Instant> unmodifiedSince = date(headers.getFirst(HttpHeaders.IF_UNMODIFIED_SINCE));
            if (unmodifiedSince.isPresent() && lastModified.isAfter(unmodifiedSince.get())) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        List<String> ifNoneMatch = headers.getOrEmpty(HttpHeaders.IF_NONE_MATCH);
        if (!ifNoneMatch.isEmpty()) {
            return matches(ifNoneMatch, false) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
        }
        Optional<Instant> modifiedSince = date(headers.getFirst(HttpHeaders.IF_MODIFIED_SINCE))
                .filter(since -> !since.isAfter(now)); // a date in the future is invalid (section 13.1.3)
        if (modifiedSince.isPresent() && !lastModified.isAfter(modifiedSince.get())) {
            return Outcome.NOT_MODIFIED;
        }
        return Outcome.PROCEED;
    }

    /**
     * If-Range (section 13.1.5): the Range header applies only when the validator names the current representation;
     * an entity tag is compared strongly (a weak one never matches), a date must equal Last-Modified exactly.
     */
    boolean rangeApplies(HttpHeaders headers) {
        String ifRange = headers.getFirst(HttpHeaders.IF_RANGE);
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.strip();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(etag);
        }
        return date(value).map(lastModified::equals).orElse(false);
    }

    /** Whether an If-Match (strong comparison) or If-None-Match (weak comparison) list names the current tag. */
    private boolean matches(List<String> headerValues, boolean strong) {
        for (String tag : entityTags(headerValues)) {
            if (tag.equals("*")) {
                return true;
            }
            boolean weak = tag.startsWith("W/");
            if (strong && weak) {
                continue;
            }
            if ((weak ? tag.substring(2) : tag).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** The entity tags of a header list such as {@code "a", W/"b"}; elements that are not entity tags are skipped. */
    static List<String> entityTags(List<String> headerValues) {
        List<String> tags = new ArrayList<>();
        for (String value : headerValues) {
            int i = 0;
            int n = value.length();
            while (i < n) {
                char c = value.charAt(i);
                if (c == ' ' || c == '\t' || c == ',') {
                    i++;
                    continue;
                }
                if (c == '*') {
                    tags.add("*");
                    i++;
                    continue;
                }
                int start = i;
                if (value.startsWith("W/", i)) {
                    i += 2;
                }
                if (i < n && value.charAt(i) == '"') {
                    int close = value.indexOf('"', i + 1);
                    if (close < 0) {
                        break; // unterminated: nothing more to read
                    }
                    tags.add(value.substring(start, close + 1));
                    i = close + 1;
                } else {
                    int next = value.indexOf(',', i);
                    i = next < 0 ? n : next + 1; // not an entity tag: skip the element
                }
            }
        }
        return tags;
    }

    /** An HTTP-date in any of the three forms a recipient must accept (section 5.6.7), at second precision. */
    static Optional<Instant> date(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.strip();
        try {
            return Optional.of(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException ignored) {
            // try the obsolete forms
        }
        try {
            return Optional.of(LocalDateTime.parse(text, RFC_850).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException ignored) {
            // try the last form
        }
        try {
            return Optional.of(LocalDateTime.parse(text, ASCTIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
