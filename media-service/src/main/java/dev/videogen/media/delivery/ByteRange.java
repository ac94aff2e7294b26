package dev.videogen.media.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of a representation of known length, per RFC 9110 section 14.1.2. A header that is not a valid
 * bytes range set is ignored (the whole body is sent, as section 14.2 allows); so is a request for several ranges,
 * which players never send and which would need multipart/byteranges.
 */
record ByteRange(long start, long end) {

    private static final Pattern SPEC = Pattern.compile("(\\d*)-(\\d*)");

    /** Outcome of reading a Range header against a length. */
    sealed interface Result permits Whole, Partial, Unsatisfiable {
    }

    /** No usable range: send the whole representation with 200. */
    record Whole() implements Result {
    }

    /** Send this part with 206. */
    record Partial(ByteRange range) implements Result {
    }

    /** A valid range set none of whose ranges overlaps the representation: 416. */
    record Unsatisfiable() implements Result {
    }

    long length() {
        return end - start + 1;
    }

    static Result parse(String header, long length) {
        if (header == null) {
            return new Whole();
        }
        int eq = header.indexOf('=');
        if (eq < 0 || !header.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return new Whole(); // not a range request we understand
        }
        List<String> specs = new ArrayList<>();
        for (String element : header.substring(eq + 1).split(",", -1)) {
            if (!element.isBlank()) { // the list syntax allows empty elements
                specs.add(element.strip());
            }
        }
        if (specs.size() != 1) {
            return new Whole();
        }
        Matcher m = SPEC.matcher(specs.get(0));
        if (!m.matches()) {
            return new Whole();
        }
        String first = m.group(1);
        String last = m.group(2);
        if (first.isEmpty()) {
            if (last.isEmpty()) {
                return new Whole(); // "bytes=-"
            }
            long suffix = saturatedNumber(last);
            if (suffix == 0 || length == 0) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(length - Math.min(suffix, length), length - 1));
        }
        long start = saturatedNumber(first);
        long end = last.isEmpty() ? Long.MAX_VALUE : saturatedNumber(last);
        if (end < start) {
            return new Whole(); // invalid range-spec: ignore the header
        }
        if (start >= length) {
            return new Unsatisfiable();
        }
        return new Partial(new ByteRange(start, Math.min(end, length - 1)));
    }

    /** Digits as a number, or Long.MAX_VALUE when larger: a huge position is simply beyond any representation. */
    private static long saturatedNumber(String digits) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int digit = digits.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
