import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Readiness probe for infra/kafka/start.sh (compiled by install.sh).
 *
 * Usage: java -cp "libs/*:probe" KafkaProbe BOOTSTRAP [TIMEOUT_MS [TOPIC]]
 *
 * Exits 0 and prints one line when the broker answers DescribeCluster with at
 * least one live (unfenced) broker and answers ListTopics; exits 1 otherwise.
 * With TOPIC (used by consumer-perf.sh) it also prints the topic's partition
 * count and record count (sum of end minus start offsets), and exits 3 if the
 * topic does not exist.
 */
public final class KafkaProbe {
    public static void main(String[] args) {
        if (args.length < 1 || args[0].equals("--help")) {
            System.err.println("usage: KafkaProbe BOOTSTRAP [TIMEOUT_MS]");
            System.exit(2);
        }
        String bootstrap = args[0];
        int timeoutMs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        String topic = args.length > 2 ? args[2] : null;

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "callsentry-kafka-probe");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, timeoutMs / 2));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(AdminClientConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500);

        int rc = 1;
        try (Admin admin = Admin.create(props)) {
            DescribeClusterResult cluster = admin.describeCluster();
            Collection<Node> nodes = cluster.nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            String clusterId = cluster.clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (nodes.isEmpty()) {
                System.err.println("not ready: cluster " + clusterId + " has no live broker yet");
            } else {
                Set<String> topics = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
                String line = "ready cluster_id=" + clusterId + " brokers=" + nodes.size() + " topics=" + topics.size();
                rc = 0;
                if (topic != null) {
                    if (!topics.contains(topic)) {
                        line += " topic=" + topic + " missing";
                        rc = 3;
                    } else {
                        line += " " + describeTopic(admin, topic, timeoutMs);
                    }
                }
                System.out.println(line);
            }
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String msg = cause.getMessage() != null ? cause.getMessage() : "no answer within " + timeoutMs + " ms";
            System.err.println("not ready: " + cause.getClass().getSimpleName() + ": " + msg);
        }
        System.exit(rc);
    }

    private static String describeTopic(Admin admin, String topic, int timeoutMs) throws Exception {
        TopicDescription desc;
        try {
            desc = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) return "topic=" + topic + " missing";
            throw e;
        }
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        desc.partitions().forEach(p -> {
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        });
        Map<TopicPartition, ListOffsetsResultInfo> start = admin.listOffsets(earliest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        Map<TopicPartition, ListOffsetsResultInfo> end = admin.listOffsets(latest).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        long records = 0;
        for (TopicPartition tp : end.keySet()) records += end.get(tp).offset() - start.get(tp).offset();
        return "topic=" + topic + " partitions=" + desc.partitions().size() + " records=" + records;
    }
}
