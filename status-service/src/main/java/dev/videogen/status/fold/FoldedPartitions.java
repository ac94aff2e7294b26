package dev.videogen.status.fold;

import org.apache.kafka.common.TopicPartition;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Kafka partitions the read model in Redis holds. Kept per partition, not as one flag, so that with several
 * replicas each one rebuilds exactly the partitions it is assigned: a replica that sees a flag set by another
 * cannot conclude that its own partitions were folded again.
 */
@Component
class FoldedPartitions {

    private final StringRedisTemplate redis;

    FoldedPartitions(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** The partitions among these whose records the read model does not hold (it was flushed, or they are new). */
    List<TopicPartition> missing(Collection<TopicPartition> partitions) {
        List<TopicPartition> ordered = new ArrayList<>(partitions);
        if (ordered.isEmpty()) {
            return List.of();
        }
        List<Object> marks = redis.opsForHash().multiGet(JobKeys.FOLDED_PARTITIONS,
                ordered.stream().<Object>map(FoldedPartitions::field).toList());
        List<TopicPartition> missing = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            if (marks == null || marks.get(i) == null) {
                missing.add(ordered.get(i));
            }
        }
        return missing;
    }

    /** Records that these partitions are being folded from their beginning into this Redis. */
    void mark(Collection<TopicPartition> partitions) {
        Map<String, String> marks = new HashMap<>();
        String now = Instant.now().toString();
        partitions.forEach(partition -> marks.put(field(partition), now));
        redis.opsForHash().putAll(JobKeys.FOLDED_PARTITIONS, marks);
    }

    private static String field(TopicPartition partition) {
        return partition.topic() + "-" + partition.partition();
    }
}
