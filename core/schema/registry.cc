#include "schema/registry.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch.h"
#include "format/record_batch_builder.h"
#include "log/log_dir.h"
#include "log/partition.h"

namespace kq::schema {
namespace {

constexpr size_t kReplayReadBytes = 1 << 20;

using VersionMap = std::map<int32_t, SchemaRecord>;

}  // namespace

struct Registry::State {
  std::optional<log::LogDir> dir;
  std::optional<log::TopicInfo> topic;
  std::unique_ptr<log::Partition> reader;
  std::unique_ptr<log::Partition> writer;
  Offset next{0};
  std::map<std::string, VersionMap, std::less<>> subjects;
  std::map<std::optional<std::string>, std::string> configs;
  int32_t max_id = 0;
  std::map<int32_t, std::unique_ptr<ParsedSchema>> parsed;
  uint64_t skipped = 0;
  std::string scratch;

  void Clear() {
    subjects.clear();
    configs.clear();
    max_id = 0;
  }

  void Apply(const format::RecordView& r) {
    if (!r.key) return void(++skipped);
    Result<RegistryKey> key = DecodeRegistryKey(*r.key);
    if (!key.ok()) return void(++skipped);
    switch (key->type) {
      case KeyType::kSchema: {
        if (!r.value) {
          auto it = subjects.find(*key->subject);
          if (it != subjects.end()) {
            it->second.erase(key->version);
            if (it->second.empty()) subjects.erase(it);
          }
          return;
        }
        Result<SchemaRecord> value = DecodeSchemaValue(*r.value);
        if (!value.ok()) return void(++skipped);
        max_id = std::max(max_id, value->id);
        subjects[value->subject][value->version] = std::move(*value);
        return;
      }
      case KeyType::kConfig: {
        if (!r.value) return void(configs.erase(key->subject));
        Result<std::string> level = DecodeConfigValue(*r.value);
        if (!level.ok()) return void(++skipped);
        configs[key->subject] = *level;
        return;
      }
      case KeyType::kDeleteSubject: {
        if (!r.value) return;
        Result<int32_t> upto = DecodeDeleteSubjectValue(*r.value);
        if (!upto.ok()) return void(++skipped);
        auto it = subjects.find(*key->subject);
        if (it == subjects.end()) return;
        for (auto& [version, rec] : it->second) {
          if (version <= *upto) rec.deleted = true;
        }
        return;
      }
      case KeyType::kOther:
        return;
    }
  }

  const VersionMap* Find(std::string_view subject) const {
    auto it = subjects.find(subject);
    return it == subjects.end() ? nullptr : &it->second;
  }
};

Registry::Registry(io::Env* env, std::string dir)
    : env_(env), dir_(std::move(dir)), state_(std::make_unique<State>()) {}
Registry::~Registry() = default;

Result<std::unique_ptr<Registry>> Registry::Open(io::Env* env, const std::string& dir,
                                                 bool create_if_missing) {
  auto registry = std::unique_ptr<Registry>(new Registry(env, dir));
  KQ_ASSIGN_OR_RETURN(log::LogDir log_dir, log::LogDir::Open(env, dir, create_if_missing));
  registry->state_->dir.emplace(std::move(log_dir));
  return registry;
}

uint64_t Registry::skipped_records() const { return state_->skipped; }

Status Registry::Fail(int code, Status status) {
  error_code_ = code;
  return status;
}

Status ValidateSubject(std::string_view subject) {
  if (subject.empty() || subject.size() > 255) {
    return Status::InvalidArgument(
        fmt::format("subject must be 1 to 255 bytes, not {}", subject.size()));
  }
  for (char c : subject) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("subject contains a control character");
    }
  }
  return Status::Ok();
}

Status Registry::Refresh() {
  error_code_ = 0;
  State& s = *state_;
  if (!s.topic) {
    Result<log::TopicInfo> info = s.dir->DescribeTopic(kSchemasTopic);
    if (!info.ok())
      return info.status().IsNotFound() ? Status::Ok() : Fail(kStoreError, info.status());
    s.topic = std::move(*info);
  }
  if (!s.reader) {
    Result<std::unique_ptr<log::Partition>> reader =
        s.dir->OpenPartition(*s.topic, PartitionId(0), log::OpenMode::kRead);
    if (!reader.ok()) return Fail(kStoreError, reader.status());
    s.reader = std::move(*reader);
  } else {
    Status st = s.reader->Refresh();
    if (!st.ok()) return Fail(kStoreError, st);
  }
  log::Partition& reader = *s.reader;
  // Truncated below what was replayed, or compacted past it: start over.
  if (reader.log_end_offset() < s.next || reader.log_start_offset() > s.next) {
    s.Clear();
    s.next = reader.log_start_offset();
  }
  while (s.next < reader.log_end_offset()) {
    Result<log::ReadChunk> chunk = reader.Read(s.next, kReplayReadBytes);
    if (!chunk.ok()) return Fail(kStoreError, chunk.status());
    if (chunk->bytes.empty()) break;
    std::string_view rest = chunk->bytes;
    while (!rest.empty()) {
      const format::FrameProbe probe = format::ProbeFrame(rest);
      if (probe.state != format::FrameState::kComplete) {
        return Fail(kStoreError,
                    Status::Corruption(fmt::format("{}: unreadable batch at offset {}: {}",
                                                   reader.Name(), s.next.value(), probe.problem)));
      }
      const std::string_view batch = rest.substr(0, probe.size);
      rest.remove_prefix(probe.size);
      Result<format::BatchHeader> header = format::DecodeBatchHeader(batch);
      if (!header.ok()) return Fail(kStoreError, header.status());
      if (header->next_offset() <= s.next.value() || header->is_control()) continue;
      const int64_t from = s.next.value();
      Status st = format::ForEachRecord(batch, &s.scratch, [&](const format::RecordView& r) {
        if (r.offset >= from) s.Apply(r);
        return Status::Ok();
      });
      if (!st.ok()) return Fail(kStoreError, st);
    }
    if (chunk->next_offset <= s.next) break;  // no progress: never spin
    s.next = chunk->next_offset;
  }
  return Status::Ok();
}

Result<std::unique_ptr<io::FileLock>> Registry::LockForWrite() {
  State& s = *state_;
  if (!s.topic) {
    log::TopicConfig config;
    KQ_RETURN_IF_ERROR(config.Set("cleanup.policy", "compact"));
    Result<log::TopicInfo> info = s.dir->EnsureTopic(kSchemasTopic, 1, config);
    if (!info.ok()) return Fail(kStoreError, info.status());
    s.topic = std::move(*info);
  }
  const std::string path = s.dir->PartitionPath(kSchemasTopic, PartitionId(0)) + "/.registry.lock";
  Result<std::unique_ptr<io::FileLock>> lock = env_->LockFile(path, io::LockWait::kBlock);
  if (!lock.ok()) return Fail(kStoreError, lock.status());
  KQ_RETURN_IF_ERROR(Refresh());
  return lock;
}

Status Registry::Append(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records) {
  State& s = *state_;
  if (!s.writer) {
    Result<std::unique_ptr<log::Partition>> writer =
        s.dir->OpenPartition(*s.topic, PartitionId(0), log::OpenMode::kWrite);
    if (!writer.ok()) return Fail(kStoreError, writer.status());
    s.writer = std::move(*writer);
  }
  format::RecordBatchBuilder builder;
  const int64_t now = env_->NowMs();
  for (const auto& [key, value] : records) {
    builder.Add(now, key, value ? std::optional<std::string_view>(*value) : std::nullopt);
  }
  Result<std::string> batch = builder.Finish();
  if (!batch.ok()) return Fail(kStoreError, batch.status());
  Result<log::AppendResult> appended = s.writer->Append(*batch);
  if (!appended.ok()) return Fail(kStoreError, appended.status().WithPrefix("writing _schemas"));
  Status synced = s.writer->Sync();
  if (!synced.ok()) return Fail(kStoreError, synced);
  return Refresh();  // applies what was just written, the one way state changes
}

Result<const ParsedSchema*> Registry::ParsedById(int32_t id) {
  State& s = *state_;
  if (auto it = s.parsed.find(id); it != s.parsed.end()) return it->second.get();
  KQ_RETURN_IF_ERROR(Refresh());
  KQ_ASSIGN_OR_RETURN(SchemaRecord rec, GetById(id));
  Result<std::unique_ptr<ParsedSchema>> parsed = ParseSchema(rec.type, rec.schema);
  if (!parsed.ok()) {
    return Fail(kInvalidSchema,
                parsed.status().WithPrefix(fmt::format("schema id {} in the registry", id)));
  }
  const ParsedSchema* p = parsed->get();
  s.parsed[id] = std::move(*parsed);
  return p;
}

Result<std::vector<std::string>> Registry::Subjects(bool include_deleted) {
  KQ_RETURN_IF_ERROR(Refresh());
  std::vector<std::string> out;
  for (const auto& [subject, versions] : state_->subjects) {
    if (std::any_of(versions.begin(), versions.end(),
                    [&](const auto& v) { return include_deleted || !v.second.deleted; })) {
      out.push_back(subject);
    }
  }
  return out;
}

Result<std::vector<int32_t>> Registry::Versions(std::string_view subject, bool include_deleted) {
  KQ_RETURN_IF_ERROR(Refresh());
  std::vector<int32_t> out;
  if (const auto* versions = state_->Find(subject)) {
    for (const auto& [v, rec] : *versions) {
      if (include_deleted || !rec.deleted) out.push_back(v);
    }
  }
  if (out.empty()) {
    return Fail(kSubjectNotFound, Status::NotFound(fmt::format("subject '{}' not found", subject)));
  }
  return out;
}

Result<SchemaRecord> Registry::Get(std::string_view subject, int32_t version,
                                   bool include_deleted) {
  KQ_ASSIGN_OR_RETURN(std::vector<int32_t> versions, Versions(subject, include_deleted));
  if (version < 0) version = versions.back();
  if (std::find(versions.begin(), versions.end(), version) == versions.end()) {
    return Fail(kVersionNotFound,
                Status::NotFound(fmt::format("subject '{}' has no version {}", subject, version)));
  }
  return state_->subjects.find(subject)->second.at(version);
}

Result<SchemaRecord> Registry::GetById(int32_t id) {
  KQ_RETURN_IF_ERROR(Refresh());
  for (const auto& [subject, versions] : state_->subjects) {
    for (const auto& [v, rec] : versions) {
      if (rec.id == id) return rec;
    }
  }
  return Fail(kSchemaNotFound, Status::NotFound(fmt::format("schema id {} not found", id)));
}

Result<std::vector<std::pair<std::string, int32_t>>> Registry::SubjectVersionsOf(int32_t id) {
  KQ_RETURN_IF_ERROR(Refresh());
  std::vector<std::pair<std::string, int32_t>> out;
  for (const auto& [subject, versions] : state_->subjects) {
    for (const auto& [v, rec] : versions) {
      if (rec.id == id && !rec.deleted) out.emplace_back(subject, v);
    }
  }
  if (out.empty()) {
    return Fail(kSchemaNotFound, Status::NotFound(fmt::format("schema id {} not found", id)));
  }
  return out;
}

Result<SchemaRecord> Registry::Lookup(std::string_view subject, SchemaType type,
                                      std::string_view text) {
  Result<std::unique_ptr<ParsedSchema>> candidate = ParseSchema(type, text);
  if (!candidate.ok()) return Fail(kInvalidSchema, candidate.status());
  KQ_ASSIGN_OR_RETURN(std::vector<int32_t> versions, Versions(subject));
  for (int32_t v : versions) {
    const SchemaRecord& rec = state_->subjects.find(subject)->second.at(v);
    if (rec.type != type) continue;
    Result<const ParsedSchema*> parsed = ParsedById(rec.id);
    if (parsed.ok() && (*parsed)->canonical() == (*candidate)->canonical()) return rec;
  }
  return Fail(kSchemaNotFound, Status::NotFound(fmt::format(
                                   "subject '{}' has no version with this schema", subject)));
}

Result<Compatibility> Registry::GetCompatibility(const std::optional<std::string>& subject,
                                                 bool fallback) {
  KQ_RETURN_IF_ERROR(Refresh());
  const auto& configs = state_->configs;
  auto it = configs.find(subject);
  if (it == configs.end() && subject && fallback) it = configs.find(std::nullopt);
  if (it == configs.end()) {
    if (fallback || !subject) return kDefaultCompatibility;
    return Fail(kSubjectNotFound,
                Status::NotFound(
                    fmt::format("subject '{}' has no compatibility level of its own", *subject)));
  }
  Result<Compatibility> level = ParseCompatibility(it->second);
  return level.ok() ? *level : kDefaultCompatibility;  // a level from a newer registry
}

Status Registry::SetCompatibility(const std::optional<std::string>& subject, Compatibility level) {
  if (subject) KQ_RETURN_IF_ERROR(ValidateSubject(*subject));
  KQ_ASSIGN_OR_RETURN(auto lock, LockForWrite());
  return Append({{EncodeConfigKey(subject), EncodeConfigValue(subject, CompatibilityName(level))}});
}

Result<std::vector<std::string>> Registry::CheckCompatibility(std::string_view subject,
                                                              SchemaType type,
                                                              std::string_view text,
                                                              int32_t version) {
  Result<std::unique_ptr<ParsedSchema>> candidate = ParseSchema(type, text);
  if (!candidate.ok()) return Fail(kInvalidSchema, candidate.status());
  KQ_RETURN_IF_ERROR(Refresh());
  KQ_ASSIGN_OR_RETURN(Compatibility level, GetCompatibility(std::string(subject)));
  std::vector<std::pair<int, const ParsedSchema*>> existing;
  if (const auto* versions = state_->Find(subject)) {
    for (const auto& [v, rec] : *versions) {
      if (rec.deleted || (version >= 0 && v != version)) continue;
      KQ_ASSIGN_OR_RETURN(const ParsedSchema* parsed, ParsedById(rec.id));
      existing.emplace_back(v, parsed);
    }
  }
  if (version >= 0) {
    if (existing.empty()) {
      return Fail(kVersionNotFound, Status::NotFound(fmt::format("subject '{}' has no version {}",
                                                                 subject, version)));
    }
    // One named version: the level's direction, against it alone.
    if (level == Compatibility::kBackwardTransitive) level = Compatibility::kBackward;
    if (level == Compatibility::kForwardTransitive) level = Compatibility::kForward;
    if (level == Compatibility::kFullTransitive) level = Compatibility::kFull;
  }
  return schema::CheckCompatibility(level, **candidate, existing);
}

Result<Registered> Registry::Register(std::string_view subject, SchemaType type,
                                      std::string_view text, const nlohmann::json& references) {
  error_code_ = 0;
  Status valid = ValidateSubject(subject);
  if (!valid.ok()) return Fail(kInvalidSchema, valid);
  if (references.is_array() && !references.empty()) {
    return Fail(kInvalidSchema, Status::NotSupported("schema references are not supported"));
  }
  Result<std::unique_ptr<ParsedSchema>> candidate = ParseSchema(type, text);
  if (!candidate.ok()) return Fail(kInvalidSchema, candidate.status());
  KQ_ASSIGN_OR_RETURN(auto lock, LockForWrite());
  State& s = *state_;
  // Already under this subject: its id and version, nothing written.
  int32_t max_version = 0;
  if (const auto* versions = s.Find(subject)) {
    for (const auto& [v, rec] : *versions) {
      max_version = std::max(max_version, v);
      if (rec.deleted || rec.type != type) continue;
      Result<const ParsedSchema*> parsed = ParsedById(rec.id);
      if (parsed.ok() && (*parsed)->canonical() == (*candidate)->canonical()) {
        return Registered{rec.id, v, true};
      }
    }
  }
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> problems, CheckCompatibility(subject, type, text));
  if (!problems.empty()) {
    return Fail(kIncompatibleSchema,
                Status::Conflict(fmt::format("schema being registered is incompatible with an "
                                             "earlier schema for subject '{}': {}",
                                             subject, fmt::join(problems, "; "))));
  }
  // The same schema under another subject keeps its id.
  int32_t id = 0;
  for (const auto& [other, versions] : s.subjects) {
    for (const auto& [v, rec] : versions) {
      if (id != 0 || rec.type != type) continue;
      Result<const ParsedSchema*> parsed = ParsedById(rec.id);
      if (parsed.ok() && (*parsed)->canonical() == (*candidate)->canonical()) id = rec.id;
    }
  }
  if (id == 0) id = s.max_id + 1;
  SchemaRecord rec{.subject = std::string(subject),
                   .version = max_version + 1,
                   .id = id,
                   .type = type,
                   .schema = std::string(text)};
  KQ_RETURN_IF_ERROR(Append({{EncodeSchemaKey(subject, rec.version), EncodeSchemaValue(rec)}}));
  return Registered{id, rec.version, false};
}

Result<std::vector<int32_t>> Registry::DeleteSubject(std::string_view subject, bool permanent) {
  KQ_ASSIGN_OR_RETURN(auto lock, LockForWrite());
  const VersionMap* versions = state_->Find(subject);
  if (versions == nullptr) {
    return Fail(kSubjectNotFound, Status::NotFound(fmt::format("subject '{}' not found", subject)));
  }
  std::vector<int32_t> deleted;
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  const bool all_soft = std::all_of(versions->begin(), versions->end(),
                                    [](const auto& v) { return v.second.deleted; });
  if (permanent) {
    if (!all_soft) {
      return Fail(
          kSubjectNotSoftDeleted,
          Status::InvalidArgument(fmt::format(
              "subject '{}' was not deleted first before being permanently deleted", subject)));
    }
    for (const auto& [v, rec] : *versions) {
      deleted.push_back(v);
      records.emplace_back(EncodeSchemaKey(subject, v), std::nullopt);
    }
    records.emplace_back(EncodeDeleteSubjectKey(subject), std::nullopt);
  } else {
    if (all_soft) {
      return Fail(kSubjectSoftDeleted,
                  Status::NotFound(fmt::format("subject '{}' was soft deleted", subject)));
    }
    for (const auto& [v, rec] : *versions) {
      if (!rec.deleted) deleted.push_back(v);
    }
    records.emplace_back(EncodeDeleteSubjectKey(subject),
                         EncodeDeleteSubjectValue(subject, versions->rbegin()->first));
  }
  // A subject's own level goes with it, as in Confluent's registry.
  if (state_->configs.count(std::string(subject))) {
    records.emplace_back(EncodeConfigKey(std::string(subject)), std::nullopt);
  }
  KQ_RETURN_IF_ERROR(Append(records));
  return deleted;
}

Result<int32_t> Registry::DeleteVersion(std::string_view subject, int32_t version, bool permanent) {
  KQ_ASSIGN_OR_RETURN(auto lock, LockForWrite());
  const VersionMap* versions = state_->Find(subject);
  if (versions == nullptr) {
    return Fail(kSubjectNotFound, Status::NotFound(fmt::format("subject '{}' not found", subject)));
  }
  if (version < 0) {
    for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
      if (!it->second.deleted) {
        version = it->first;
        break;
      }
    }
  }
  auto it = versions->find(version);
  if (it == versions->end()) {
    return Fail(kVersionNotFound,
                Status::NotFound(fmt::format("subject '{}' has no version {}", subject, version)));
  }
  if (permanent) {
    if (!it->second.deleted) {
      return Fail(kVersionNotSoftDeleted,
                  Status::InvalidArgument(fmt::format(
                      "subject '{}' version {} was not deleted first before being permanently "
                      "deleted",
                      subject, version)));
    }
    KQ_RETURN_IF_ERROR(Append({{EncodeSchemaKey(subject, version), std::nullopt}}));
    return version;
  }
  if (it->second.deleted) {
    return Fail(kVersionSoftDeleted,
                Status::NotFound(
                    fmt::format("subject '{}' version {} was soft deleted", subject, version)));
  }
  SchemaRecord rec = it->second;
  rec.deleted = true;
  KQ_RETURN_IF_ERROR(Append({{EncodeSchemaKey(subject, version), EncodeSchemaValue(rec)}}));
  return version;
}

}  // namespace kq::schema
