#include "kq-produce/follow_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/crc32c.h"
#include "base/time_spec.h"
#include "common/cluster_flags.h"
#include "common/escapes.h"
#include "common/exit_codes.h"
#include "format/compression.h"
#include "io/env.h"
#include "kq-produce/input_source.h"
#include "log/follow_watcher.h"
#include "log/log_dir.h"
#include "log/partitioner.h"
#include "log/topic_name.h"
#include "pipe/position.h"
#include "pipe/stage_writer.h"
#include "pipe/steady_clock.h"

namespace kq::tools::produce {
namespace {

constexpr std::string_view kTool = "produce";
// Bytes read from a file per round; lines longer than this are refused.
constexpr size_t kReadChunk = size_t{256} << 10;
// A group (lines that share one position) ends after about this many bytes,
// so a batch can always be cut below max.message.bytes.
constexpr size_t kGroupBytes = size_t{64} << 10;
// How long a renamed file must stay unchanged before the new one is read
// (or --poll-ms when shorter).
constexpr int64_t kDrainGraceMs = 1000;

Status Usage(std::string message) { return Status::InvalidArgument(message); }

struct Identity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const Identity&) const = default;
};

Identity IdentityOf(const struct stat& st) {
  return Identity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
}

// An open file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  // Gives up ownership.
  int Release() { return std::exchange(fd_, -1); }
  bool open() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Result<std::string> PRead(int fd, uint64_t offset, size_t n, const std::string& path) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(
          fmt::format("{}: read at byte {}: {}", path, offset + got, std::strerror(errno)));
    }
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

// Opens `path` for reading and stats it: a descriptor that is not open
// when no such file exists, IoError naming the path otherwise.
Result<Fd> OpenFile(const std::string& path, struct stat* st) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.open()) {
    if (errno == ENOENT) return Fd();
    return Status::IoError(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  if (::fstat(fd.get(), st) != 0) {
    return Status::IoError(fmt::format("{}: {}", path, std::strerror(errno)));
  }
  return fd;
}

// CRC-32C of the first `n` bytes of the open file (fewer when shorter).
Result<uint32_t> HeadCrc(int fd, uint64_t n, const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::string head, PRead(fd, 0, static_cast<size_t>(n), path));
  if (head.size() != n) return Status::NotFound("short");
  return crc32c::Value(head);
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// One followed file.
struct Followed {
  std::string path;
  int32_t partition = 0;
  Fd fd;
  Identity id;
  uint64_t offset = 0;  // the byte after the last line appended
  uint64_t head_length = 0;
  uint32_t head_crc = 0;
  // Reading a file renamed away: `path` names another file now.
  bool draining = false;
  // While draining: when the renamed file was last seen without new bytes
  // (0: not yet), for the grace a writer gets to notice the rotation.
  int64_t quiet_since_ms = 0;

  pipe::FileOffset Entry() const {
    return {path, id.device, id.inode, offset, head_length, head_crc};
  }
  // Moves past `bytes` (read at `offset`), keeping the head fingerprint.
  void Consume(std::string_view bytes) {
    if (head_length < pipe::kFileHeadBytes && head_length == offset) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(bytes.size(), pipe::kFileHeadBytes - head_length));
      head_crc = crc32c::Extend(head_crc, bytes.data(), n);
      head_length += n;
    }
    offset += bytes.size();
  }
  void StartAt0(int new_fd, Identity new_id) {
    fd = Fd(new_fd);
    id = new_id;
    offset = 0;
    head_length = 0;
    head_crc = 0;
    draining = false;
    quiet_since_ms = 0;
  }
  // Continues where `saved` (a position of this same file) stopped.
  void RestoreFrom(const pipe::FileOffset& saved) {
    offset = saved.offset;
    head_length = saved.head_length;
    head_crc = saved.head_crc;
  }
};

// What -K and -H make of each line, checked before anything is opened (a
// usage error, exit 2).
struct LineOptions {
  std::optional<std::string> key_delimiter;
  std::vector<std::pair<std::string, std::string>> headers;
};

Result<LineOptions> TakeLineOptions(const ProduceFlags& flags) {
  LineOptions o;
  if (flags.key_delimiter) {
    KQ_ASSIGN_OR_RETURN(std::string kd, ParseDelimiter(*flags.key_delimiter, "-K"));
    o.key_delimiter = std::move(kd);
  }
  for (const std::string& h : flags.headers) {
    const size_t eq = h.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Usage(fmt::format("-H '{}': expected NAME=VALUE", log::EscapeForMessage(h)));
    }
    o.headers.emplace_back(h.substr(0, eq), h.substr(eq + 1));
  }
  return o;
}

class Follower {
 public:
  Follower(const CommonFlags& common, const ProduceFlags& flags, const FollowFlags& follow,
           LineOptions lines, pipe::StageWriter* writer)
      : common_(common), flags_(flags), follow_(follow), lines_(std::move(lines)), writer_(writer) {
    for (const auto& [k, v] : lines_.headers) headers_.push_back({k, std::string_view(v)});
  }

  Status Init(const std::vector<std::string>& paths, std::optional<int32_t> fixed_partition) {
    for (const std::string& path : paths) {
      auto f = std::make_unique<Followed>();
      f->path = path;
      f->partition =
          fixed_partition.value_or(log::MurmurPartition(path, writer_->partition_count()));
      files_.push_back(std::move(f));
    }
    // What the topic says about each partition's files: the newest position.
    std::set<int32_t> partitions;
    for (const auto& f : files_) partitions.insert(f->partition);
    for (int32_t p : partitions) {
      KQ_RETURN_IF_ERROR(writer_->OpenPartition(p));
      KQ_ASSIGN_OR_RETURN(auto latest, pipe::ReadLatestPosition(*dir_, writer_->topic(), p));
      pipe::Position& pos = positions_[p];
      if (latest) pos = std::move(latest->position);
    }
    for (auto& f : files_) KQ_RETURN_IF_ERROR(Resume(*f));
    return Status::Ok();
  }

  void set_dir(const log::LogDir* dir) { dir_ = dir; }

  // Follows until a stop signal; every round reads what is new.
  Status Run() {
    KQ_ASSIGN_OR_RETURN(auto watcher,
                        log::FollowWatcher::Create({.poll_interval = std::chrono::milliseconds(
                                                        std::max<int64_t>(follow_.poll_ms, 10))}));
    std::set<std::string> dirs;
    for (const auto& f : files_) dirs.insert(DirOf(f->path));
    for (const std::string& d : dirs) {
      // Refused (a missing directory, no inotify): the poll covers it.
      (void)watcher->Watch(d);
    }
    while (StopRequested() == 0) {
      bool progressed = false;
      for (auto& f : files_) {
        KQ_ASSIGN_OR_RETURN(bool p, Step(*f));
        progressed = progressed || p;
        if (StopRequested() != 0) break;
      }
      if (progressed) continue;
      for (const std::string& d : dirs) (void)watcher->Watch(d);  // a directory made later
      KQ_ASSIGN_OR_RETURN(log::WakeReason why, watcher->Wait(std::chrono::milliseconds(200)));
      (void)why;
    }
    return Status::Ok();
  }

 private:
  void Note(const std::string& line) {
    if (!common_.quiet) fmt::print(stderr, "kq-produce: {}\n", line);
  }

  // Positions `f` from the recorded position, or as a new file.
  Status Resume(Followed& f) {
    const pipe::FileOffset* saved = positions_[f.partition].FindFile(f.path);
    struct stat st {};
    KQ_ASSIGN_OR_RETURN(Fd current, OpenFile(f.path, &st));
    if (saved == nullptr) {
      if (!current.open()) return Status::Ok();  // appears later: read from its start
      f.StartAt0(current.Release(), IdentityOf(st));
      if (follow_.from_end) KQ_RETURN_IF_ERROR(SkipToEnd(f, static_cast<uint64_t>(st.st_size)));
      return Status::Ok();
    }
    const Identity want{saved->device, saved->inode};
    if (current.open() && IdentityOf(st) == want) {
      KQ_ASSIGN_OR_RETURN(bool same,
                          Matches(current.get(), *saved, static_cast<uint64_t>(st.st_size)));
      f.StartAt0(current.Release(), want);
      if (same) {
        f.RestoreFrom(*saved);
      } else {
        Note(fmt::format("{} was truncated or rewritten since byte {}: reading it from the start",
                         f.path, saved->offset));
      }
      return Status::Ok();
    }
    // Renamed away while we were down: finish the old file first.
    KQ_ASSIGN_OR_RETURN(std::optional<std::string> old, FindByIdentity(DirOf(f.path), want));
    if (old) {
      const int ofd = ::open(old->c_str(), O_RDONLY | O_CLOEXEC);
      struct stat ost {};
      if (ofd >= 0 && ::fstat(ofd, &ost) == 0 && IdentityOf(ost) == want) {
        Fd held(ofd);
        KQ_ASSIGN_OR_RETURN(bool same, Matches(ofd, *saved, static_cast<uint64_t>(ost.st_size)));
        if (same) {
          f.StartAt0(held.Release(), want);
          f.RestoreFrom(*saved);
          f.draining = true;
          return Status::Ok();
        }
      } else if (ofd >= 0) {
        ::close(ofd);
      }
    }
    Note(
        fmt::format("{}: the file read up to byte {} is gone; reading the current one from the "
                    "start",
                    f.path, saved->offset));
    if (current.open()) {
      f.StartAt0(current.Release(), IdentityOf(st));
    }
    return Status::Ok();
  }

  // The file at `fd` is the one `saved` describes, grown or not.
  Result<bool> Matches(int fd, const pipe::FileOffset& saved, uint64_t size) {
    if (size < saved.offset) return false;
    Result<uint32_t> crc = HeadCrc(fd, saved.head_length, saved.path);
    if (!crc.ok()) return crc.status().IsNotFound() ? Result<bool>(false) : crc.status();
    return *crc == saved.head_crc;
  }

  Result<std::optional<std::string>> FindByIdentity(const std::string& dir, Identity want) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return std::optional<std::string>();
    std::optional<std::string> found;
    while (dirent* e = ::readdir(d)) {
      if (e->d_ino != want.inode) continue;
      std::string p = dir == "/" ? "/" + std::string(e->d_name) : dir + "/" + e->d_name;
      struct stat st {};
      if (::stat(p.c_str(), &st) == 0 && IdentityOf(st) == want) {
        found = std::move(p);
        break;
      }
    }
    ::closedir(d);
    return found;
  }

  // --from-end: start after the file's last complete line.
  Status SkipToEnd(Followed& f, uint64_t size) {
    uint64_t at = size;
    while (at > 0) {
      const uint64_t from = at >= kReadChunk ? at - kReadChunk : 0;
      KQ_ASSIGN_OR_RETURN(std::string bytes, PRead(f.fd.get(), from, at - from, f.path));
      const size_t nl = bytes.rfind('\n');
      if (nl != std::string::npos) {
        at = from + nl + 1;
        break;
      }
      at = from;
    }
    KQ_ASSIGN_OR_RETURN(
        std::string head,
        PRead(f.fd.get(), 0, static_cast<size_t>(std::min(at, pipe::kFileHeadBytes)), f.path));
    f.head_length = head.size();
    f.head_crc = crc32c::Value(head);
    f.offset = at;
    return Status::Ok();
  }

  // One round for one file; true when something was appended or changed.
  Result<bool> Step(Followed& f) {
    if (!f.fd.open()) {
      struct stat st {};
      KQ_ASSIGN_OR_RETURN(Fd fd, OpenFile(f.path, &st));
      if (!fd.open()) return false;
      f.StartAt0(fd.Release(), IdentityOf(st));
      return true;
    }
    struct stat st {};
    if (::fstat(f.fd.get(), &st) != 0) {
      return Status::IoError(fmt::format("{}: {}", f.path, std::strerror(errno)));
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    bool rewritten = false;
    if (size > f.offset && f.head_length > 0) {
      // Truncated and written past the old end between two looks: the
      // start of the file tells.
      Result<uint32_t> crc = HeadCrc(f.fd.get(), f.head_length, f.path);
      if (!crc.ok() && !crc.status().IsNotFound()) return crc.status();
      rewritten = !crc.ok() || *crc != f.head_crc;
    }
    if (size < f.offset || rewritten) {
      Note(fmt::format("{}: file truncated", f.path));
      f.offset = 0;
      f.head_length = 0;
      f.head_crc = 0;
      return true;
    }
    if (!f.draining) {
      // Rotation: the name now points elsewhere (or nowhere).
      struct stat now {};
      const bool renamed = ::stat(f.path.c_str(), &now) != 0 || IdentityOf(now) != f.id;
      if (renamed) f.draining = true;
    }
    if (size > f.offset) {
      KQ_ASSIGN_OR_RETURN(bool appended, AppendLines(f, size));
      if (appended) {
        f.quiet_since_ms = 0;
        return true;
      }
    }
    if (f.draining) {
      // A program writing the log keeps its descriptor to the renamed file
      // until it reopens the name: read on until the file stays unchanged.
      const int64_t now = pipe::SteadyMs();
      if (f.quiet_since_ms == 0) f.quiet_since_ms = now;
      if (now - f.quiet_since_ms < std::min(kDrainGraceMs, follow_.poll_ms)) return false;
      // Everything the old file held is in; follow the name again.
      f.fd.Reset();
      f.draining = false;
      struct stat st {};
      KQ_ASSIGN_OR_RETURN(Fd fd, OpenFile(f.path, &st));
      if (fd.open()) f.StartAt0(fd.Release(), IdentityOf(st));
      return true;
    }
    return false;
  }

  // Appends the complete lines between f.offset and `size` (at most one
  // chunk); a draining file's last unterminated line counts as complete.
  Result<bool> AppendLines(Followed& f, uint64_t size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(size - f.offset, kReadChunk));
    KQ_ASSIGN_OR_RETURN(std::string bytes, PRead(f.fd.get(), f.offset, want, f.path));
    size_t end = bytes.rfind('\n');
    if (end == std::string::npos) {
      if (bytes.size() == kReadChunk) {
        return Status::InvalidArgument(fmt::format(
            "{}: the line at byte {} is longer than {} bytes", f.path, f.offset, kReadChunk));
      }
      if (!f.draining || bytes.size() != size - f.offset) return false;  // wait for its end
      end = bytes.size();  // the renamed file's last line
    } else {
      ++end;
    }
    const int64_t now = kq::NowMs();
    pipe::Position& pos = positions_[f.partition];
    std::string_view rest(bytes.data(), end);
    size_t group = 0;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      const size_t take = nl == std::string_view::npos ? rest.size() : nl + 1;
      std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
      std::optional<std::string_view> key;
      if (flags_.key) key = *flags_.key;
      if (const auto& kd = lines_.key_delimiter) {
        const size_t k = line.find(*kd);
        if (k != std::string_view::npos) {
          key = line.substr(0, k);
          line.remove_prefix(k + kd->size());
        }
      }
      std::optional<std::string_view> value = line;
      if (flags_.null_empty && line.empty()) value.reset();
      writer_->Add(f.partition, now, key, value, headers_);
      f.Consume(rest.substr(0, take));
      rest.remove_prefix(take);
      group += take + 32;
      if (group >= kGroupBytes || rest.empty()) {
        pos.Set(f.Entry());
        writer_->EndGroup(f.partition, pos);
        group = 0;
      }
    }
    KQ_RETURN_IF_ERROR(writer_->Commit());
    return true;
  }

  const CommonFlags& common_;
  const ProduceFlags& flags_;
  const FollowFlags& follow_;
  const LineOptions lines_;
  pipe::StageWriter* writer_;
  const log::LogDir* dir_ = nullptr;
  std::vector<format::HeaderView> headers_;  // views of lines_.headers
  std::vector<std::unique_ptr<Followed>> files_;
  std::map<int32_t, pipe::Position> positions_;
};

Status CheckFollowFlags(const CommonFlags& common, const ProduceFlags& f, const FollowFlags& fo) {
  if (ClusterMode(common)) return Usage("--follow writes to a log directory only (not with -b)");
  if (fo.from_beginning && fo.from_end) {
    return Usage("--from-beginning and --from-end cannot be used together");
  }
  if (f.json) return Usage("--follow reads lines: -J cannot be used with it");
  if (f.whole_file) return Usage("--follow reads lines: -l cannot be used with it");
  if (f.delimiter && *f.delimiter != "\\n") {
    return Usage("--follow reads lines: -D cannot be used with it");
  }
  if (f.count) return Usage("-c cannot be used with --follow");
  if (f.tee) return Usage("-T cannot be used with --follow");
  if (f.report) return Usage("--report cannot be used with --follow");
  if (!f.partitioner.empty()) {
    return Usage("--partitioner cannot be used with --follow (a file's lines share a partition)");
  }
  if (fo.poll_ms < 1 || fo.poll_ms > 3600 * 1000) {
    return Usage(fmt::format("--poll-ms: {} is out of range (1..3600000)", fo.poll_ms));
  }
  if (f.partitions < 1 || f.partitions > log::kMaxPartitionsPerTopic) {
    return Usage(fmt::format("--partitions: {} is out of range (1..{})", f.partitions,
                             log::kMaxPartitionsPerTopic));
  }
  if (f.partition && (*f.partition < -1 || *f.partition >= log::kMaxPartitionsPerTopic)) {
    return Usage(fmt::format("-p: {} is not a partition number", *f.partition));
  }
  return Status::Ok();
}

}  // namespace

void AddFollowFlags(CLI::App& app, FollowFlags* flags) {
  app.option_defaults()->group("Following files");
  app.add_flag("--follow", flags->follow,
               "Follow FILEs as tail -F does and append each new line; the position is stored "
               "with the lines, so a restart resumes exactly after the last line appended");
  app.add_flag("--from-beginning", flags->from_beginning,
               "With --follow: a file with no recorded position starts at its beginning "
               "(default)");
  app.add_flag("--from-end", flags->from_end,
               "With --follow: a file with no recorded position starts at its end");
  app.add_option("--poll-ms", flags->poll_ms,
                 "With --follow: check the files at least every MS ms (when inotify is "
                 "unavailable). Default: 1000")
      ->type_name("MS");
}

int RunFollow(const CommonFlags& common, const ProduceFlags& flags, const FollowFlags& follow) {
  if (Status s = CheckFollowFlags(common, flags, follow); !s.ok()) {
    return ReportUsageError(kTool, s.message());
  }
  Result<LineOptions> lines = TakeLineOptions(flags);
  if (!lines.ok()) return ReportUsageError(kTool, lines.status().message());
  std::vector<std::string> paths = flags.operands;
  std::string topic;
  if (flags.topic) {
    topic = *flags.topic;
  } else if (!paths.empty()) {
    topic = paths.front();
    paths.erase(paths.begin());
  } else {
    return ReportUsageError(kTool, "no topic given: name it as the first operand or with -t");
  }
  if (Status v = log::ValidateTopicName(topic); !v.ok())
    return ReportUsageError(kTool, v.message());
  if (paths.empty()) return ReportUsageError(kTool, "--follow needs at least one FILE");
  std::set<std::string> unique;
  for (const std::string& p : paths) {
    if (p == "-") return ReportUsageError(kTool, "--follow follows files, not stdin ('-')");
    if (p.empty() || p.find('\n') != std::string::npos) {
      return ReportUsageError(kTool, "--follow: a FILE name may not be empty or hold a newline");
    }
    if (!unique.insert(p).second) {
      return ReportUsageError(kTool, fmt::format("--follow: {} is named twice", p));
    }
  }
  pipe::StageWriterOptions options;
  options.env = io::Env::Default();
  options.create_topic = !flags.no_create;
  options.partitions = static_cast<int32_t>(flags.partitions);
  if (Status s = format::ParseCompression(flags.compression, &options.compression); !s.ok()) {
    return ReportUsageError(
        kTool, fmt::format("-z: '{}' is not supported", log::EscapeForMessage(flags.compression)));
  }
  if (!flags.flush.empty()) {
    Result<log::FlushPolicy> policy = log::FlushPolicy::Parse(flags.flush);
    if (!policy.ok())
      return ReportUsageError(kTool, fmt::format("--flush: {}", policy.status().message()));
    options.flush = *policy;
  }
  options.batch_bytes = static_cast<size_t>(std::max<int64_t>(flags.batch_bytes, 1));
  Result<log::LogDir> dir = log::LogDir::Open(options.env, common.dir, !flags.no_create);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  auto writer = pipe::StageWriter::Open(*dir, topic, options);
  if (!writer.ok()) return ReportError(kTool, writer.status());
  std::optional<int32_t> fixed;
  if (flags.partition && *flags.partition >= 0) {
    fixed = static_cast<int32_t>(*flags.partition);
    if (*fixed >= (*writer)->partition_count()) {
      const int32_t n = (*writer)->partition_count();
      return ReportUsageError(kTool, fmt::format("-p {}: topic '{}' has {} partition{} (0..{})",
                                                 *fixed, topic, n, n == 1 ? "" : "s", n - 1));
    }
  }
  InstallStopSignals();
  Follower follower(common, flags, follow, std::move(*lines), writer->get());
  follower.set_dir(&*dir);
  Status status = follower.Init(paths, fixed);
  if (status.ok()) status = follower.Run();
  Status closed = (*writer)->Close();
  if (status.ok()) status = closed;
  return ReportError(kTool, status);
}

}  // namespace kq::tools::produce
