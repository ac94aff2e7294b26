package dev.videogen.events;

/** Why a job failed, shaped like an RFC 9457 problem: a stable {@code type}, a short title, a detail a user can act on. */
public record JobError(String type, String title, String detail) {
}
