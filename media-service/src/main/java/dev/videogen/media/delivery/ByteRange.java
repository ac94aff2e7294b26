package dev.videogen.media.delivery;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a representation of known length, per RFC 9110 section 14.1.2. A header we cannot parse is
 * ignored (the whole body is sent); several ranges are served as the whole body too, which the RFC allows.
 */
record ByteRange(long start, long end) {

    private static final Pattern SINGLE = Pattern.compile("\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    /** Outcome of reading a Range header against a length. */
    sealed interface Result permits Whole, Partial, Unsatisfiable {
    }

    record Whole() implements Result {
    }

    record Partial(ByteRange range) implements Result {
    }

    record Unsatisfiable() implements Result {
    }

    long length() {
        return end - start + 1;
    }

    static Result parse(String header, long length) {
        if (header == null) {
            return new Whole();
        }
        Matcher m = SINGLE.matcher(header);
        if (!m.matches()) {
            return new Whole();
        }
        String first = m.group(1);
        String last = m.group(2);
        Optional<Long> a = number(first);
        Optional<Long> b = number(last);
        if (first.isEmpty() && last.isEmpty() || (!first.isEmpty() && a.isEmpty()) || (!last.isEmpty() && b.isEmpty())) {
            return new Whole();
        }
        if (first.isEmpty()) { // suffix: the last n bytes
            long n = b.get();
            if (n == 0 || length == 0) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(Math.max(0, length - n), length - 1));
        }
        long start = a.get();
        if (b.isPresent() && b.get() < start) {
            return new Whole(); // syntactically invalid: ignore
        }
        if (start >= length) {
            return new Unsatisfiable();
        }
        long end = b.map(v -> Math.min(v, length - 1)).orElse(length - 1);
        return new Partial(new ByteRange(start, end));
    }

    private static Optional<Long> number(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(digits));
    }
}
