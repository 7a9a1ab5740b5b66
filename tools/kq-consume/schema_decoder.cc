#include "kq-consume/schema_decoder.h"

#include <fmt/format.h>

#include "io/env.h"
#include "log/topic_name.h"
#include "schema/serde.h"

namespace kq::tools::consume {

Result<SerdeSpec> ParseSerdeFlags(const std::vector<std::string>& flags) {
  SerdeSpec spec;
  for (const std::string& flag : flags) {
    std::string_view side;
    std::string_view type = flag;
    if (const size_t eq = flag.find('='); eq != std::string::npos) {
      side = std::string_view(flag).substr(0, eq);
      type = std::string_view(flag).substr(eq + 1);
    }
    if (!side.empty() && side != "key" && side != "value") {
      return Status::InvalidArgument(
          fmt::format("-s {}: expected key=TYPE, value=TYPE or TYPE", flag));
    }
    Result<schema::SchemaType> parsed = schema::ParseSchemaType(type);
    if (!parsed.ok()) {
      return Status::InvalidArgument(fmt::format("-s {}: {}", flag, parsed.status().message()));
    }
    if (side != "value") spec.key = *parsed;
    if (side != "key") spec.value = *parsed;
  }
  return spec;
}

Result<std::unique_ptr<SchemaDecoder>> SchemaDecoder::Open(const std::string& dir,
                                                           const SerdeSpec& spec) {
  KQ_ASSIGN_OR_RETURN(auto registry, schema::Registry::Open(io::Env::Default(), dir));
  return std::unique_ptr<SchemaDecoder>(new SchemaDecoder(std::move(registry), spec));
}

bool SchemaDecoder::Decode(const client::ConsumedRecord& in, client::ConsumedRecord* out) {
  *out = in;
  view_ = *in.record;
  out->record = &view_;
  auto side = [&](const char* what, const std::optional<schema::SchemaType>& type,
                  std::optional<std::string_view>* bytes, std::string* buffer) {
    if (!type || !bytes->has_value()) return true;
    Result<std::string> json = schema::DecodeToJsonText(*registry_, **bytes, type);
    if (!json.ok()) {
      ++failures_;
      fmt::print(stderr, "kq-consume: {}:{}@{}: {}: {}\n", log::EscapeForMessage(in.topic),
                 in.partition, in.record->offset, what, json.status().message());
      return false;
    }
    *buffer = std::move(*json);
    *bytes = *buffer;
    return true;
  };
  return side("key", spec_.key, &view_.key, &key_) &&
         side("value", spec_.value, &view_.value, &value_);
}

}  // namespace kq::tools::consume
