// FlushQueue through a real Broker and Server on a loop thread of its own,
// over an Env whose .log fdatasyncs off the loop thread block until the test
// releases them (and fail when it says so). Checks the contract in
// flush_queue.h: the loop answers other connections while a sync runs, an
// acknowledgement waits for the sync that covers its append, requests that
// append during a sync wait for the next one (and share it), a failed sync
// fails its waiters, and SIGTERM's flush or a DeleteTopics while a sync runs
// neither hangs nor touches freed memory.
#include <doctest/doctest.h>

#include <uv.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "protocol/error_codes.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "replica/wire_client.h"
#include "server/broker.h"
#include "server/server.h"
#include "format/record_batch_builder.h"
#include "support/batch_builders.h"
#include "support/serve_child.h"

namespace kq::server {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;

// Decides the fate of each .log fdatasync made off the loop thread: held
// until a permit is given, then passed to the disk or failed.
class SyncGate {
 public:
  void SetLoopThread(std::thread::id id) {
    std::lock_guard l(mu_);
    loop_thread_ = id;
  }
  Status OnSync(io::AppendableFile* file) {
    std::unique_lock l(mu_);
    if (std::this_thread::get_id() == loop_thread_) {
      ++on_loop_;
      l.unlock();
      return file->Sync();
    }
    ++started_;
    cv_.notify_all();
    cv_.wait(l, [&] { return open_ || permits_ > 0; });
    if (!open_) --permits_;
    const bool fail = fail_next_ > 0;
    if (fail) --fail_next_;
    l.unlock();
    Status s =
        fail ? Status::IoError(file->path() + ": fdatasync: injected failure") : file->Sync();
    l.lock();
    ++finished_;
    cv_.notify_all();
    return s;
  }
  // Waits until no sync is running off the loop; returns how many started.
  int Settle() {
    std::unique_lock l(mu_);
    cv_.wait_for(l, 10s, [&] { return finished_ == started_; });
    return started_;
  }
  void Hold() {
    std::lock_guard l(mu_);
    open_ = false;
    permits_ = 0;
  }
  void ReleaseOne(bool fail = false) {
    std::lock_guard l(mu_);
    if (fail) ++fail_next_;
    ++permits_;
    cv_.notify_all();
  }
  void Open() {
    std::lock_guard l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Waits until `n` syncs have started off the loop in all.
  bool WaitStarted(int n) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, 10s, [&] { return started_ >= n; });
  }
  int started() {
    std::lock_guard l(mu_);
    return started_;
  }
  int on_loop() {
    std::lock_guard l(mu_);
    return on_loop_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread::id loop_thread_;
  bool open_ = true;
  int permits_ = 0;
  int fail_next_ = 0;
  int started_ = 0;
  int finished_ = 0;
  int on_loop_ = 0;
};

// Env::Default with the .log files' Sync going through the gate.
class GatedEnv final : public io::Env {
 public:
  explicit GatedEnv(SyncGate* gate) : gate_(gate) {}

  class File final : public io::AppendableFile {
   public:
    File(std::unique_ptr<io::AppendableFile> base, SyncGate* gate)
        : base_(std::move(base)), gate_(gate) {}
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Sync() override {
      if (!path().ends_with(".log")) return base_->Sync();
      return gate_->OnSync(base_.get());
    }
    Status Truncate(uint64_t size) override { return base_->Truncate(size); }
    Result<io::FileInfo> Stat() const override { return base_->Stat(); }
    Status Close() override { return base_->Close(); }
    const std::string& path() const override { return base_->path(); }
    Result<std::unique_ptr<io::AppendableFile>> Duplicate() override {
      KQ_ASSIGN_OR_RETURN(auto dup, base_->Duplicate());
      return std::unique_ptr<io::AppendableFile>(new File(std::move(dup), gate_));
    }

   private:
    std::unique_ptr<io::AppendableFile> base_;
    SyncGate* gate_;
  };

  Result<std::unique_ptr<io::RandomAccessFile>> OpenRandomAccess(const std::string& p) override {
    return base_->OpenRandomAccess(p);
  }
  Result<std::unique_ptr<io::AppendableFile>> OpenAppendable(const std::string& p) override {
    return Wrap(base_->OpenAppendable(p));
  }
  Result<std::unique_ptr<io::AppendableFile>> CreateTruncated(const std::string& p) override {
    return Wrap(base_->CreateTruncated(p));
  }
  bool FileExists(const std::string& p) override { return base_->FileExists(p); }
  bool IsDirectory(const std::string& p) override { return base_->IsDirectory(p); }
  Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }
  Result<std::vector<std::string>> ListDir(const std::string& d) override {
    return base_->ListDir(d);
  }
  Status CreateDir(const std::string& d) override { return base_->CreateDir(d); }
  Status RemoveFile(const std::string& p) override { return base_->RemoveFile(p); }
  Status RemoveDir(const std::string& d) override { return base_->RemoveDir(d); }
  Status Rename(const std::string& a, const std::string& b) override { return base_->Rename(a, b); }
  Status TruncateFile(const std::string& p, uint64_t s) override {
    return base_->TruncateFile(p, s);
  }
  Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
  Result<std::unique_ptr<io::FileLock>> LockFile(const std::string& p, io::LockWait w) override {
    return base_->LockFile(p, w);
  }
  int64_t NowMs() override { return base_->NowMs(); }

 private:
  Result<std::unique_ptr<io::AppendableFile>> Wrap(Result<std::unique_ptr<io::AppendableFile>> f) {
    KQ_ASSIGN_OR_RETURN(auto file, std::move(f));
    return std::unique_ptr<io::AppendableFile>(new File(std::move(file), gate_));
  }
  io::Env* base_ = io::Env::Default();
  SyncGate* gate_;
};

// A Broker and Server on 127.0.0.1 with a loop thread; Stop() is SIGTERM's
// path (serve.cc): drain the connections, answer what waits, shut down.
class LoopServer {
 public:
  LoopServer(const std::string& dir, SyncGate* gate) : env_(gate) {
    REQUIRE(uv_loop_init(&loop_) == 0);
    auto log_dir = log::LogDir::Open(&env_, dir, true);
    REQUIRE_MESSAGE(log_dir.ok(), log_dir.status().ToString());
    ServerConfig config;
    REQUIRE(config.Set("listeners", "127.0.0.1:0").ok());
    auto broker = Broker::Create(&loop_, config, std::move(*log_dir));
    REQUIRE_MESSAGE(broker.ok(), broker.status().ToString());
    broker_ = std::move(*broker);
    ServerOptions options;
    options.listen = config.listener();
    server_ = std::make_unique<Server>(&loop_, options, broker_.get());
    REQUIRE(server_->Listen().ok());
    broker_->SetListeningPort(server_->port());
    uv_async_init(&loop_, &stop_, [](uv_async_t* a) {
      auto* self = static_cast<LoopServer*>(a->data);
      self->server_->Shutdown(2000, [self] {
        uv_close(reinterpret_cast<uv_handle_t*>(&self->stop_), nullptr);
        uv_stop(&self->loop_);
      });
      self->broker_->AnswerWaiting();
    });
    stop_.data = this;
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
    gate->SetLoopThread(thread_.get_id());
  }
  ~LoopServer() { Stop(); }

  uint16_t port() const { return server_->port(); }

  void Stop() {
    if (!thread_.joinable()) return;
    uv_async_send(&stop_);
    thread_.join();
    (void)broker_->Shutdown();
    server_.reset();
    broker_.reset();
    // Closed handles, and syncs still on the pool, finish here.
    uv_run(&loop_, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop_) == 0);
  }

 private:
  GatedEnv env_;
  uv_loop_t loop_;
  uv_async_t stop_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

struct Produced {
  Status status;
  int16_t error = -1;
  int64_t base_offset = -1;
};

// Produces `batch` with acks=1 on a connection of its own.
std::future<Produced> ProduceBatchAsync(uint16_t port, const std::string& topic,
                                        std::string batch) {
  return std::async(std::launch::async, [port, topic, batch] {
    replica::WireClient client("127.0.0.1", port);
    protocol::ProduceRequest request;
    request.acks = 1;
    request.timeout_ms = 30000;
    protocol::PartitionProduceData data;
    data.index = 0;
    data.records.bytes = batch;
    request.topic_data.push_back({topic, {data}});
    protocol::ProduceResponse response;
    Produced out;
    out.status = client.Call(request, 7, &response);
    if (out.status.ok() && response.responses.size() == 1 &&
        response.responses[0].partition_responses.size() == 1) {
      out.error = response.responses[0].partition_responses[0].error_code;
      out.base_offset = response.responses[0].partition_responses[0].base_offset;
    }
    return out;
  });
}

// `count` records with acks=1 on a connection of its own.
std::future<Produced> ProduceAsync(uint16_t port, const std::string& topic, int count) {
  return ProduceBatchAsync(port, topic, testing::MakeSimpleBatch(0, count));
}

bool Ready(std::future<Produced>& f, std::chrono::milliseconds wait = 0ms) {
  return f.wait_for(wait) == std::future_status::ready;
}

// The partition's log end as a reader of the directory sees it.
int64_t LogEnd(const std::string& dir, const std::string& topic) {
  log::PartitionOptions options;
  options.env = io::Env::Default();
  auto p = log::Partition::Open(dir + "/" + topic + "-0", options, log::OpenMode::kRead);
  return p.ok() ? (*p)->log_end_offset().value() : -1;
}

// Waits until the server has appended up to `end` (the producer's request
// is then waiting for its sync).
bool WaitForLogEnd(const std::string& dir, const std::string& topic, int64_t end) {
  for (int i = 0; i < 1000; ++i) {
    if (LogEnd(dir, topic) >= end) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

// A Metadata round trip on a fresh connection (ApiVersions on connect).
Status MetadataRoundTrip(uint16_t port) {
  replica::WireClientOptions options;
  options.connect_timeout = 3000ms;
  options.request_timeout = 3000ms;
  replica::WireClient client("127.0.0.1", port, options);
  protocol::MetadataRequest request;
  request.topics = std::vector<protocol::MetadataRequestTopic>{};
  protocol::MetadataResponse response;
  return client.Call(request, 1, &response);
}

// Creates topic t with one record and waits for its sync to end; returns
// the count of syncs started so far.
int CreateTopic(uint16_t port, SyncGate& gate) {
  Produced p = ProduceAsync(port, "t", 1).get();
  REQUIRE(p.error == 0);
  REQUIRE(gate.WaitStarted(1));
  return gate.Settle();
}

struct Fixture {
  std::string dir = testing::MakeTempDir("kq-flush-queue");
  SyncGate gate;
  ~Fixture() { std::filesystem::remove_all(dir); }
};

TEST_CASE("the loop serves other connections while a sync runs; the ack waits for it") {
  Fixture f;
  LoopServer server(f.dir, &f.gate);
  const int before = CreateTopic(server.port(), f.gate);

  f.gate.Hold();
  auto held = ProduceAsync(server.port(), "t", 5);
  REQUIRE(f.gate.WaitStarted(before + 1));
  // The sync is on the pool, held: other clients are served meanwhile.
  for (int i = 0; i < 3; ++i) {
    Status s = MetadataRoundTrip(server.port());
    CHECK_MESSAGE(s.ok(), s.ToString());
  }
  CHECK_FALSE(Ready(held, 300ms));  // not acknowledged before its sync ended
  f.gate.ReleaseOne();
  REQUIRE(Ready(held, 10s));
  Produced p = held.get();
  CHECK(p.status.ok());
  CHECK(p.error == 0);
  CHECK(p.base_offset == 1);
  f.gate.Open();
  server.Stop();
  CHECK(f.gate.on_loop() <= 1);  // at most Close's final sync at shutdown
}

TEST_CASE("requests that append during a sync wait for the next one, and share it") {
  Fixture f;
  LoopServer server(f.dir, &f.gate);
  const int before = CreateTopic(server.port(), f.gate);

  f.gate.Hold();
  auto a = ProduceAsync(server.port(), "t", 1);
  REQUIRE(f.gate.WaitStarted(before + 1));
  // b and c append while a's sync is held.
  auto b = ProduceAsync(server.port(), "t", 2);
  auto c = ProduceAsync(server.port(), "t", 3);
  REQUIRE(WaitForLogEnd(f.dir, "t", 1 + 1 + 2 + 3));
  f.gate.ReleaseOne();  // a's sync only
  REQUIRE(Ready(a, 10s));
  CHECK(a.get().error == 0);
  // b and c wait for a sync that began after their appends.
  REQUIRE(f.gate.WaitStarted(before + 2));
  CHECK_FALSE(Ready(b, 300ms));
  CHECK_FALSE(Ready(c));
  f.gate.ReleaseOne();
  REQUIRE(Ready(b, 10s));
  REQUIRE(Ready(c, 10s));
  CHECK(b.get().error == 0);
  CHECK(c.get().error == 0);
  // One fdatasync for both (group commit).
  CHECK(f.gate.started() == before + 2);
  f.gate.Open();
}

TEST_CASE("a failed sync fails every waiter; the next sync is a new one") {
  Fixture f;
  LoopServer server(f.dir, &f.gate);
  const int before = CreateTopic(server.port(), f.gate);

  f.gate.Hold();
  auto a = ProduceAsync(server.port(), "t", 1);
  REQUIRE(f.gate.WaitStarted(before + 1));
  auto b = ProduceAsync(server.port(), "t", 1);
  auto c = ProduceAsync(server.port(), "t", 1);
  REQUIRE(WaitForLogEnd(f.dir, "t", 4));
  f.gate.ReleaseOne(/*fail=*/true);
  REQUIRE(Ready(a, 10s));
  Produced pa = a.get();
  CHECK(pa.error == static_cast<int16_t>(ErrorCode::kKafkaStorageError));
  CHECK(pa.base_offset == -1);
  // b and c share the next sync, which fails too.
  REQUIRE(f.gate.WaitStarted(before + 2));
  CHECK_FALSE(Ready(b, 200ms));
  f.gate.ReleaseOne(/*fail=*/true);
  REQUIRE(Ready(b, 10s));
  REQUIRE(Ready(c, 10s));
  CHECK(b.get().error == static_cast<int16_t>(ErrorCode::kKafkaStorageError));
  CHECK(c.get().error == static_cast<int16_t>(ErrorCode::kKafkaStorageError));
  // A later request gets a sync of its own, which succeeds.
  f.gate.Open();
  Produced d = ProduceAsync(server.port(), "t", 1).get();
  CHECK(d.error == 0);
  CHECK(d.base_offset == 4);
  CHECK(f.gate.started() == before + 3);
}

TEST_CASE("a retry of a batch whose sync failed is acknowledged only after a sync of its own") {
  Fixture f;
  LoopServer server(f.dir, &f.gate);
  const int before = CreateTopic(server.port(), f.gate);
  format::RecordBatchBuilder::Options idempotent;
  idempotent.producer_id = 4242;
  idempotent.producer_epoch = 0;
  idempotent.base_sequence = 0;
  const std::string batch =
      testing::MakeBatch({{0, 1000, "k", "v"}, {1, 1001, "k", "w"}}, idempotent);

  f.gate.Hold();
  auto first = ProduceBatchAsync(server.port(), "t", batch);
  REQUIRE(f.gate.WaitStarted(before + 1));
  f.gate.ReleaseOne(/*fail=*/true);
  REQUIRE(Ready(first, 10s));
  CHECK(first.get().error == static_cast<int16_t>(ErrorCode::kKafkaStorageError));
  // The retry appends nothing (a duplicate), yet waits for a new fdatasync:
  // the failed one proved nothing about the bytes.
  auto retry = ProduceBatchAsync(server.port(), "t", batch);
  REQUIRE(f.gate.WaitStarted(before + 2));
  CHECK_FALSE(Ready(retry, 200ms));
  f.gate.ReleaseOne();
  REQUIRE(Ready(retry, 10s));
  Produced p = retry.get();
  CHECK(p.error == 0);
  CHECK(p.base_offset == 1);
  CHECK(LogEnd(f.dir, "t") == 3);  // written once
  f.gate.Open();
}

TEST_CASE("SIGTERM answers a request whose sync is still running") {
  Fixture f;
  LoopServer server(f.dir, &f.gate);
  const int before = CreateTopic(server.port(), f.gate);
  f.gate.Hold();
  auto a = ProduceAsync(server.port(), "t", 2);
  REQUIRE(f.gate.WaitStarted(before + 1));
  auto stopped = std::async(std::launch::async, [&] { server.Stop(); });
  // The shutdown syncs on the loop (not held) and answers at once.
  REQUIRE(Ready(a, 10s));
  Produced p = a.get();
  CHECK(p.error == 0);
  CHECK(p.base_offset == 1);
  f.gate.Open();  // the pool's sync ends after the queue is gone
  CHECK(stopped.wait_for(10s) == std::future_status::ready);
  CHECK(LogEnd(f.dir, "t") == 3);
}

TEST_CASE("a topic deleted while its sync runs") {
  Fixture f;
  LoopServer server(f.dir, &f.gate);
  const int before = CreateTopic(server.port(), f.gate);
  f.gate.Hold();
  auto a = ProduceAsync(server.port(), "t", 2);
  REQUIRE(f.gate.WaitStarted(before + 1));
  {
    replica::WireClient admin("127.0.0.1", server.port());
    protocol::DeleteTopicsRequest request;
    request.topic_names = {"t"};
    request.timeout_ms = 5000;
    protocol::DeleteTopicsResponse response;
    Status s = admin.Call(request, 4, &response);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(response.responses.size() == 1);
    CHECK(response.responses[0].error_code == 0);
  }
  // The sync owns its descriptor: it ends without the partition object.
  f.gate.Open();
  REQUIRE(Ready(a, 10s));
  CHECK(a.get().status.ok());
  // The topic comes back on the next produce, from offset 0.
  Produced again = ProduceAsync(server.port(), "t", 1).get();
  CHECK(again.error == 0);
  CHECK(again.base_offset == 0);
}

}  // namespace
}  // namespace kq::server
