#include "kq-pipe/pipe_stage.h"

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/time_spec.h"
#include "client/consumer.h"
#include "client/group_session.h"
#include "common/cluster_flags.h"
#include "common/escapes.h"
#include "common/exit_codes.h"
#include "io/env.h"
#include "log/follow_watcher.h"
#include "log/log_dir.h"
#include "log/topic_name.h"
#include "pipe/bounded_queue.h"
#include "pipe/command.h"
#include "pipe/position.h"
#include "pipe/stage_writer.h"
#include "pipe/steady_clock.h"

namespace kq::tools::pipe_tool {
namespace {

constexpr std::string_view kTool = "pipe";
// How often a group member re-checks membership (as kq-consume -G).
constexpr int64_t kGroupPollMs = 500;
// --map: at most this many records sent to CMD and not yet answered.
constexpr size_t kMapWindow = 4096;
constexpr size_t kWriteAhead = size_t{64} << 10;
// Output bytes per group (see Emit).
constexpr size_t kGroupBytes = size_t{64} << 10;

std::atomic<int> g_stop{0};
std::atomic<log::FollowWatcher*> g_watcher{nullptr};

void OnStop(int signo) {
  g_stop.store(signo);
  if (log::FollowWatcher* w = g_watcher.load()) w->Interrupt();
}

void InstallSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

Status Usage(std::string message) { return Status::InvalidArgument(message); }

// Bytes copied for one round, in blocks that never move, so views into them
// stay valid until Clear (one allocation per MiB instead of per record).
class Arena {
 public:
  std::string_view Put(std::string_view bytes) {
    if (blocks_.empty() || used_ + bytes.size() > caps_[current_]) Next(bytes.size());
    char* at = blocks_[current_].get() + used_;
    if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    used_ += bytes.size();
    return {at, bytes.size()};
  }
  void Clear() {
    current_ = 0;
    used_ = 0;
  }

 private:
  // Moves to the next block that holds `need` bytes (blocks of the last
  // rounds are reused), else adds one.
  void Next(size_t need) {
    used_ = 0;
    for (size_t i = blocks_.empty() ? 0 : current_ + 1; i < blocks_.size(); ++i) {
      if (caps_[i] >= need) {
        current_ = i;
        return;
      }
    }
    const size_t cap = std::max(size_t{1} << 20, need);
    blocks_.push_back(std::make_unique<char[]>(cap));
    caps_.push_back(cap);
    current_ = blocks_.size() - 1;
  }
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> caps_;
  size_t current_ = 0;
  size_t used_ = 0;
};

// One input record, copied out of the consumer's buffers (key and value
// into the round's Arena).
struct InRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// --map without -G: what the reader thread read in one Poll, on its way
// through the feeder (which writes the values to CMD) to the main thread
// (which matches CMD's answers to it). Chunks are recycled, arena and all.
struct Chunk {
  std::vector<InRecord> records;
  Arena bytes;  // the records' keys and values
  // Records [0, limit) go through; records[limit], if any, holds a newline
  // and is reported once the ones before it are answered.
  size_t limit = 0;
  bool last = false;  // no more chunks: `end` says why
  Status end;
};

class Stage {
 public:
  Stage(const CommonFlags& common, const PipeFlags& flags, std::string in, std::string out,
        std::vector<std::string> argv)
      : common_(common), flags_(flags), in_(std::move(in)), out_(std::move(out)) {
    command_.argv = std::move(argv);
  }
  ~Stage() {
    StopThreads();
    if (appending_.joinable()) appending_.join();
  }

  Status Setup() {
    io::Env* env = io::Env::Default();
    KQ_ASSIGN_OR_RETURN(dir_, log::LogDir::Open(env, common_.dir, false));
    KQ_ASSIGN_OR_RETURN(log::TopicInfo in_info, dir_->DescribeTopic(in_));
    pipe::StageWriterOptions wo;
    wo.env = env;
    wo.partitions = static_cast<int32_t>(flags_.partitions.value_or(in_info.partitions));
    wo.flush = flush_;
    // Two writers take turns: one appends a round in the background while
    // the next round is read and transformed into the other.
    for (auto& w : writers_) {
      KQ_ASSIGN_OR_RETURN(w, pipe::StageWriter::Open(*dir_, out_, wo));
    }
    writer_ = writers_[0].get();
    client::ConsumerOptions co;
    co.env = env;
    co.log_dir = common_.dir;
    co.follow = flags_.follow;
    KQ_ASSIGN_OR_RETURN(consumer_, client::Consumer::Open(co));
    if (flags_.follow) {
      KQ_ASSIGN_OR_RETURN(watcher_, log::FollowWatcher::Create({}));
      g_watcher.store(watcher_.get());
      if (g_stop.load() != 0) watcher_->Interrupt();
    }
    if (flags_.group.empty()) {
      std::vector<std::string> topics = {in_};
      KQ_ASSIGN_OR_RETURN(auto tps, consumer_->PartitionsOf(topics));
      for (const auto& tp : tps)
        KQ_RETURN_IF_ERROR(consumer_->Assign(tp, client::StartPosition::Beginning()));
    } else {
      KQ_ASSIGN_OR_RETURN(
          group_, client::GroupSession::Join(env, common_.dir, flags_.group, {in_}, consumer_.get(),
                                             client::StartPosition::Beginning()));
      KQ_ASSIGN_OR_RETURN(bool changed, group_->Rebalance());
      (void)changed;
      next_group_poll_ = pipe::SteadyMs() + kGroupPollMs;
    }
    return Reposition();
  }

  Status Run() {
    // --map without a group: reading IN, writing to CMD and reading its
    // answers run on three threads (a group's rebalances need the consumer
    // between rounds, so it keeps the one-thread loop).
    Status s = flags_.map && group_ == nullptr ? MapPipelined() : Loop();
    Status finished = s.ok() ? FinishMap() : Status::Ok();
    if (s.ok()) s = finished;
    if (group_ != nullptr) {
      Status left = group_->Leave(/*commit=*/s.ok());
      if (s.ok()) s = left;
    }
    Status appended = JoinAppend();
    if (s.ok()) s = appended;
    Status closed = writers_[0]->Close();
    Status closed2 = writers_[1]->Close();
    if (closed.ok()) closed = closed2;
    g_watcher.store(nullptr);
    return s.ok() ? closed : s;
  }

 private:
  void Note(const std::string& line) {
    if (common_.verbose > 0) fmt::print(stderr, "kq-pipe: {}\n", line);
  }
  int32_t OutPartition(int32_t in_partition) const {
    return in_partition % writer_->partition_count();
  }

  // Starts every partition this process owns and has not started yet where
  // OUT says its last run stopped; forgets the partitions it lost.
  Status Reposition() {
    KQ_RETURN_IF_ERROR(JoinAppend());  // what OUT holds must be complete
    const std::vector<client::TopicPartition> owned = consumer_->Assignment();
    std::set<int32_t> now;
    for (const auto& tp : owned) now.insert(tp.partition);
    for (auto it = positioned_.begin(); it != positioned_.end();) {
      if (now.count(*it) != 0) {
        ++it;
        continue;
      }
      auto& topics = positions_[OutPartition(*it)].topics;
      std::erase_if(topics, [&](const pipe::TopicOffset& t) { return t.partition == *it; });
      it = positioned_.erase(it);
    }
    for (const auto& tp : owned) {
      if (positioned_.count(tp.partition) != 0) continue;
      const int32_t outp = OutPartition(tp.partition);
      for (auto& w : writers_) KQ_RETURN_IF_ERROR(w->OpenPartition(outp));
      KQ_ASSIGN_OR_RETURN(auto found,
                          pipe::ReadInputOffsets(*dir_, out_, outp, in_, {tp.partition}));
      if (found.empty()) {
        KQ_RETURN_IF_ERROR(consumer_->Assign(tp, client::StartPosition::Beginning()));
        Note(
            fmt::format("{}:{}: no position in '{}', from the beginning", in_, tp.partition, out_));
      } else {
        KQ_RETURN_IF_ERROR(
            consumer_->Assign(tp, client::StartPosition::AtOffset(found.front().next_offset)));
        positions_[outp].Set(found.front());
        Note(fmt::format("{}:{}: resuming at offset {}", in_, tp.partition,
                         found.front().next_offset));
      }
      positioned_.insert(tp.partition);
    }
    if (watcher_ != nullptr) {
      for (const std::string& d : consumer_->PartitionDirs()) (void)watcher_->Watch(d);
    }
    return Status::Ok();
  }

  // Copies consumed record `r` into `in`, its key and value into `bytes`.
  static void CopyIn(const client::ConsumedRecord& r, Arena* bytes, InRecord* in) {
    in->partition = r.partition;
    in->offset = r.record->offset;
    in->timestamp = r.record->timestamp;
    if (r.record->key) in->key = bytes->Put(*r.record->key);
    if (r.record->value) in->value = bytes->Put(*r.record->value);
    for (const auto& h : r.record->headers) {
      if (h.key == pipe::kPositionHeader) continue;  // an upstream stage's, not ours
      in->headers.emplace_back(
          std::string(h.key),
          h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
    }
  }

  // After a Poll: false once reading is over (IN's end without -F, or
  // stopped); at IN's end with -F, waits for it to grow first.
  Result<bool> ReadOn(client::PollState state) {
    if (state == client::PollState::kFinished || state == client::PollState::kStopped) {
      return false;
    }
    if (state == client::PollState::kCaughtUp) {
      if (!flags_.follow) return false;
      KQ_ASSIGN_OR_RETURN(log::WakeReason why, watcher_->Wait(std::chrono::milliseconds(200)));
      (void)why;
      KQ_RETURN_IF_ERROR(consumer_->Refresh());
    }
    return true;
  }

  // CMD's output ended while it owed the answer for `r`: how it ended.
  Status EndedBefore(const InRecord& r) {
    Result<pipe::ExitStatus> st = map_->Wait(1000);
    return Status::IoError(fmt::format("'{}' ended ({}) before answering the {}", command_.argv[0],
                                       st.ok() ? st->ToString() : st.status().message(), Where(r)));
  }

  // Splits `data`, the next bytes CMD printed, into lines: on_line(line)
  // for each complete one (a view valid during the call); the unfinished
  // last one waits in partial_ for the next read.
  template <typename OnLine>
  Status SplitLines(std::string_view data, OnLine&& on_line) {
    while (!data.empty()) {
      const size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        partial_.append(data);
        break;
      }
      std::string_view line = data.substr(0, nl);
      if (!partial_.empty()) {
        partial_.append(line);
        line = partial_;
      }
      data.remove_prefix(nl + 1);
      Status s = on_line(line);
      partial_.clear();
      KQ_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  Status Loop() {
    std::vector<InRecord> chunk;
    const client::RecordSink sink = [&](const client::ConsumedRecord& r) {
      CopyIn(r, &chunk_bytes_, &chunk.emplace_back());
      return Status::Ok();
    };
    const size_t per_poll = static_cast<size_t>(flags_.batch_records);
    while (g_stop.load() == 0) {
      chunk.clear();
      chunk_bytes_.Clear();
      KQ_ASSIGN_OR_RETURN(client::PollState state, consumer_->Poll(sink, per_poll));
      if (!chunk.empty()) KQ_RETURN_IF_ERROR(flags_.map ? MapChunk(chunk) : RunChunk(chunk));
      KQ_ASSIGN_OR_RETURN(bool more, ReadOn(state));
      if (!more) break;
      if (group_ != nullptr && pipe::SteadyMs() >= next_group_poll_) {
        KQ_ASSIGN_OR_RETURN(bool changed, group_->Rebalance());
        next_group_poll_ = pipe::SteadyMs() + kGroupPollMs;
        if (changed) KQ_RETURN_IF_ERROR(Reposition());
      }
    }
    return Status::Ok();
  }

  // Adds what record `r` turned into (already in `values`) and ends its group.
  void Emit(const InRecord& r, const std::vector<std::optional<std::string_view>>& values,
            const std::vector<std::optional<std::string_view>>& keys, int64_t timestamp,
            bool keep_headers) {
    const int32_t outp = OutPartition(r.partition);
    std::vector<format::HeaderView> hv;
    if (keep_headers) {
      for (const auto& [k, v] : r.headers) {
        hv.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
      }
    }
    for (size_t i = 0; i < values.size(); ++i) {
      writer_->Add(outp, timestamp, keys[i], values[i], hv);
    }
    pipe::Position& pos = positions_[outp];
    // Every entry is IN's (Reposition): found by partition, updated in place
    // (a string built and compared per record showed in profiles).
    auto at = std::find_if(pos.topics.begin(), pos.topics.end(),
                           [&](const pipe::TopicOffset& t) { return t.partition == r.partition; });
    if (at != pos.topics.end()) {
      at->next_offset = r.offset + 1;
    } else {
      pos.Set(pipe::TopicOffset{in_, r.partition, r.offset + 1});
    }
    // A group (what a batch is never cut inside) spans whole input records,
    // about kGroupBytes of them: a position per record would cost more
    // than the records.
    size_t& open = open_group_bytes_[outp];
    open += 32;
    for (const auto& v : values) open += v ? v->size() : 0;
    if (open >= kGroupBytes) {
      writer_->EndGroup(outp, pos);
      open = 0;
    }
    dirty_.insert(outp);
  }

  // Ends the open group of every OUT partition written to, then appends.
  Status Commit() {
    for (int32_t outp : dirty_) {
      writer_->EndGroup(outp, positions_[outp]);
      open_group_bytes_[outp] = 0;
    }
    dirty_.clear();
    // In order: the previous round's append ends before this one starts.
    KQ_RETURN_IF_ERROR(JoinAppend());
    pipe::StageWriter* w = writer_;
    appending_ = std::thread([this, w] { append_status_ = w->Commit(); });
    writer_ = writers_[writer_ == writers_[0].get() ? 1 : 0].get();
    round_bytes_ = 0;
    return Status::Ok();
  }

  // Waits for the append running in the background, and returns its status.
  Status JoinAppend() {
    if (appending_.joinable()) appending_.join();
    return std::exchange(append_status_, Status::Ok());
  }

  std::string Where(const InRecord& r) const {
    return fmt::format("record at offset {} of {}:{}", r.offset, in_, r.partition);
  }

  // --map: the records through the long-running CMD, pipelined.
  Status MapChunk(const std::vector<InRecord>& chunk) {
    // A value holding a newline cannot go as one line: the records before
    // it are transformed, then it is reported.
    size_t stop = chunk.size();
    std::vector<size_t> sent_index;  // chunk index of each line sent
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (!chunk[i].value) continue;
      if (chunk[i].value->find('\n') != std::string::npos) {
        stop = i;
        break;
      }
      sent_index.push_back(i);
    }
    std::vector<std::string_view> answers;
    answer_bytes_.Clear();
    Status exchanged = Exchange(chunk, sent_index, &answers);
    const size_t upto = exchanged.ok() ? stop : sent_index[answers.size()];
    KQ_RETURN_IF_ERROR(EmitAnswered(chunk, upto, sent_index, answers));
    if (!exchanged.ok()) return exchanged;
    if (stop < chunk.size()) {
      return Status::InvalidArgument(
          fmt::format("{}: the value holds a newline, and --map sends one line per record",
                      Where(chunk[stop])));
    }
    return Status::Ok();
  }

  // Emits chunk[0, upto) with the answers got so far, then commits.
  Status EmitAnswered(const std::vector<InRecord>& chunk, size_t upto,
                      const std::vector<size_t>& sent_index,
                      const std::vector<std::string_view>& answers) {
    size_t a = 0;
    for (size_t i = 0; i < upto; ++i) {
      const InRecord& r = chunk[i];
      if (!r.value) {
        EmitMapped(r, std::nullopt);  // a tombstone passes through
        continue;
      }
      while (a < sent_index.size() && sent_index[a] < i) ++a;
      EmitMapped(r, answers[a++]);
    }
    return Commit();
  }

  Status StartMap() {
    if (map_ != nullptr) return Status::Ok();
    KQ_ASSIGN_OR_RETURN(map_, pipe::Command::Start(command_));
    return Status::Ok();
  }

  // Sends the values of chunk[sent_index] and reads one answer line each.
  Status Exchange(const std::vector<InRecord>& chunk, const std::vector<size_t>& sent_index,
                  std::vector<std::string_view>* answers) {
    if (sent_index.empty()) return Status::Ok();
    KQ_RETURN_IF_ERROR(StartMap());
    const size_t n = sent_index.size();
    size_t sent = 0;
    std::string wbuf;
    size_t wpos = 0;
    int64_t last_progress = pipe::SteadyMs();
    char buf[65536];
    const auto pending_record = [&]() -> const InRecord& {
      return chunk[sent_index[std::min(answers->size(), n - 1)]];
    };
    while (answers->size() < n) {
      while (wbuf.size() - wpos < kWriteAhead && sent < n && sent - answers->size() < kMapWindow) {
        wbuf += *chunk[sent_index[sent]].value;
        wbuf += '\n';
        ++sent;
      }
      pollfd fds[2];
      nfds_t nf = 0;
      const bool writing = wpos < wbuf.size() && map_->stdin_fd() >= 0;
      if (writing) fds[nf++] = {map_->stdin_fd(), POLLOUT, 0};
      fds[nf++] = {map_->stdout_fd(), POLLIN, 0};
      const int r = ::poll(fds, nf, 100);
      if (r < 0 && errno != EINTR)
        return Status::IoError(fmt::format("poll: {}", std::strerror(errno)));
      if (flags_.timeout_ms && pipe::SteadyMs() - last_progress > *flags_.timeout_ms) {
        map_->Kill();
        return Status::IoError(fmt::format("'{}' did not answer the {} within {} ms (killed)",
                                           map_->name(), Where(pending_record()),
                                           *flags_.timeout_ms));
      }
      if (r <= 0) continue;
      for (nfds_t i = 0; i < nf; ++i) {
        if (fds[i].revents == 0) continue;
        if (writing && fds[i].fd == map_->stdin_fd()) {
          const ssize_t w = ::write(map_->stdin_fd(), wbuf.data() + wpos, wbuf.size() - wpos);
          if (w > 0) {
            wpos += static_cast<size_t>(w);
            last_progress = pipe::SteadyMs();
            if (wpos == wbuf.size()) {
              wbuf.clear();
              wpos = 0;
            }
          } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            map_->CloseStdin();  // it stopped reading; its output tells the rest
          }
          continue;
        }
        const ssize_t got = ::read(map_->stdout_fd(), buf, sizeof buf);
        if (got < 0) {
          if (errno == EAGAIN || errno == EINTR) continue;
          return Status::IoError(
              fmt::format("reading from '{}': {}", map_->name(), std::strerror(errno)));
        }
        if (got == 0) {
          map_->CloseStdin();
          Status ended = EndedBefore(pending_record());
          map_.reset();
          return ended;
        }
        last_progress = pipe::SteadyMs();
        KQ_RETURN_IF_ERROR(SplitLines({buf, static_cast<size_t>(got)}, [&](std::string_view line) {
          if (answers->size() >= sent) {
            return Status::InvalidArgument(
                fmt::format("'{}' answered more lines than it was given (after the {})",
                            map_->name(), Where(chunk[sent_index[sent == 0 ? 0 : sent - 1]])));
          }
          answers->push_back(answer_bytes_.Put(line));
          return Status::Ok();
        }));
      }
    }
    if (!partial_.empty()) {
      return Status::InvalidArgument(fmt::format("'{}' answered more than one line for the {}",
                                                 map_->name(), Where(chunk[sent_index[n - 1]])));
    }
    return Status::Ok();
  }

  // ---- --map, pipelined -------------------------------------------------
  //
  // reader thread: consumer -> read_q_ (chunks of --batch-records records)
  // feeder thread: read_q_ -> sent_q_, then the chunk's values to CMD
  // this thread:   CMD's answers, matched in order to sent_q_'s records,
  //                added to the writer; a round is appended (in the
  //                background, Commit) once kRoundBytes are waiting or no
  //                answer is due. A chunk enters sent_q_ before its values
  //                reach CMD, so every answer has its record waiting.
  // The position added with each record is that record's offset + 1, so an
  // append holds exactly the output of the input its position covers.

  // Chunks waiting per queue. Memory grows with it (a chunk is up to
  // --batch-records records, whatever their size); 2 was as fast as 4.
  static constexpr size_t kQueueChunks = 2;
  static constexpr size_t kRoundBytes = size_t{1} << 20;

  Status MapPipelined() {
    KQ_RETURN_IF_ERROR(StartMap());
    reader_ = std::thread([this] { ReadChunks(); });
    feeder_ = std::thread([this] { FeedChunks(); });
    Status s = AnswerChunks();
    if (!s.ok()) {
      // What was answered is appended; CMD is killed so the feeder stops.
      Status committed = Commit();
      (void)committed;
      map_->Kill();
    }
    StopThreads();
    return s;
  }

  void StopThreads() {
    abort_.store(true);
    read_q_.Close();
    sent_q_.Close();
    if (reader_.joinable()) reader_.join();
    if (feeder_.joinable()) feeder_.join();
  }

  std::unique_ptr<Chunk> FreeChunk() {
    std::lock_guard<std::mutex> lock(free_mu_);
    if (free_.empty()) return std::make_unique<Chunk>();
    std::unique_ptr<Chunk> c = std::move(free_.back());
    free_.pop_back();
    return c;
  }
  void Recycle(std::unique_ptr<Chunk> c) {
    c->records.clear();
    c->bytes.Clear();
    std::lock_guard<std::mutex> lock(free_mu_);
    free_.push_back(std::move(c));
  }

  // The reader thread: owns the consumer and the watcher from now on.
  void ReadChunks() {
    Status s = ReadLoop();
    auto last = std::make_unique<Chunk>();
    last->last = true;
    last->end = s;
    (void)read_q_.Push(std::move(last));
  }

  Status ReadLoop() {
    Chunk* chunk = nullptr;
    const client::RecordSink sink = [&](const client::ConsumedRecord& r) {
      CopyIn(r, &chunk->bytes, &chunk->records.emplace_back());
      return Status::Ok();
    };
    const size_t per_poll = static_cast<size_t>(flags_.batch_records);
    while (g_stop.load() == 0 && !abort_.load()) {
      std::unique_ptr<Chunk> c = FreeChunk();
      chunk = c.get();
      KQ_ASSIGN_OR_RETURN(client::PollState state, consumer_->Poll(sink, per_poll));
      if (!c->records.empty() && !read_q_.Push(std::move(c))) break;
      KQ_ASSIGN_OR_RETURN(bool more, ReadOn(state));
      if (!more) break;
    }
    return Status::Ok();
  }

  // The feeder thread: the only one writing CMD's stdin.
  void FeedChunks() {
    std::string wbuf;
    bool writing = true;  // false once CMD stopped reading
    while (std::optional<std::unique_ptr<Chunk>> got = read_q_.Pop()) {
      std::unique_ptr<Chunk> c = std::move(*got);
      const bool last = c->last;
      wbuf.clear();
      c->limit = c->records.size();
      for (size_t i = 0; i < c->records.size(); ++i) {
        const auto& v = c->records[i].value;
        if (!v) continue;
        if (v->find('\n') != std::string_view::npos) {
          c->limit = i;
          break;
        }
        wbuf.append(*v);
        wbuf.push_back('\n');
      }
      const bool stops = c->limit < c->records.size();
      if (!sent_q_.Push(std::move(c))) return;
      if (writing) writing = WriteAll(wbuf);
      if (last || stops) break;
    }
    // End of input (or of what may be sent): CMD sees end of file.
    map_->CloseStdin();
  }

  // Writes `bytes` to CMD's stdin; false when it stopped reading (its
  // output, or the lack of it, tells the answering side what happened).
  bool WriteAll(std::string_view bytes) {
    const int fd = map_->stdin_fd();
    while (!bytes.empty()) {
      if (abort_.load()) return false;
      const ssize_t w = ::write(fd, bytes.data(), bytes.size());
      if (w > 0) {
        bytes.remove_prefix(static_cast<size_t>(w));
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        pollfd p = {fd, POLLOUT, 0};
        (void)::poll(&p, 1, 100);
        continue;
      }
      return false;
    }
    return true;
  }

  // Emits the records of the current chunk that need no answer (tombstones)
  // and finishes the chunks that are done, until a record waits for an
  // answer or the last chunk is reached. Appends the round when nothing is
  // due from CMD (or it is big enough).
  Status Advance() {
    for (;;) {
      if (cur_ == nullptr) {
        std::optional<std::unique_ptr<Chunk>> next = sent_q_.TryPop();
        if (!next) {
          if (!dirty_.empty()) KQ_RETURN_IF_ERROR(Commit());  // nothing due: append
          next = sent_q_.Pop();
          if (!next) return Status::Internal("the answer queue was closed");
        }
        cur_ = std::move(*next);
        cur_i_ = 0;
        // Answers are due from now: a wait for input (-F) is not CMD's.
        answer_progress_ms_ = pipe::SteadyMs();
      }
      if (cur_->last) return Status::Ok();
      while (cur_i_ < cur_->limit && !cur_->records[cur_i_].value) {
        EmitMapped(cur_->records[cur_i_++], std::nullopt);  // a tombstone passes through
      }
      if (cur_i_ < cur_->limit) return Status::Ok();
      if (cur_->limit < cur_->records.size()) {
        KQ_RETURN_IF_ERROR(Commit());
        return Status::InvalidArgument(
            fmt::format("{}: the value holds a newline, and --map sends one line per record",
                        Where(cur_->records[cur_->limit])));
      }
      Recycle(std::move(cur_));
      if (round_bytes_ >= kRoundBytes) KQ_RETURN_IF_ERROR(Commit());
    }
  }

  // --map (both forms): emits `r` with CMD's answer line (an empty one drops
  // the record); a tombstone, never sent to CMD, passes through.
  void EmitMapped(const InRecord& r, std::optional<std::string_view> answer) {
    values_.clear();
    keys_.clear();
    if (!r.value) {
      values_.push_back(std::nullopt);
      keys_.push_back(r.key);
    } else if (!answer->empty()) {
      values_.push_back(answer);
      keys_.push_back(r.key);
      round_bytes_ += answer->size();
    }
    round_bytes_ += 32;
    Emit(r, values_, keys_, r.timestamp, /*keep_headers=*/true);
  }

  // This thread: CMD's answers, one line per record sent.
  Status AnswerChunks() {
    char buf[65536];
    for (;;) {
      KQ_RETURN_IF_ERROR(Advance());
      if (cur_->last) break;
      const int fd = map_->stdout_fd();
      pollfd p = {fd, POLLIN, 0};
      const int r = ::poll(&p, 1, 100);
      if (r < 0 && errno != EINTR) {
        return Status::IoError(fmt::format("poll: {}", std::strerror(errno)));
      }
      if (r <= 0) {
        if (flags_.timeout_ms && pipe::SteadyMs() - answer_progress_ms_ > *flags_.timeout_ms) {
          map_->Kill();
          return Status::IoError(fmt::format("'{}' did not answer the {} within {} ms (killed)",
                                             map_->name(), Where(cur_->records[cur_i_]),
                                             *flags_.timeout_ms));
        }
        continue;
      }
      const ssize_t got = ::read(fd, buf, sizeof buf);
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return Status::IoError(
            fmt::format("reading from '{}': {}", map_->name(), std::strerror(errno)));
      }
      if (got == 0) return EndedBefore(cur_->records[cur_i_]);
      answer_progress_ms_ = pipe::SteadyMs();
      KQ_RETURN_IF_ERROR(SplitLines({buf, static_cast<size_t>(got)}, [&](std::string_view line) {
        KQ_RETURN_IF_ERROR(Advance());
        if (cur_->last) {
          return Status::InvalidArgument(
              fmt::format("'{}' printed more lines than it was given", map_->name()));
        }
        EmitMapped(cur_->records[cur_i_++], line);
        return Status::Ok();
      }));
    }
    const Status end = cur_->end;
    cur_.reset();
    KQ_RETURN_IF_ERROR(Commit());
    return end;
  }

  // --map at the end: CMD's stdin closed, nothing more may come out.
  Status FinishMap() {
    if (map_ == nullptr) return Status::Ok();
    map_->CloseStdin();
    std::string extra;
    char buf[4096];
    const int64_t deadline = pipe::SteadyMs() + flags_.timeout_ms.value_or(10000);
    while (map_->stdout_fd() >= 0 && pipe::SteadyMs() < deadline) {
      pollfd fd = {map_->stdout_fd(), POLLIN, 0};
      if (::poll(&fd, 1, 100) <= 0) continue;
      const ssize_t got = ::read(map_->stdout_fd(), buf, sizeof buf);
      if (got > 0) {
        extra.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        map_->CloseStdout();
      }
    }
    KQ_ASSIGN_OR_RETURN(pipe::ExitStatus st,
                        map_->Wait(std::max<int64_t>(deadline - pipe::SteadyMs(), 1)));
    map_.reset();
    if (!extra.empty() || !partial_.empty()) {
      return Status::InvalidArgument(
          fmt::format("'{}' printed more lines than it was given", command_.argv[0]));
    }
    if (!st.ok()) {
      return Status::IoError(fmt::format("'{}' ended with {}", command_.argv[0], st.ToString()));
    }
    return Status::Ok();
  }

  // Without --map: CMD once per run of one partition's records.
  Status RunChunk(const std::vector<InRecord>& chunk) {
    size_t begin = 0;
    while (begin < chunk.size()) {
      size_t end = begin;
      std::string input;
      const size_t limit = static_cast<size_t>(flags_.batch_records);
      while (end < chunk.size() && chunk[end].partition == chunk[begin].partition &&
             end - begin < limit) {
        const auto& v = chunk[end].value;
        if (v && v->find('\n') != std::string::npos) {
          KQ_RETURN_IF_ERROR(Commit());
          return Status::InvalidArgument(
              fmt::format("{}: the value holds a newline, and CMD gets one line per record",
                          Where(chunk[end])));
        }
        if (v) input += *v;
        input += '\n';
        ++end;
      }
      const InRecord& first = chunk[begin];
      const InRecord& last = chunk[end - 1];
      const std::string where = fmt::format("records at offsets {}..{} of {}:{}", first.offset,
                                            last.offset, in_, first.partition);
      Result<pipe::CommandRun> run = pipe::RunCommand(command_, input, flags_.timeout_ms);
      if (!run.ok()) {
        KQ_RETURN_IF_ERROR(Commit());
        return run.status();
      }
      if (run->timed_out || !run->status.ok()) {
        KQ_RETURN_IF_ERROR(Commit());
        return Status::IoError(
            fmt::format("'{}' {} on the {}; nothing was appended for them", command_.argv[0],
                        run->timed_out ? fmt::format("did not end within {} ms", *flags_.timeout_ms)
                                       : "failed (" + run->status.ToString() + ")",
                        where));
      }
      std::vector<std::optional<std::string_view>> values, keys;
      std::string_view out = run->output;
      while (!out.empty()) {
        const size_t nl = out.find('\n');
        std::string_view line = out.substr(0, nl);
        out.remove_prefix(nl == std::string_view::npos ? out.size() : nl + 1);
        std::optional<std::string_view> key;
        if (key_delimiter_) {
          const size_t k = line.find(*key_delimiter_);
          if (k != std::string_view::npos) {
            key = line.substr(0, k);
            line.remove_prefix(k + key_delimiter_->size());
          }
        }
        keys.push_back(key);
        values.push_back(line);
      }
      const int64_t now = kq::NowMs();
      Emit(last, values, keys, now, /*keep_headers=*/false);
      begin = end;
    }
    return Commit();
  }

 public:
  // Parses -K and --flush before anything is opened (a usage error, exit 2).
  Status TakeFlags() {
    if (flags_.key_delimiter) {
      KQ_ASSIGN_OR_RETURN(std::string kd, ParseDelimiter(*flags_.key_delimiter, "-K"));
      key_delimiter_ = std::move(kd);
    }
    if (!flags_.flush.empty()) {
      Result<log::FlushPolicy> policy = log::FlushPolicy::Parse(flags_.flush);
      if (!policy.ok()) return Usage(fmt::format("--flush: {}", policy.status().message()));
      flush_ = *policy;
    }
    return Status::Ok();
  }

 private:
  const CommonFlags& common_;
  const PipeFlags& flags_;
  std::string in_;
  std::string out_;
  pipe::CommandOptions command_;
  std::optional<std::string> key_delimiter_;
  std::optional<log::FlushPolicy> flush_;  // --flush, else the topic's
  std::optional<log::LogDir> dir_;
  std::unique_ptr<pipe::StageWriter> writers_[2];
  pipe::StageWriter* writer_ = nullptr;  // the one being filled
  std::thread appending_;                // the other one's Commit, if running
  Status append_status_;
  std::unique_ptr<client::Consumer> consumer_;
  std::unique_ptr<client::GroupSession> group_;
  std::unique_ptr<log::FollowWatcher> watcher_;
  std::unique_ptr<pipe::Command> map_;
  std::string partial_;  // an answer line not yet complete
  // --map pipelined (MapPipelined).
  std::thread reader_;
  std::thread feeder_;
  std::atomic<bool> abort_{false};
  pipe::BoundedQueue<std::unique_ptr<Chunk>> read_q_{kQueueChunks};
  pipe::BoundedQueue<std::unique_ptr<Chunk>> sent_q_{kQueueChunks};
  std::mutex free_mu_;
  std::vector<std::unique_ptr<Chunk>> free_;
  std::unique_ptr<Chunk> cur_;      // the chunk whose answers come now
  size_t cur_i_ = 0;                // its next record to emit
  int64_t answer_progress_ms_ = 0;  // CMD's last answer bytes, or its chunk's arrival
  size_t round_bytes_ = 0;          // output added since the last Commit
  std::vector<std::optional<std::string_view>> values_, keys_;
  Arena chunk_bytes_;   // the round's keys and values
  Arena answer_bytes_;  // the round's answers
  std::set<int32_t> positioned_;
  std::map<int32_t, pipe::Position> positions_;  // per OUT partition
  std::map<int32_t, size_t> open_group_bytes_;   // per OUT partition
  std::set<int32_t> dirty_;  // OUT partitions with records or positions not in a group yet
  int64_t next_group_poll_ = 0;
};

Status CheckFlags(const CommonFlags& common, const PipeFlags& f) {
  if (ClusterMode(common)) return Usage("kq-pipe works on a log directory only (not with -b)");
  if (f.operands.size() < 3) return Usage("expected IN OUT -- CMD [ARGS...]");
  if (f.map && f.key_delimiter) {
    return Usage("--map keeps the input's keys: -K applies only without --map");
  }
  if (f.batch_records < 1 || f.batch_records > 1000000) {
    return Usage(fmt::format("--batch-records: {} is out of range (1..1000000)", f.batch_records));
  }
  if (f.timeout_ms && (*f.timeout_ms < 1 || *f.timeout_ms > 24LL * 3600 * 1000)) {
    return Usage(fmt::format("--timeout: {} is out of range (1..86400000 ms)", *f.timeout_ms));
  }
  if (f.partitions && (*f.partitions < 1 || *f.partitions > log::kMaxPartitionsPerTopic)) {
    return Usage(fmt::format("--partitions: {} is out of range (1..{})", *f.partitions,
                             log::kMaxPartitionsPerTopic));
  }
  for (size_t i = 0; i < 2; ++i) {
    if (Status v = log::ValidateTopicName(f.operands[i]); !v.ok()) return Usage(v.message());
  }
  if (f.operands[0] == f.operands[1]) return Usage("IN and OUT must be different topics");
  return Status::Ok();
}

}  // namespace

int RunPipe(const CommonFlags& common, const PipeFlags& flags) {
  // Each round's batches are built in fresh buffers of about a MiB, on
  // whichever thread appends it: with glibc's default thresholds those are
  // mapped and unmapped (or the heap trimmed) every round, and the page
  // faults cost more system time than the pipes. Keep them in the heap.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  if (Status s = CheckFlags(common, flags); !s.ok()) return ReportUsageError(kTool, s.message());
  std::vector<std::string> argv(flags.operands.begin() + 2, flags.operands.end());
  Stage stage(common, flags, flags.operands[0], flags.operands[1], std::move(argv));
  if (Status s = stage.TakeFlags(); !s.ok()) return ReportUsageError(kTool, s.message());
  InstallSignals();
  if (Status s = stage.Setup(); !s.ok()) return ReportError(kTool, s);
  return ReportError(kTool, stage.Run());
}

}  // namespace kq::tools::pipe_tool
