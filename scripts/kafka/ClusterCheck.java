// Readiness and status probe of the local Kafka cluster, run by scripts/kafka_cluster.sh with
// Java's single-file launcher (`java -cp '<lib>/*' ClusterCheck.java ...`); it uses only the
// kafka-clients admin API that the broker classpath already holds.
//
//   ready  <bootstrap> <timeoutSec>  exit 0 once 3 brokers are registered and the RF-3 probe topic
//                                    has a leader and a full ISR; exit 1 at the deadline
//   status <bootstrap>               print brokers, quorum leader and under-replicated partitions

import java.util.*;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.errors.TopicExistsException;

public class ClusterCheck {
  static final String PROBE = "__tickerwatch_ready";
  static final int BROKERS = 3;

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ClusterCheck ready|status <bootstrap> [timeoutSec]");
      System.exit(2);
    }
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    try (Admin admin = Admin.create(p)) {
      switch (args[0]) {
        case "ready" -> System.exit(ready(admin, Integer.parseInt(args.length > 2 ? args[2] : "120")));
        case "status" -> System.exit(status(admin));
        default -> {
          System.err.println("unknown mode " + args[0]);
          System.exit(2);
        }
      }
    }
  }

  static int ready(Admin admin, int timeoutSec) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutSec * 1000L;
    String last = "no answer yet";
    while (System.currentTimeMillis() < deadline) {
      try {
        int brokers = admin.describeCluster().nodes().get().size();
        if (brokers < BROKERS) {
          last = brokers + " of " + BROKERS + " brokers registered";
        } else {
          try {
            admin.createTopics(List.of(new NewTopic(PROBE, 1, (short) BROKERS))).all().get();
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
          }
          TopicPartitionInfo part = admin.describeTopics(List.of(PROBE)).allTopicNames().get()
              .get(PROBE).partitions().get(0);
          if (part.leader() != null && part.isr().size() == BROKERS) {
            System.out.println("ready: " + brokers + " brokers, probe topic leader "
                + part.leader().id() + " isr " + ids(part.isr()));
            return 0;
          }
          last = "probe topic leader " + (part.leader() == null ? "none" : part.leader().id())
              + " isr " + ids(part.isr());
        }
      } catch (Exception e) {
        last = String.valueOf(e.getCause() != null ? e.getCause() : e);
      }
      Thread.sleep(500);
    }
    System.err.println("not ready after " + timeoutSec + " s: " + last);
    return 1;
  }

  static int status(Admin admin) {
    try {
      Collection<Node> nodes = admin.describeCluster().nodes().get();
      List<Integer> brokerIds = nodes.stream().map(Node::id).sorted().toList();
      QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();
      System.out.println("brokers: " + brokerIds + "  quorum leader: " + quorum.leaderId()
          + "  epoch: " + quorum.leaderEpoch());
      Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
      int partitions = 0;
      List<String> bad = new ArrayList<>();
      for (TopicDescription t : admin.describeTopics(names).allTopicNames().get().values()) {
        for (TopicPartitionInfo part : t.partitions()) {
          partitions++;
          if (part.leader() == null || part.isr().size() < part.replicas().size()) {
            bad.add(t.name() + "-" + part.partition() + " leader "
                + (part.leader() == null ? "none" : part.leader().id()) + " replicas "
                + ids(part.replicas()) + " isr " + ids(part.isr()));
          }
        }
      }
      System.out.println("topics: " + names.size() + "  partitions: " + partitions
          + "  under-replicated or offline: " + bad.size());
      bad.stream().sorted().forEach(b -> System.out.println("  " + b));
      return 0;
    } catch (Exception e) {
      System.out.println("cluster not answering: " + (e.getCause() != null ? e.getCause() : e));
      return 1;
    }
  }

  static List<Integer> ids(List<Node> nodes) {
    return nodes.stream().map(Node::id).sorted().toList();
  }
}
