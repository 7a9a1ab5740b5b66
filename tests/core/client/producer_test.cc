#include "client/producer.h"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "format/record.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "log/partitioner.h"
#include "support/log_helpers.h"

// Options and records are spelled with designated initializers naming only
// what a test changes; the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace kq;
using client::LogProducer;
using client::ProducerOptions;
using client::ProducerRecord;

namespace {

// Forwards to a MemEnv and counts syncs of segment .log files, so tests can
// see how often the producer makes data durable.
class SyncCountingEnv : public io::Env {
 public:
  int log_syncs() const { return log_syncs_; }
  io::MemEnv* base() { return &base_; }

  Result<std::unique_ptr<io::RandomAccessFile>> OpenRandomAccess(const std::string& p) override {
    return base_.OpenRandomAccess(p);
  }
  Result<std::unique_ptr<io::AppendableFile>> OpenAppendable(const std::string& p) override {
    return Wrap(base_.OpenAppendable(p));
  }
  Result<std::unique_ptr<io::AppendableFile>> CreateTruncated(const std::string& p) override {
    return Wrap(base_.CreateTruncated(p));
  }
  bool FileExists(const std::string& p) override { return base_.FileExists(p); }
  bool IsDirectory(const std::string& p) override { return base_.IsDirectory(p); }
  Result<uint64_t> FileSize(const std::string& p) override { return base_.FileSize(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return base_.ListDir(d);
  }
  Status CreateDir(const std::string& d) override { return base_.CreateDir(d); }
  Status RemoveFile(const std::string& p) override { return base_.RemoveFile(p); }
  Status RemoveDir(const std::string& d) override { return base_.RemoveDir(d); }
  Status Rename(const std::string& a, const std::string& b) override { return base_.Rename(a, b); }
  Status TruncateFile(const std::string& p, uint64_t n) override {
    return base_.TruncateFile(p, n);
  }
  Status SyncDir(const std::string& d) override { return base_.SyncDir(d); }
  Result<std::unique_ptr<io::FileLock>> LockFile(const std::string& p, io::LockWait w) override {
    return base_.LockFile(p, w);
  }
  int64_t NowMs() override { return base_.NowMs(); }

 private:
  class File : public io::AppendableFile {
   public:
    File(std::unique_ptr<io::AppendableFile> f, int* syncs) : f_(std::move(f)), syncs_(syncs) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Sync() override {
      if (f_->path().ends_with(".log")) ++*syncs_;
      return f_->Sync();
    }
    Status Truncate(uint64_t n) override { return f_->Truncate(n); }
    Result<io::FileInfo> Stat() const override { return f_->Stat(); }
    Status Close() override { return f_->Close(); }
    const std::string& path() const override { return f_->path(); }

   private:
    std::unique_ptr<io::AppendableFile> f_;
    int* syncs_;
  };

  Result<std::unique_ptr<io::AppendableFile>> Wrap(Result<std::unique_ptr<io::AppendableFile>> f) {
    if (!f.ok()) return f.status();
    return std::unique_ptr<io::AppendableFile>(new File(std::move(*f), &log_syncs_));
  }

  io::MemEnv base_;
  int log_syncs_ = 0;
};

struct Read {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  int64_t timestamp;
};

struct ReadBack {
  std::vector<Read> records;
  int batches = 0;
  size_t max_batch = 0;
};

ReadBack ReadPartition(io::Env* env, const log::LogDir& dir, const std::string& topic, int32_t p) {
  log::PartitionOptions o;
  o.env = env;
  o.topic = topic;
  o.partition = PartitionId(p);
  auto part =
      log::Partition::Open(dir.PartitionPath(topic, PartitionId(p)), o, log::OpenMode::kRead);
  REQUIRE_MESSAGE(part.ok(), part.status().ToString());
  ReadBack out;
  std::string scratch;
  Offset at = (*part)->log_start_offset();
  while (at < (*part)->log_end_offset()) {
    auto chunk = (*part)->Read(at, 1 << 20);
    REQUIRE(chunk.ok());
    std::string_view rest = chunk->bytes;
    while (!rest.empty()) {
      auto probe = format::ProbeFrame(rest);
      REQUIRE(probe.state == format::FrameState::kComplete);
      ++out.batches;
      out.max_batch = std::max(out.max_batch, probe.size);
      Status s = format::ForEachRecord(
          rest.substr(0, probe.size), &scratch, [&](const format::RecordView& r) {
            Read rec{r.offset, std::nullopt, std::nullopt, {}, r.timestamp};
            if (r.key) rec.key = std::string(*r.key);
            if (r.value) rec.value = std::string(*r.value);
            for (const auto& h : r.headers) {
              rec.headers.emplace_back(
                  std::string(h.key),
                  h.value ? std::optional<std::string>(*h.value) : std::nullopt);
            }
            out.records.push_back(std::move(rec));
            return Status::Ok();
          });
      REQUIRE(s.ok());
      rest.remove_prefix(probe.size);
    }
    at = chunk->next_offset;
  }
  return out;
}

log::LogDir OpenDir(io::Env* env, const std::string& path = "/kq") {
  auto dir = log::LogDir::Open(env, path, true);
  REQUIRE_MESSAGE(dir.ok(), dir.status().ToString());
  return *dir;
}

std::unique_ptr<LogProducer> MakeProducer(const log::LogDir& dir, ProducerOptions o,
                                          const std::string& topic = "t") {
  auto p = LogProducer::Open(dir, topic, o);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

void AddOk(LogProducer& p, const ProducerRecord& r) {
  auto added = p.Add(r);
  REQUIRE_MESSAGE(added.ok(), added.status().ToString());
}

}  // namespace

TEST_CASE("producer: keyed records go to murmur2's partition, in order") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  auto producer = MakeProducer(dir, {.env = &env, .partitions = 3});
  CHECK(producer->created_topic());
  CHECK(producer->partition_count() == 3);
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i) keys.push_back(fmt::format("key{}", i % 37));
  for (int i = 0; i < 200; ++i) {
    std::string value = fmt::format("v{}", i);
    auto p = producer->Add({.key = keys[i], .value = value});
    REQUIRE(p.ok());
    CHECK(*p == log::MurmurPartition(keys[i], 3));
  }
  REQUIRE(producer->Close().ok());
  int total = 0;
  for (int32_t p = 0; p < 3; ++p) {
    ReadBack back = ReadPartition(&env, dir, "t", p);
    int last = -1;
    for (const Read& r : back.records) {
      REQUIRE(r.key);
      CHECK(log::MurmurPartition(*r.key, 3) == p);
      const int i = std::stoi(r.value->substr(1));
      CHECK(i > last);  // the producer's order is kept within a partition
      last = i;
      ++total;
    }
  }
  CHECK(total == 200);
}

TEST_CASE("producer: batches are cut at batch_bytes and appended in order") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  auto producer = MakeProducer(dir, {.env = &env, .batch_bytes = 2000});
  const std::string value(100, 'x');
  for (int i = 0; i < 100; ++i) AddOk(*producer, {.value = value});
  // Full batches were appended as they filled; the rest waits for a flush.
  CHECK(producer->appended_records() > 0);
  CHECK(producer->pending_records() > 0);
  CHECK(producer->pending_records() < 20);
  REQUIRE(producer->Flush().ok());
  CHECK(producer->pending_records() == 0);
  ReadBack back = ReadPartition(&env, dir, "t", 0);
  CHECK(back.records.size() == 100);
  CHECK(back.batches >= 5);
  CHECK(back.max_batch <= 2000 + 200);
  for (size_t i = 0; i < back.records.size(); ++i) CHECK(back.records[i].offset == int64_t(i));
  REQUIRE(producer->Close().ok());
}

TEST_CASE("producer: a batch never passes max.message.bytes; a record alone too big is refused") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  log::TopicConfig config;
  REQUIRE(config.Set("max.message.bytes", "1000").ok());
  auto producer = MakeProducer(dir, {.env = &env, .create_config = config});
  const std::string value(300, 'v');
  for (int i = 0; i < 10; ++i) AddOk(*producer, {.value = value});
  const std::string huge(1000, 'h');
  auto refused = producer->Add({.value = huge});
  CHECK(refused.status().IsInvalidArgument());
  CHECK(refused.status().message().find("max.message.bytes") != std::string::npos);
  REQUIRE(producer->Close().ok());
  ReadBack back = ReadPartition(&env, dir, "t", 0);
  CHECK(back.records.size() == 10);
  CHECK(back.max_batch <= 1000);
}

TEST_CASE("producer: fsync policy syncs once per written partition per flush") {
  SyncCountingEnv env;
  log::LogDir dir = OpenDir(&env);
  auto producer = MakeProducer(
      dir, {.env = &env, .partitions = 3, .batch_bytes = 500, .flush = log::FlushPolicy{}});
  // Opening a new partition syncs its new files: not what is counted here.
  for (int32_t p = 0; p < 3; ++p) REQUIRE(producer->OpenPartition(p).ok());
  // Many batches to partitions 0 and 2, none to 1.
  for (int i = 0; i < 60; ++i) {
    AddOk(*producer, {.value = std::string(50, 'a'), .partition = (i % 2) * 2});
  }
  const int before = env.log_syncs();
  REQUIRE(producer->Flush().ok());
  CHECK(env.log_syncs() - before == 2);
  // Nothing new: nothing to sync.
  REQUIRE(producer->Flush().ok());
  CHECK(env.log_syncs() - before == 2);
  AddOk(*producer, {.value = "one more", .partition = 1});
  REQUIRE(producer->Flush().ok());
  CHECK(env.log_syncs() - before == 3);
  // Close after a Flush finds nothing new to sync.
  REQUIRE(producer->Close().ok());
  CHECK(env.log_syncs() - before == 3);
}

TEST_CASE("producer: os policy never syncs, not even on Close") {
  SyncCountingEnv env;
  log::LogDir dir = OpenDir(&env);
  auto os = log::FlushPolicy::Parse("os");
  REQUIRE(os.ok());
  auto producer = MakeProducer(dir, {.env = &env, .partitions = 2, .flush = *os});
  for (int32_t p = 0; p < 2; ++p) REQUIRE(producer->OpenPartition(p).ok());
  const int before = env.log_syncs();
  for (int i = 0; i < 10; ++i) AddOk(*producer, {.value = "x", .partition = i % 2});
  REQUIRE(producer->Flush().ok());
  CHECK(env.log_syncs() == before);
  REQUIRE(producer->Close().ok());
  CHECK(env.log_syncs() == before);
}

TEST_CASE("producer: interval policy syncs when the interval has passed") {
  SyncCountingEnv env;
  log::LogDir dir = OpenDir(&env);
  auto interval = log::FlushPolicy::Parse("interval:1000");
  REQUIRE(interval.ok());
  auto producer = MakeProducer(dir, {.env = &env, .flush = *interval});
  REQUIRE(producer->OpenPartition(0).ok());
  const int before = env.log_syncs();
  AddOk(*producer, {.value = "a"});
  REQUIRE(producer->Flush().ok());
  CHECK(env.log_syncs() == before);
  env.base()->AdvanceMs(1000);
  AddOk(*producer, {.value = "b"});
  REQUIRE(producer->Flush().ok());
  CHECK(env.log_syncs() - before == 1);
  REQUIRE(producer->Close().ok());
}

TEST_CASE("producer: the topic's flush config applies unless overridden") {
  SyncCountingEnv env;
  log::LogDir dir = OpenDir(&env);
  log::TopicConfig config;
  REQUIRE(config.Set("flush", "os").ok());
  REQUIRE(dir.CreateTopic("quiet", 1, config).ok());
  auto producer = MakeProducer(dir, {.env = &env}, "quiet");
  CHECK(producer->flush_policy().kind == log::FlushPolicy::Kind::kOs);
  CHECK_FALSE(producer->created_topic());
  auto forced = MakeProducer(dir, {.env = &env, .flush = log::FlushPolicy{}}, "quiet");
  CHECK(forced->flush_policy().kind == log::FlushPolicy::Kind::kFsync);
}

TEST_CASE("producer: explicit partitions are used and checked") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  auto producer = MakeProducer(dir, {.env = &env, .partitions = 4});
  auto p = producer->Add({.key = "k", .value = "v", .partition = 3});
  REQUIRE(p.ok());
  CHECK(*p == 3);
  auto bad = producer->Add({.value = "v", .partition = 4});
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message().find("partition 4") != std::string::npos);
  CHECK(producer->OpenPartition(9).IsInvalidArgument());
  REQUIRE(producer->Close().ok());
  CHECK(ReadPartition(&env, dir, "t", 3).records.size() == 1);
  CHECK(ReadPartition(&env, dir, "t", 0).records.empty());
}

TEST_CASE("producer: null and empty keys and values, headers in order, timestamps") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  auto producer = MakeProducer(dir, {.env = &env});
  const std::vector<format::HeaderView> headers = {{"b", std::string_view("2")},
                                                   {"a", std::string_view("")},
                                                   {"b", std::nullopt},
                                                   {"a", std::string_view("1")}};
  AddOk(*producer, {.key = std::nullopt, .value = std::nullopt, .timestamp = 42});
  AddOk(*producer, {.key = "", .value = "", .headers = headers, .timestamp = 43});
  AddOk(*producer, {.key = std::string_view("k\0y", 3), .value = "\xff\xfe"});
  REQUIRE(producer->Close().ok());
  ReadBack back = ReadPartition(&env, dir, "t", 0);
  REQUIRE(back.records.size() == 3);
  CHECK_FALSE(back.records[0].key);
  CHECK_FALSE(back.records[0].value);
  CHECK(back.records[0].timestamp == 42);
  CHECK(back.records[1].key == std::string());
  CHECK(back.records[1].value == std::string());
  CHECK(back.records[1].timestamp == 43);
  using H = std::pair<std::string, std::optional<std::string>>;
  CHECK(back.records[1].headers ==
        std::vector<H>{{"b", "2"}, {"a", ""}, {"b", std::nullopt}, {"a", "1"}});
  CHECK(back.records[2].key == std::string("k\0y", 3));
  CHECK(back.records[2].value == std::string("\xff\xfe"));
  CHECK(back.records[2].timestamp == io::MemEnv::kStartNowMs);  // "now" when not given
}

TEST_CASE("producer: stats report first and last offsets of what it wrote") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  {
    auto first = MakeProducer(dir, {.env = &env, .partitions = 2});
    for (int i = 0; i < 5; ++i) AddOk(*first, {.value = "x", .partition = 0});
    REQUIRE(first->Close().ok());
  }
  auto producer = MakeProducer(dir, {.env = &env, .batch_bytes = 100});
  for (int i = 0; i < 7; ++i) AddOk(*producer, {.value = std::string(40, 'y'), .partition = 0});
  for (int i = 0; i < 3; ++i) AddOk(*producer, {.value = "z", .partition = 1});
  REQUIRE(producer->Close().ok());
  auto stats = producer->Stats();
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].partition == 0);
  CHECK(stats[0].first_offset == 5);
  CHECK(stats[0].last_offset == 11);
  CHECK(stats[0].records == 7);
  CHECK(stats[1].first_offset == 0);
  CHECK(stats[1].last_offset == 2);
  CHECK(stats[1].records == 3);
  CHECK(producer->appended_records() == 10);
  CHECK(producer->appended_bytes() == stats[0].bytes + stats[1].bytes);
}

TEST_CASE("producer: a missing topic is NotFound when it may not be created") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  auto refused = LogProducer::Open(dir, "missing", {.env = &env, .create_topic = false});
  CHECK(refused.status().IsNotFound());
  CHECK_FALSE(dir.DescribeTopic("missing").ok());
  CHECK(LogProducer::Open(dir, "../x", {.env = &env}).status().IsInvalidArgument());
  CHECK(LogProducer::Open(dir, "", {.env = &env}).status().IsInvalidArgument());
  CHECK(LogProducer::Open(dir, std::string(250, 'a'), {.env = &env}).status().IsInvalidArgument());
}

TEST_CASE("producer: keyless records stick to a partition until a batch completes") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  auto producer =
      MakeProducer(dir, {.env = &env, .partitions = 4, .partitioner_seed = 7, .batch_bytes = 1000});
  std::set<int32_t> used;
  int32_t current = -1;
  int switches = 0;
  for (int i = 0; i < 400; ++i) {
    auto p = producer->Add({.value = std::string(50, 'k')});
    REQUIRE(p.ok());
    if (*p != current) ++switches;
    current = *p;
    used.insert(*p);
  }
  REQUIRE(producer->Close().ok());
  CHECK(used.size() > 1);       // spread over partitions...
  CHECK(switches <= 400 / 10);  // ...but a batch at a time, not record by record
  int batches = 0;
  for (int32_t p = 0; p < 4; ++p) batches += ReadPartition(&env, dir, "t", p).batches;
  CHECK(batches <= switches + 4);
}

TEST_CASE("producer: six producers writing one keyed topic at once keep every record once") {
  testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  log::LogDir dir = OpenDir(env, tmp.path() + "/kq");
  constexpr int kProducers = 6;
  constexpr int kRecords = 3000;
  std::vector<std::thread> threads;
  std::vector<Status> results(kProducers);
  for (int w = 0; w < kProducers; ++w) {
    threads.emplace_back([&, w] {
      auto producer =
          LogProducer::Open(dir, "shared", {.env = env, .partitions = 3, .batch_bytes = 4096});
      if (!producer.ok()) {
        results[w] = producer.status();
        return;
      }
      for (int i = 0; i < kRecords && results[w].ok(); ++i) {
        std::string key = fmt::format("key{}", (i * 7 + w) % 50);
        std::string value = fmt::format("{}:{}", w, i);
        results[w] = (*producer)->Add({.key = key, .value = value}).status();
        if (i % 500 == 0 && results[w].ok()) results[w] = (*producer)->Flush();
      }
      if (results[w].ok()) results[w] = (*producer)->Close();
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::set<std::string> seen;
  std::map<std::string, int32_t> key_partition;
  for (int32_t p = 0; p < 3; ++p) {
    std::vector<int> last(kProducers, -1);
    for (const Read& r : ReadPartition(env, dir, "shared", p).records) {
      CHECK(seen.insert(*r.value).second);
      auto [it, fresh] = key_partition.emplace(*r.key, p);
      CHECK(it->second == p);
      const size_t colon = r.value->find(':');
      const int w = std::stoi(r.value->substr(0, colon));
      const int i = std::stoi(r.value->substr(colon + 1));
      CHECK(i > last[w]);
      last[w] = i;
    }
  }
  CHECK(seen.size() == size_t{kProducers} * kRecords);
}
