package dev.videogen.worker.intake;

import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.support.Acknowledgment;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Commits offsets in order although jobs finish in any order. Every record is registered when it arrives; when one
 * is done, the records at the head of its partition that are all done are acknowledged at once, through the last of
 * them, so the committed offset never passes a record whose job is still running. Kafka keeps one offset per
 * partition, not one per record: this is what makes out-of-order completion safe.
 */
final class PartitionOffsets {

    private static final class Entry {
        final Acknowledgment ack;
        boolean done;

        Entry(Acknowledgment ack) {
            this.ack = ack;
        }
    }

    private final Map<TopicPartition, TreeMap<Long, Entry>> open = new HashMap<>();

    synchronized void register(TopicPartition partition, long offset, Acknowledgment ack) {
        open.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, new Entry(ack));
    }

    /** Marks one record done and acknowledges the longest finished prefix of its partition, if any. */
    synchronized void done(TopicPartition partition, long offset) {
        TreeMap<Long, Entry> entries = open.get(partition);
        Entry entry = entries == null ? null : entries.get(offset);
        if (entry == null) {
            return; // the partition was revoked meanwhile: its new owner runs the record again
        }
        entry.done = true;
        Acknowledgment last = null;
        while (!entries.isEmpty() && entries.firstEntry().getValue().done) {
            last = entries.pollFirstEntry().getValue().ack;
        }
        if (last != null) {
            last.acknowledge();
        }
    }

    /** Forgets revoked partitions: nothing of them is acknowledged any more. */
    synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(open::remove);
    }

    /** Records registered and not yet committed, for metrics and tests. */
    synchronized int open() {
        return open.values().stream().mapToInt(Map::size).sum();
    }
}
