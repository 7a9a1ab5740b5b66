// A librdkafka mock cluster for the CLI tests of cluster mode (tests/cli/05xx).
//
//   mock_cluster_child [--brokers N] [--timeout-s S] TOPIC:PARTITIONS...
//
// Starts a mock cluster of N brokers (default 1) listening on 127.0.0.1,
// creates the given topics, prints the bootstrap address on stdout (one line,
// flushed) and lives until its stdin reaches EOF or S seconds (default 120)
// have passed, so a test that dies can never leave it running.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "mock_cluster_child: %s\n", message.c_str());
  return 1;
}

// True once stdin is at EOF (or broken); waits at most `ms`.
bool StdinClosed(int ms) {
  pollfd p{0, POLLIN, 0};
  int n = ::poll(&p, 1, ms);
  if (n <= 0) return false;
  char buf[256];
  ssize_t r = ::read(0, buf, sizeof(buf));
  return r <= 0;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  long timeout_s = 120;
  int first_topic = 1;
  for (; first_topic < argc; ++first_topic) {
    std::string a = argv[first_topic];
    if (a == "--brokers" && first_topic + 1 < argc) {
      brokers = std::atoi(argv[++first_topic]);
    } else if (a == "--timeout-s" && first_topic + 1 < argc) {
      timeout_s = std::atol(argv[++first_topic]);
    } else {
      break;
    }
  }
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "test.mock.num.brokers", std::to_string(brokers).c_str(), errstr,
                        sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    return Fail(errstr);
  }
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return Fail(errstr);
  rd_kafka_mock_cluster_t* mock = rd_kafka_handle_mock_cluster(rk);
  if (mock == nullptr) return Fail("no mock cluster");
  for (int i = first_topic; i < argc; ++i) {
    std::string spec = argv[i];
    size_t colon = spec.rfind(':');
    int partitions = colon == std::string::npos ? 1 : std::atoi(spec.c_str() + colon + 1);
    std::string name = spec.substr(0, colon);
    if (partitions < 1 || rd_kafka_mock_topic_create(mock, name.c_str(), partitions, 1) !=
                              RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_destroy(rk);
      return Fail("cannot create topic " + spec);
    }
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(mock));
  std::fflush(stdout);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (StdinClosed(200)) break;
  }
  rd_kafka_destroy(rk);
  return 0;
}
