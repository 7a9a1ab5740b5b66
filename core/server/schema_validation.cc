#include "server/schema_validation.h"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "format/record.h"
#include "io/env.h"
#include "schema/serde.h"

namespace kq::server {
namespace {

struct DirSchemas {
  std::unique_ptr<schema::Registry> registry;
  std::unique_ptr<schema::WireValidator> validator;
};

}  // namespace

std::optional<std::string> CheckSchemas(const std::string& log_dir, std::string_view topic,
                                        const log::TopicConfig& config,
                                        const std::vector<std::string>& batches) {
  if (!config.confluent_key_schema_validation && !config.confluent_value_schema_validation) {
    return std::nullopt;
  }
  static std::map<std::string, DirSchemas> dirs;  // the loop's thread only
  DirSchemas& d = dirs[log_dir];
  if (!d.registry) {
    auto registry = schema::Registry::Open(io::Env::Default(), log_dir);
    if (!registry.ok()) return fmt::format("schema registry: {}", registry.status().message());
    d.registry = std::move(*registry);
  }
  // Validity per (subject, id) may change with new registrations: a fresh
  // validator per request, the registry (and its parsed schemas) kept.
  schema::WireValidator validator(d.registry.get());
  const std::string key_subject = schema::TopicSubject(topic, true);
  const std::string value_subject = schema::TopicSubject(topic, false);
  std::string scratch;
  std::optional<std::string> refusal;
  for (size_t b = 0; b < batches.size() && !refusal; ++b) {
    Status st = format::ForEachRecord(batches[b], &scratch, [&](const format::RecordView& r) {
      if (config.confluent_key_schema_validation) {
        if (Status s = validator.Check(key_subject, r.key); !s.ok()) {
          refusal = fmt::format(
              "batch {} record {} (offset delta {}): key refused by "
              "confluent.key.schema.validation: {}",
              b, r.offset_delta, r.offset_delta, s.message());
          return Status::InvalidArgument("refused");
        }
      }
      if (config.confluent_value_schema_validation) {
        if (Status s = validator.Check(value_subject, r.value); !s.ok()) {
          refusal = fmt::format(
              "batch {} record {} (offset delta {}): value refused by "
              "confluent.value.schema.validation: {}",
              b, r.offset_delta, r.offset_delta, s.message());
          return Status::InvalidArgument("refused");
        }
      }
      return Status::Ok();
    });
    if (!st.ok() && !refusal) refusal = st.message();
  }
  return refusal;
}

}  // namespace kq::server
