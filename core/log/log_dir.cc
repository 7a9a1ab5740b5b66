#include "log/log_dir.h"

#include <algorithm>
#include <ctime>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "log/segment_name.h"
#include "log/topic_name.h"

namespace kq::log {
namespace {

constexpr std::string_view kKqDir = ".kq";
constexpr std::string_view kFormatFile = "format.json";
constexpr std::string_view kTopicsDir = "topics";
constexpr std::string_view kTopicsLock = "topics.lock";
constexpr std::string_view kTopicSuffix = ".json";

// "2026-11-01T12:34:56.789Z".
std::string Iso8601Utc(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>(ms % 1000));
}

// nlohmann reports bad JSON by throwing; turn that into Corruption naming the
// file and the byte position (0-based, with its line and column) where the
// text stops being JSON, and nlohmann's reason without its
// "[json.exception.parse_error.101] parse error at line 1, column 5:" tag
// and the raw bytes it quotes:
//   ".kq/topics/t.json: not valid JSON at byte 4 (line 1, column 5): unexpected end of input; ..."
Result<nlohmann::json> ParseJsonFile(const std::string& path, const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::Corruption(fmt::format("{}: empty file (expected a JSON object)", path));
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte counts from 1: the character parsing stopped at.
    const size_t position = std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const size_t line_start = text.rfind('\n', position == 0 ? 0 : position - 1);
    const size_t line = 1 + static_cast<size_t>(std::count(
                                text.begin(), text.begin() + static_cast<long>(position), '\n'));
    const size_t column =
        line_start == std::string::npos || position == 0 ? position + 1 : position - line_start;
    std::string_view what = e.what();
    const size_t column_tag = what.find("column ");
    const size_t dash = what.find(" - ", column_tag == std::string_view::npos ? 0 : column_tag);
    std::string reason(dash == std::string_view::npos ? "syntax error" : what.substr(dash + 3));
    // "; last read: '<bytes>'" repeats the file's bytes raw (a terminal may
    // not like them); the position says where they are.
    if (const size_t read = reason.find("; last read: "); read != std::string::npos) {
      const size_t expected = reason.find("; expected ", read);
      reason.erase(read, expected == std::string::npos ? std::string::npos : expected - read);
    }
    return Status::Corruption(fmt::format("{}: not valid JSON at byte {} (line {}, column {}): {}",
                                          path, position, line, column, reason));
  } catch (const nlohmann::json::exception&) {
    return Status::Corruption(fmt::format("{}: not valid JSON", path));
  }
}

Status CheckPartitionCount(std::string_view topic, int64_t count) {
  if (count >= 1 && count <= kMaxPartitionsPerTopic) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("topic '{}': partition count {} is out of range (1..{})", topic, count,
                  kMaxPartitionsPerTopic));
}

}  // namespace

std::string NewClusterId() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device random;
  for (;;) {
    unsigned char bytes[16];
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(random());
    std::string id;
    // 16 bytes = 5 groups of 3 bytes (4 chars each) + 1 byte (2 chars).
    for (int i = 0; i < 15; i += 3) {
      uint32_t v = uint32_t{bytes[i]} << 16 | uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
      for (int shift = 18; shift >= 0; shift -= 6) id.push_back(kAlphabet[(v >> shift) & 63]);
    }
    id.push_back(kAlphabet[bytes[15] >> 2]);
    id.push_back(kAlphabet[(bytes[15] & 3) << 4]);
    // Kafka re-draws ids that start with '-': they read as flags on a command line.
    if (id[0] != '-') return id;
  }
}

Result<LogDir> LogDir::Open(io::Env* env, const std::string& path, bool create_if_missing) {
  LogDir dir(env, path);
  if (!env->IsDirectory(path)) {
    if (!create_if_missing && !env->FileExists(path)) {
      return Status::NotFound(fmt::format("log directory {} does not exist", path));
    }
    // Another process may create it between our checks: CreateDir accepts an
    // existing directory, and only then do we ask again what `path` is.
    if (create_if_missing) {
      Status created = env->CreateDir(path);
      if (!created.ok() && !env->FileExists(path)) return created;
      if (created.ok()) KQ_RETURN_IF_ERROR(env->SyncDir(io::DirName(path)));
    }
    if (!env->IsDirectory(path)) {
      return Status::InvalidArgument(fmt::format("{} is not a directory", path));
    }
  }
  const std::string format_path = io::JoinPath(dir.KqPath(), kFormatFile);
  if (!env->FileExists(format_path)) {
    if (!create_if_missing) {
      return Status::NotFound(
          fmt::format("{} is not a kq log directory (no {})", path, format_path));
    }
    KQ_RETURN_IF_ERROR(dir.InitializeFormat());
  }
  KQ_RETURN_IF_ERROR(dir.LoadFormat());
  return dir;
}

std::string LogDir::KqPath() const { return io::JoinPath(path_, kKqDir); }
std::string LogDir::TopicsPath() const { return io::JoinPath(KqPath(), kTopicsDir); }

std::string LogDir::PartitionPath(std::string_view topic, PartitionId partition) const {
  return io::JoinPath(path_, PartitionDirName(topic, partition));
}

std::string LogDir::TopicMetadataPath(std::string_view topic) const {
  return io::JoinPath(TopicsPath(), fmt::format("{}{}", topic, kTopicSuffix));
}

Result<std::unique_ptr<io::FileLock>> LogDir::LockTopics() const {
  return env_->LockFile(io::JoinPath(KqPath(), kTopicsLock), io::LockWait::kBlock);
}

// Creates .kq/ and format.json. Another process may be doing the same right
// now: the lock makes one of them write the file and the other adopt it, so
// both end up with the same cluster id.
Status LogDir::InitializeFormat() {
  KQ_RETURN_IF_ERROR(env_->CreateDir(TopicsPath()));
  KQ_RETURN_IF_ERROR(env_->SyncDir(KqPath()));
  KQ_RETURN_IF_ERROR(env_->SyncDir(path_));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::FileLock> lock, LockTopics());
  const std::string format_path = io::JoinPath(KqPath(), kFormatFile);
  if (env_->FileExists(format_path)) return Status::Ok();
  nlohmann::json format = {{"format_version", kLogDirFormatVersion},
                           {"created_at", Iso8601Utc(env_->NowMs())},
                           {"cluster_id", NewClusterId()}};
  return env_->WriteFileAtomic(format_path, format.dump(2) + "\n");
}

Status LogDir::LoadFormat() {
  const std::string format_path = io::JoinPath(KqPath(), kFormatFile);
  KQ_ASSIGN_OR_RETURN(std::string text, env_->ReadFileToString(format_path));
  KQ_ASSIGN_OR_RETURN(nlohmann::json format, ParseJsonFile(format_path, text));
  auto bad = [&](std::string_view why) {
    return Status::Corruption(fmt::format("{}: {}", format_path, why));
  };
  if (!format.is_object()) return bad("expected a JSON object");
  auto version = format.find("format_version");
  if (version == format.end() || !version->is_number_integer() || version->get<int64_t>() < 1) {
    return bad("missing or invalid \"format_version\"");
  }
  if (version->get<int64_t>() > kLogDirFormatVersion) {
    return Status::NotSupported(
        fmt::format("{}: format version {} is newer than this kq supports ({}); upgrade kq",
                    format_path, version->get<int64_t>(), kLogDirFormatVersion));
  }
  auto cluster_id = format.find("cluster_id");
  auto created_at = format.find("created_at");
  if (cluster_id == format.end() || !cluster_id->is_string()) {
    return bad("missing or invalid \"cluster_id\"");
  }
  if (created_at == format.end() || !created_at->is_string()) {
    return bad("missing or invalid \"created_at\"");
  }
  cluster_id_ = cluster_id->get<std::string>();
  created_at_ = created_at->get<std::string>();
  // Older processes may have created .kq/ before topics/ existed; cheap to ensure.
  return env_->CreateDir(TopicsPath());
}

Status LogDir::CreateTopic(std::string_view name, int32_t partitions, const TopicConfig& config) {
  KQ_RETURN_IF_ERROR(ValidateTopicName(name));
  KQ_RETURN_IF_ERROR(CheckPartitionCount(name, partitions));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::FileLock> lock, LockTopics());
  if (env_->FileExists(TopicMetadataPath(name))) {
    return Status::Conflict(fmt::format("topic '{}' already exists", name));
  }
  return CreateTopicLocked(name, partitions, config);
}

Result<TopicInfo> LogDir::EnsureTopic(std::string_view name, int32_t partitions,
                                      const TopicConfig& config) {
  KQ_RETURN_IF_ERROR(ValidateTopicName(name));
  KQ_RETURN_IF_ERROR(CheckPartitionCount(name, partitions));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::FileLock> lock, LockTopics());
  if (!env_->FileExists(TopicMetadataPath(name))) {
    KQ_RETURN_IF_ERROR(CreateTopicLocked(name, partitions, config));
  }
  return DescribeTopic(name);
}

// REQUIRES: the topics lock is held, the name and count are valid and the
// topic has no metadata.
Status LogDir::CreateTopicLocked(std::string_view name, int32_t partitions,
                                 const TopicConfig& config) {
  std::vector<std::string> made;
  Status s = CreatePartitionDirs(name, 0, partitions, &made);
  if (s.ok()) s = WriteTopic(name, partitions, config);
  if (!s.ok()) {
    // All or nothing for the user: no topic and no folders it made. The
    // metadata goes first (it names the folders); a rename that happened
    // before a failed directory sync may have published it.
    const std::string meta = TopicMetadataPath(name);
    if (env_->FileExists(meta) && env_->RemoveFile(meta).ok()) (void)env_->SyncDir(TopicsPath());
    RemoveMadeDirs(made);
  }
  return s;
}

// Best effort, after a failure that is what the caller reports: on a disk
// that keeps failing, empty folders stay behind, and the next create or
// grow reuses them.
void LogDir::RemoveMadeDirs(const std::vector<std::string>& made) const {
  if (made.empty()) return;
  for (auto it = made.rbegin(); it != made.rend(); ++it) (void)env_->RemoveDir(*it);
  (void)env_->SyncDir(path_);
}

// Creates partition folders [from, to) and makes them durable, adding the
// ones it created to *made (also when it fails part way). A folder that
// already exists is reused when empty (a create that crashed before writing
// metadata); one with files in it belongs to no topic we know of, and we
// refuse to adopt or delete someone's data silently.
Status LogDir::CreatePartitionDirs(std::string_view name, int32_t from, int32_t to,
                                   std::vector<std::string>* made) {
  for (int32_t p = from; p < to; ++p) {
    const std::string dir = PartitionPath(name, PartitionId(p));
    if (env_->IsDirectory(dir)) {
      KQ_ASSIGN_OR_RETURN(std::vector<std::string> entries, env_->ListDir(dir));
      if (!entries.empty()) {
        return Status::Conflict(fmt::format(
            "{} already exists and is not empty, but topic '{}' has no partition {} (left over "
            "from an interrupted delete?); remove the folder first",
            dir, name, p));
      }
    }
    const bool existed = env_->IsDirectory(dir);
    KQ_RETURN_IF_ERROR(env_->CreateDir(dir));
    if (!existed) made->push_back(dir);
  }
  return env_->SyncDir(path_);
}

Status LogDir::WriteTopic(std::string_view name, int32_t partitions, const TopicConfig& config) {
  nlohmann::json topic = {{"partitions", partitions}, {"config", config.ToJson()}};
  return env_->WriteFileAtomic(TopicMetadataPath(name), topic.dump(2) + "\n");
}

Result<std::vector<std::string>> LogDir::ListTopics() const {
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> entries, env_->ListDir(TopicsPath()));
  std::vector<std::string> topics;
  for (std::string_view entry : entries) {
    if (!entry.ends_with(kTopicSuffix)) continue;  // also skips "<t>.json.tmp"
    std::string_view name = entry.substr(0, entry.size() - kTopicSuffix.size());
    if (ValidateTopicName(name).ok()) topics.emplace_back(name);
  }
  std::sort(topics.begin(), topics.end());
  return topics;
}

Result<TopicInfo> LogDir::DescribeTopic(std::string_view name) const {
  KQ_RETURN_IF_ERROR(ValidateTopicName(name));
  const std::string meta_path = TopicMetadataPath(name);
  Result<std::string> text = env_->ReadFileToString(meta_path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound(fmt::format("topic '{}' does not exist in {}", name, path_));
    }
    return text.status();
  }
  KQ_ASSIGN_OR_RETURN(nlohmann::json topic, ParseJsonFile(meta_path, *text));
  auto bad = [&](std::string_view why) {
    return Status::Corruption(fmt::format("{}: {}", meta_path, why));
  };
  if (!topic.is_object()) return bad("expected a JSON object");
  auto partitions = topic.find("partitions");
  if (partitions == topic.end() || !partitions->is_number_integer() ||
      !CheckPartitionCount(name, partitions->get<int64_t>()).ok()) {
    return bad(
        fmt::format("\"partitions\" must be an integer from 1 to {}", kMaxPartitionsPerTopic));
  }
  TopicInfo info{std::string(name), partitions->get<int32_t>(), TopicConfig()};
  if (auto config = topic.find("config"); config != topic.end()) {
    Result<TopicConfig> parsed = TopicConfig::FromJson(*config);
    if (!parsed.ok()) return bad(fmt::format("\"config\": {}", parsed.status().message()));
    info.config = std::move(*parsed);
  }
  return info;
}

Status LogDir::CheckPartition(const TopicInfo& topic, PartitionId partition) {
  if (partition.value() >= 0 && partition.value() < topic.partitions) return Status::Ok();
  return Status::NotFound(fmt::format("partition {} of topic '{}' does not exist (it has {})",
                                      partition, topic.name, topic.partitions));
}

Result<std::unique_ptr<Partition>> LogDir::OpenPartition(const TopicInfo& topic,
                                                         PartitionId partition,
                                                         OpenMode mode) const {
  KQ_RETURN_IF_ERROR(CheckPartition(topic, partition));
  return Partition::Open(PartitionPath(topic.name, partition),
                         PartitionOptionsFor(env_, topic.name, partition, topic.config),
                         mode);
}

Result<std::unique_ptr<Partition>> LogDir::OpenPartition(std::string_view topic,
                                                         PartitionId partition,
                                                         OpenMode mode) const {
  KQ_ASSIGN_OR_RETURN(TopicInfo info, DescribeTopic(topic));
  return OpenPartition(info, partition, mode);
}

Status LogDir::AlterTopicConfig(std::string_view name, const std::vector<ConfigChange>& changes) {
  KQ_RETURN_IF_ERROR(ValidateTopicName(name));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::FileLock> lock, LockTopics());
  KQ_ASSIGN_OR_RETURN(TopicInfo info, DescribeTopic(name));
  for (const ConfigChange& change : changes) {
    Status s =
        change.value ? info.config.Set(change.key, *change.value) : info.config.Reset(change.key);
    if (!s.ok()) return s.WithPrefix(fmt::format("topic '{}'", name));
  }
  return WriteTopic(name, info.partitions, info.config);
}

Status LogDir::AddPartitions(std::string_view name, int32_t new_count) {
  KQ_RETURN_IF_ERROR(ValidateTopicName(name));
  KQ_RETURN_IF_ERROR(CheckPartitionCount(name, new_count));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::FileLock> lock, LockTopics());
  KQ_ASSIGN_OR_RETURN(TopicInfo info, DescribeTopic(name));
  if (new_count <= info.partitions) {
    return Status::InvalidArgument(fmt::format(
        "topic '{}' has {} partitions; the new count {} must be larger (partitions can only be "
        "added)",
        name, info.partitions, new_count));
  }
  std::vector<std::string> made;
  Status s = CreatePartitionDirs(name, info.partitions, new_count, &made);
  if (s.ok()) s = WriteTopic(name, new_count, info.config);
  // The new folders go only once the metadata is back to the old count
  // (a rename before a failed sync may have published the new one).
  if (!s.ok() && WriteTopic(name, info.partitions, info.config).ok()) RemoveMadeDirs(made);
  return s;
}

Status LogDir::DeleteTopic(std::string_view name) {
  KQ_RETURN_IF_ERROR(ValidateTopicName(name));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::FileLock> lock, LockTopics());
  const std::string meta_path = TopicMetadataPath(name);
  if (!env_->FileExists(meta_path)) {
    return Status::NotFound(fmt::format("topic '{}' does not exist in {}", name, path_));
  }
  KQ_RETURN_IF_ERROR(env_->RemoveFile(meta_path));
  KQ_RETURN_IF_ERROR(env_->SyncDir(TopicsPath()));
  // Scan rather than trust the partition count: this also removes folders a
  // crashed AddPartitions left behind.
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> entries, env_->ListDir(path_));
  for (const std::string& entry : entries) {
    Result<PartitionDir> parsed = ParsePartitionDirName(entry);
    if (!parsed.ok() || parsed->topic != name) continue;
    KQ_RETURN_IF_ERROR(env_->RemoveTree(io::JoinPath(path_, entry)));
  }
  return env_->SyncDir(path_);
}

}  // namespace kq::log
