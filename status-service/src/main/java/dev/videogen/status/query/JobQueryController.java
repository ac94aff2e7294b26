package dev.videogen.status.query;

import dev.videogen.events.VideoJob;
import dev.videogen.web.Problems;
import dev.videogen.status.fold.JobStore;
import dev.videogen.status.fold.StoredJob;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Polling and history (deleting and canceling are in {@code control}). Another owner's job is indistinguishable from
 * a missing one: 404 either way.
 */
@RestController
class JobQueryController {

    static final String OWNER = "X-Videogen-Owner";

    private final JobStore store;

    JobQueryController(JobStore store) {
        this.store = store;
    }

    @GetMapping("/api/video-jobs/{jobId}")
    Mono<VideoJob> job(@PathVariable String jobId, @RequestHeader(name = OWNER, required = false) String owner) {
        return store.findOwned(jobId, owner).map(StoredJob::job);
    }

    @GetMapping("/api/video-jobs")
    Mono<?> list(@RequestParam(required = false) String jobId, @RequestParam(required = false) String cursor,
                 @RequestParam(required = false) String limit,
                 @RequestHeader(name = OWNER, required = false) String owner) {
        if (jobId != null) {
            return job(jobId, owner);
        }
        int size = parseLimit(limit);
        String after = cursor == null || cursor.isBlank() ? null : decodeCursor(cursor);
        if (owner == null || owner.isBlank()) {
            return Mono.just(new JobPage(List.of(), null));
        }
        return store.history(owner, after, size).map(page -> new JobPage(
                page.items().stream().map(StoredJob::job).toList(),
                page.nextMember() == null ? null : encodeCursor(page.nextMember())));
    }

    record JobPage(List<VideoJob> items, String nextCursor) {
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isBlank()) {
            return 20;
        }
        try {
            int value = Integer.parseInt(limit.strip());
            if (value >= 1 && value <= 100) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the problem below
        }
        throw Problems.of(HttpStatus.BAD_REQUEST, "invalid-limit", "Invalid limit",
                "limit must be a whole number from 1 to 100.");
    }

    /** The cursor is the last history member of the page, opaque to clients. */
    private static String encodeCursor(String member) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(member.getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeCursor(String cursor) {
        try {
            String member = new String(Base64.getUrlDecoder().decode(cursor.strip()), StandardCharsets.UTF_8);
            if (member.matches("\\d{15}:.+")) {
                return member;
            }
        } catch (IllegalArgumentException ignored) {
            // falls through to the problem below
        }
        throw Problems.of(HttpStatus.BAD_REQUEST, "invalid-cursor", "Invalid cursor",
                "cursor is not one this service gave out.");
    }
}
