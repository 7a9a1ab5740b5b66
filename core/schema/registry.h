// Registry: Confluent Schema Registry's data over a log directory. The
// registry is the compacted one-partition topic `_schemas` (registry_records.h
// has the record layout); a Registry object replays it into memory and
// appends registrations, config changes and deletions to it.
//
//   KQ_ASSIGN_OR_RETURN(auto registry, Registry::Open(env, "/var/lib/kq"));
//   KQ_ASSIGN_OR_RETURN(Registered r, registry->Register("orders-value", SchemaType::kAvro, text));
//   KQ_ASSIGN_OR_RETURN(SchemaVersion v, registry->GetById(r.id));
//
// Freshness: every call first reads what other processes appended since the
// last call (a Partition::Refresh and a read of the new bytes, nothing when
// nothing changed), so registrations through kq-schemas and kq-serve on one
// directory see each other at once.
//
// Writers: Register, SetCompatibility and the deletions take the file lock
// DIR/_schemas-0/.registry.lock (a flock, beside the partition's own .lock,
// which the append itself takes), then replay to the end, decide, append
// and sync, then release: two processes registering at once get distinct
// ids and versions, and the same schema registered twice gets one id.
// Ids are global: a schema (same type and canonical form) registered under
// several subjects has one id; a new one gets the highest id seen + 1.
// (Ids of permanently deleted versions are not reused while their
// tombstones are in the topic; after compaction drops them they may be, as
// in Confluent's registry.)
//
// Errors carry Confluent's error code in error_code() after a failed call
// (40401 subject not found, 40402 version not found, 40403 schema not found,
// 40404 subject soft-deleted, 40405/40407 not soft-deleted before a
// permanent delete, 409 incompatible, 42201 invalid schema, 42202 invalid
// version, 42203 invalid compatibility level, 50001 storage).
//
// Thread safety: one thread at a time. The Env must outlive the registry.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "io/env.h"
#include "schema/compatibility.h"
#include "schema/parsed_schema.h"
#include "schema/registry_records.h"

namespace kq::schema {

inline constexpr char kSchemasTopic[] = "_schemas";

// Confluent's error codes (the REST API's error_code).
enum RegistryErrorCode : int {
  kSubjectNotFound = 40401,
  kVersionNotFound = 40402,
  kSchemaNotFound = 40403,
  kSubjectSoftDeleted = 40404,
  kSubjectNotSoftDeleted = 40405,
  kVersionSoftDeleted = 40406,
  kVersionNotSoftDeleted = 40407,
  kIncompatibleSchema = 409,
  kInvalidSchema = 42201,
  kInvalidVersion = 42202,
  kInvalidCompatibilityLevel = 42203,
  kStoreError = 50001,
};

struct Registered {
  int32_t id = 0;
  int32_t version = 0;
  bool existed = false;  // the subject already had this schema
};

class Registry {
 public:
  // Opens the registry of the log directory `dir` (NotFound when it is not
  // one, unless create_if_missing makes it). Reads nothing yet; creates
  // `_schemas` on the first write.
  static Result<std::unique_ptr<Registry>> Open(io::Env* env, const std::string& dir,
                                                bool create_if_missing = false);
  ~Registry();

  // Registers `text` under `subject`: the subject's existing id and version
  // when it has this schema (same type and canonical form), else a new
  // version after the compatibility check (Conflict listing the problems).
  // References are not supported (NotSupported when non-empty).
  Result<Registered> Register(std::string_view subject, SchemaType type, std::string_view text,
                              const nlohmann::json& references = nlohmann::json::array());

  // Subjects with a live version (also soft-deleted ones when asked), sorted.
  Result<std::vector<std::string>> Subjects(bool include_deleted = false);
  // Live versions of a subject, ascending (NotFound when none).
  Result<std::vector<int32_t>> Versions(std::string_view subject, bool include_deleted = false);
  // One version; `version` -1 is the latest live one.
  Result<SchemaRecord> Get(std::string_view subject, int32_t version, bool include_deleted = false);
  // The schema with id `id` (the first subject and version holding it).
  Result<SchemaRecord> GetById(int32_t id);
  // Subjects and versions that hold schema `id`.
  Result<std::vector<std::pair<std::string, int32_t>>> SubjectVersionsOf(int32_t id);
  // The subject's live version with this schema (NotFound / 40403 when none).
  Result<SchemaRecord> Lookup(std::string_view subject, SchemaType type, std::string_view text);
  // Compatibility problems of `text` against the subject's versions under its
  // level (version -1: as Register would check; a version: that one alone).
  Result<std::vector<std::string>> CheckCompatibility(std::string_view subject, SchemaType type,
                                                      std::string_view text, int32_t version = -1);

  // The subject's level (nullopt subject: global). With `fallback`, a
  // subject without its own level gets the global one, else the default;
  // without it, NotFound (40401 style for Confluent's GET /config/{s}).
  Result<Compatibility> GetCompatibility(const std::optional<std::string>& subject,
                                         bool fallback = true);
  Status SetCompatibility(const std::optional<std::string>& subject, Compatibility level);

  // Soft delete (the versions stay readable by id) or, for versions already
  // soft-deleted, permanent delete (tombstones). Returns the versions deleted.
  Result<std::vector<int32_t>> DeleteSubject(std::string_view subject, bool permanent);
  Result<int32_t> DeleteVersion(std::string_view subject, int32_t version, bool permanent);

  // A parsed schema by id, cached (for encoders and decoders).
  Result<const ParsedSchema*> ParsedById(int32_t id);

  int error_code() const { return error_code_; }
  // Records of the topic skipped because they did not decode.
  uint64_t skipped_records() const;

 private:
  struct State;
  Registry(io::Env* env, std::string dir);

  Status Refresh();
  Status Append(const std::vector<std::pair<std::string, std::optional<std::string>>>& records);
  Result<std::unique_ptr<io::FileLock>> LockForWrite();
  Status Fail(int code, Status status);

  io::Env* env_;
  std::string dir_;
  std::unique_ptr<State> state_;
  int error_code_ = 0;
};

// Checks a subject name: 1..255 bytes, no control characters.
Status ValidateSubject(std::string_view subject);

}  // namespace kq::schema
