// serve_bench: librdkafka (C API) against a running kq-serve, 100-byte records
// (issue 11's targets: producer >= 1,000,000 records/s, consumer >= 2,000,000
// records/s, p99 produce latency at 10,000 records/s under 5 ms).
//
// Phases, each on its own single-partition topic, created by its first
// produce (auto.create.topics.enable: the topic defaults, so the fsync flush
// policy) or, with $KQ_BENCH_TOPIC_CONFIG=KEY=VALUE (e.g. flush=os), created
// first with that config:
//   produce  RECORDS records as fast as the client takes them, configured like
//            a throughput-tuned client (linger.ms=5, batch.size 1 MB,
//            compression none), once with acks=1 and once with acks=all; the
//            clock runs from the first produce() to the end of the flush, and
//            every delivery report must be a success.
//   consume  a fresh consumer (no group) reads the acks=all topic from the
//            beginning up to its high watermark with generous fetch settings;
//            every record must be 100 bytes.
//   latency  acks=all at a fixed 10,000 records/s for LATENCY_SECONDS; each
//            record's latency runs from produce() to its delivery report, which
//            a second thread polls for so that reports are served as they come.
//            Twice: linger.ms=0 (a latency-minded client) and linger.ms=5.
//   sync     (with SYNC_DIR, a directory on the server's disk) the reference
//            for latency: 2,000 appends of 1,000 bytes, each fdatasynced.
// Output: one "key value" line per figure (parsed by bench/serve_bench.sh),
// with the CPU seconds per million records of this process and, when
// $KQ_SERVE_PID names it, of the server.
//
// Usage: serve_bench BROKER [RECORDS] [LATENCY_SECONDS] [SYNC_DIR]
//        (RECORDS 0: the latency phases only)
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace {

constexpr size_t kValueSize = 100;

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// CPU seconds (user + system) of this process, librdkafka's threads included.
double ClientCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of the server process named by $KQ_SERVE_PID, or -1. On a
// shared machine the wall-clock rates depend on what else runs; CPU time per
// record does much less.
double ServerCpuSeconds() {
  const char* pid = std::getenv("KQ_SERVE_PID");
  if (pid == nullptr) return -1;
  std::ifstream in(std::string("/proc/") + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  double ticks = 0;
  // After the name: state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct CpuMark {
  double client = ClientCpuSeconds();
  double server = ServerCpuSeconds();
};

// Prints the CPU both processes spent since `start`, per million records.
void PrintCpu(const std::string& key, const CpuMark& start, int64_t records) {
  CpuMark end;
  double millions = static_cast<double>(records) / 1e6;
  fmt::print("{}_client_cpu_s_per_m {:.3f}\n", key, (end.client - start.client) / millions);
  if (start.server >= 0 && end.server >= 0)
    fmt::print("{}_server_cpu_s_per_m {:.3f}\n", key, (end.server - start.server) / millions);
}

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "serve_bench: {}\n", what);
  std::exit(1);
}

// Owns an rd_kafka_conf_t until it is handed to rd_kafka_new.
struct Config {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Config& Set(const char* key, const std::string& value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      Die(fmt::format("config {}={}: {}", key, value, err));
    }
    return *this;
  }
};

rd_kafka_t* NewClient(rd_kafka_type_t type, Config& config) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, config.conf, err, sizeof err);
  if (rk == nullptr) Die(fmt::format("rd_kafka_new: {}", err));
  config.conf = nullptr;  // owned by rk now
  return rk;
}

// Counts delivery reports; the first failure ends the run (a fast failure must
// not be timed as a fast success).
struct Deliveries {
  std::atomic<int64_t> done{0};
  // Latency phase only: send time per record (indexed by the opaque), and the
  // measured latency.
  std::vector<int64_t> sent_ns;
  std::vector<int64_t> latency_ns;
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Deliveries*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Die(fmt::format("delivery failed: {}", rd_kafka_err2str(m->err)));
  }
  if (!d->sent_ns.empty()) {
    auto i = reinterpret_cast<uintptr_t>(m->_private);
    d->latency_ns[i] = MonotonicNs() - d->sent_ns[i];
  }
  d->done.fetch_add(1, std::memory_order_relaxed);
}

Config ProducerConfig(const std::string& broker, const std::string& acks,
                      const std::string& linger_ms, Deliveries* d) {
  Config c;
  c.Set("bootstrap.servers", broker)
      .Set("acks", acks)
      .Set("linger.ms", linger_ms)
      .Set("batch.size", "1000000")
      .Set("batch.num.messages", "1000000")
      .Set("queue.buffering.max.messages", "2000000")
      .Set("queue.buffering.max.kbytes", "2097151")
      .Set("compression.codec", "none")
      .Set("enable.idempotence", "false");
  rd_kafka_conf_set_dr_msg_cb(c.conf, OnDelivery);
  rd_kafka_conf_set_opaque(c.conf, d);
  return c;
}

// Produces one record, serving the queue when it is full.
void Produce(rd_kafka_t* rk, rd_kafka_topic_t* topic, const char* value, void* opaque) {
  // The value is one static buffer that outlives the producer: no copy.
  while (rd_kafka_produce(topic, 0, 0, const_cast<char*>(value), kValueSize, nullptr, 0,
                          opaque) != 0) {
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      Die(fmt::format("produce: {}", rd_kafka_err2str(err)));
    }
    rd_kafka_poll(rk, 1);
  }
}

void Flush(rd_kafka_t* rk) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk, 120000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) Die(fmt::format("flush: {}", rd_kafka_err2str(err)));
}

// Creates `topic` by producing one record to it and waiting for its delivery,
// so that no phase times topic creation or the first connection.
void Warm(rd_kafka_t* rk, rd_kafka_topic_t* topic, const char* value) {
  Produce(rk, topic, value, nullptr);
  Flush(rk);
}

// Creates the single-partition `topic` with one topic config KEY=VALUE
// (e.g. flush=os, to see what the fsync policy costs).
void CreateTopic(const std::string& broker, const std::string& topic, const std::string& config) {
  size_t eq = config.find('=');
  if (eq == std::string::npos) Die(fmt::format("topic config '{}': expected KEY=VALUE", config));
  Config c;
  c.Set("bootstrap.servers", broker);
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, c);
  char err[512];
  rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(topic.c_str(), 1, 1, err, sizeof err);
  if (t == nullptr) Die(fmt::format("topic {}: {}", topic, err));
  rd_kafka_NewTopic_set_config(t, config.substr(0, eq).c_str(), config.substr(eq + 1).c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &t, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (ev == nullptr) Die(fmt::format("create topic {}: no answer in 30 s", topic));
  if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR)
    Die(fmt::format("create topic {}: {}", topic, rd_kafka_event_error_string(ev)));
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_topic_result_error(results[i]) != RD_KAFKA_RESP_ERR_NO_ERROR)
      Die(fmt::format("create topic {}: {}", topic, rd_kafka_topic_result_error_string(results[i])));
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(t);
  rd_kafka_destroy(rk);
}

void PrintRate(const std::string& key, int64_t records, int64_t ns) {
  double seconds = static_cast<double>(ns) / 1e9;
  fmt::print("{}_records_per_s {:.0f}\n", key, static_cast<double>(records) / seconds);
  fmt::print("{}_mb_per_s {:.1f}\n", key,
             static_cast<double>(records) * kValueSize / seconds / 1e6);
  fmt::print("{}_seconds {:.3f}\n", key, seconds);
}

void ProduceThroughput(const std::string& broker, const std::string& topic_name,
                       const std::string& acks, int64_t records, const char* value) {
  Deliveries d;
  Config c = ProducerConfig(broker, acks, "5", &d);
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, c);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, topic_name.c_str(), nullptr);
  Warm(rk, topic, value);
  d.done = 0;
  CpuMark cpu;
  int64_t start = MonotonicNs();
  for (int64_t i = 0; i < records; ++i) {
    Produce(rk, topic, value, nullptr);
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  Flush(rk);
  int64_t ns = MonotonicNs() - start;
  if (d.done != records) Die(fmt::format("{} of {} records delivered", d.done.load(), records));
  PrintRate(fmt::format("produce_acks_{}", acks), records, ns);
  PrintCpu(fmt::format("produce_acks_{}", acks), cpu, records);
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
}

struct Consumed {
  int64_t count = 0;
};

void OnConsumed(rd_kafka_message_t* m, void* opaque) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Die(fmt::format("consume: {}", rd_kafka_message_errstr(m)));
  }
  if (m->len != kValueSize) {
    Die(fmt::format("record at offset {}: {} bytes, expected {}", m->offset, m->len, kValueSize));
  }
  ++static_cast<Consumed*>(opaque)->count;
}

void ConsumeThroughput(const std::string& broker, const std::string& topic_name) {
  Config c;
  c.Set("bootstrap.servers", broker)
      .Set("fetch.wait.max.ms", "100")
      .Set("fetch.min.bytes", "1")
      .Set("fetch.message.max.bytes", "16777216")
      .Set("fetch.max.bytes", "67108864")
      .Set("receive.message.max.bytes", "100000000")
      .Set("queued.min.messages", "1000000")
      .Set("queued.max.messages.kbytes", "1048576")
      .Set("check.crcs", "false");
  rd_kafka_t* rk = NewClient(RD_KAFKA_CONSUMER, c);
  int64_t low = 0;
  int64_t high = 0;
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk, topic_name.c_str(), 0, &low, &high, 10000);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    Die(fmt::format("watermarks of {}: {}", topic_name, rd_kafka_err2str(err)));
  }
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, topic_name.c_str(), nullptr);
  Consumed consumed;
  CpuMark cpu;
  int64_t start = MonotonicNs();
  if (rd_kafka_consume_start(topic, 0, RD_KAFKA_OFFSET_BEGINNING) != 0) {
    Die(fmt::format("consume_start: {}", rd_kafka_err2str(rd_kafka_last_error())));
  }
  // The callback interface hands over every queued record without waiting
  // for a batch to fill (rd_kafka_consume_batch would wait out its timeout on
  // the last, partial one), and frees them itself.
  while (consumed.count < high - low) {
    if (rd_kafka_consume_callback(topic, 0, 1000, OnConsumed, &consumed) < 0) {
      Die(fmt::format("consume: {}", rd_kafka_err2str(rd_kafka_last_error())));
    }
  }
  int64_t count = consumed.count;
  int64_t ns = MonotonicNs() - start;
  rd_kafka_consume_stop(topic, 0);
  PrintRate("consume", count, ns);
  PrintCpu("consume", cpu, count);
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

void ProduceLatency(const std::string& broker, const std::string& topic_name,
                    const std::string& linger_ms, int rate, int seconds, const char* value) {
  Deliveries d;
  Config c = ProducerConfig(broker, "all", linger_ms, &d);
  rd_kafka_t* rk = NewClient(RD_KAFKA_PRODUCER, c);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, topic_name.c_str(), nullptr);
  Warm(rk, topic, value);
  const int64_t records = int64_t{rate} * seconds;
  d.sent_ns.assign(records, 0);
  d.latency_ns.assign(records, 0);
  d.done = 0;
  // Delivery reports are served by this thread as soon as they arrive; the
  // main thread only paces and produces.
  std::atomic<bool> stop{false};
  std::thread poller([&] {
    while (!stop.load()) rd_kafka_poll(rk, 10);
  });
  const int64_t interval_ns = 1000000000 / rate;
  const int64_t start = MonotonicNs();
  for (int64_t i = 0; i < records; ++i) {
    // Sleeping, not spinning: a spin would take a core from the server on a
    // small machine. The send time is read after waking, so oversleeping
    // shifts the pace but not what is measured.
    int64_t due = start + i * interval_ns;
    timespec ts{static_cast<time_t>(due / 1000000000), static_cast<long>(due % 1000000000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    d.sent_ns[i] = MonotonicNs();
    Produce(rk, topic, value, reinterpret_cast<void*>(static_cast<uintptr_t>(i)));
  }
  int64_t produced_ns = MonotonicNs() - start;
  while (d.done.load() < records) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (MonotonicNs() - start > int64_t{seconds + 60} * 1000000000) {
      Die(fmt::format("latency: {} of {} delivered after 60 s", d.done.load(), records));
    }
  }
  stop = true;
  poller.join();
  std::vector<int64_t> sorted = d.latency_ns;
  std::sort(sorted.begin(), sorted.end());
  const std::string key = "latency_linger" + linger_ms;
  auto ms = [&](double p) { return static_cast<double>(Percentile(sorted, p)) / 1e6; };
  fmt::print("{}_records {}\n", key, records);
  fmt::print("{}_rate_achieved {:.0f}\n", key,
             static_cast<double>(records) / (static_cast<double>(produced_ns) / 1e9));
  fmt::print("{}_p50_ms {:.3f}\n{}_p99_ms {:.3f}\n{}_p999_ms {:.3f}\n{}_max_ms {:.3f}\n", key,
             ms(0.50), key, ms(0.99), key, ms(0.999), key, ms(1.0));
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(rk);
}

// The floor under any acks=all latency with the fsync policy: append 1,000
// bytes (ten records, what arrives in a millisecond at 10,000 records/s) to
// a file in `dir` and fdatasync it, `count` times, one a millisecond.
void SyncReference(const std::string& dir, int count) {
  std::string path = dir + "/serve_bench.sync";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  if (fd < 0) Die(fmt::format("open {}: {}", path, std::strerror(errno)));
  std::string bytes(1000, 'x');
  std::vector<int64_t> ns;
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    int64_t start = MonotonicNs();
    if (write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
        fdatasync(fd) != 0) {
      Die(fmt::format("write and fdatasync {}: {}", path, std::strerror(errno)));
    }
    ns.push_back(MonotonicNs() - start);
  }
  close(fd);
  unlink(path.c_str());
  std::sort(ns.begin(), ns.end());
  auto ms = [&](double p) { return static_cast<double>(Percentile(ns, p)) / 1e6; };
  fmt::print("sync_p50_ms {:.3f}\nsync_p99_ms {:.3f}\nsync_p999_ms {:.3f}\nsync_max_ms {:.3f}\n",
             ms(0.50), ms(0.99), ms(0.999), ms(1.0));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 5) {
    fmt::print(stderr, "usage: serve_bench BROKER [RECORDS] [LATENCY_SECONDS] [SYNC_DIR]\n");
    return 2;
  }
  const std::string broker = argv[1];
  const int64_t records = argc > 2 ? std::atoll(argv[2]) : 2000000;
  const int latency_seconds = argc > 3 ? std::atoi(argv[3]) : 10;
  if (records < 0 || latency_seconds < 1) Die("RECORDS must be >= 0, LATENCY_SECONDS >= 1");
  static char value[kValueSize];
  std::fill(std::begin(value), std::end(value), 'x');
  if (const char* config = std::getenv("KQ_BENCH_TOPIC_CONFIG")) {
    for (const char* topic : {"bench-acks1", "bench-acksall", "bench-latency0", "bench-latency5"})
      CreateTopic(broker, topic, config);
  }
  if (records > 0) {
    ProduceThroughput(broker, "bench-acks1", "1", records, value);
    std::fflush(stdout);
    ProduceThroughput(broker, "bench-acksall", "all", records, value);
    std::fflush(stdout);
    ConsumeThroughput(broker, "bench-acksall");
    std::fflush(stdout);
  }
  // linger.ms=0 as a latency-minded client sets it, and the throughput
  // client's 5 ms (fewer, larger requests per sync).
  ProduceLatency(broker, "bench-latency0", "0", 10000, latency_seconds, value);
  std::fflush(stdout);
  ProduceLatency(broker, "bench-latency5", "5", 10000, latency_seconds, value);
  std::fflush(stdout);
  if (argc > 4) SyncReference(argv[4], 2000);
  return 0;
}
