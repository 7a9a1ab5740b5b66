// kq-consume -s (kcat's serdes flag): decodes keys and values written in
// Confluent's wire format with the directory's schema registry, so -J, -f
// and plain output show them as JSON.
//
//   -s value=avro   -s key=json   -s avro (both)
//
// The type (avro or json) is checked against the schema the id names. A key
// or value that is not in the wire format, names an unknown id or does not
// decode is reported on stderr for that record ("orders:0@12: value: not in
// the schema wire format: magic byte is 0x7b, not 0x00"), the record is
// skipped, and the run goes on; failures() counts them (exit 1 at the end).
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/consumer.h"
#include "schema/registry.h"

namespace kq::tools::consume {

struct SerdeSpec {
  std::optional<schema::SchemaType> key;
  std::optional<schema::SchemaType> value;
  bool any() const { return key || value; }
};

// Parses the -s flags. InvalidArgument names the bad one.
Result<SerdeSpec> ParseSerdeFlags(const std::vector<std::string>& flags);

class SchemaDecoder {
 public:
  // The registry of the log directory `dir`.
  static Result<std::unique_ptr<SchemaDecoder>> Open(const std::string& dir, const SerdeSpec& spec);

  // Decodes `in` into *out (views into this decoder, valid until the next
  // call). False (after reporting it) when the record must be skipped.
  bool Decode(const client::ConsumedRecord& in, client::ConsumedRecord* out);
  uint64_t failures() const { return failures_; }

 private:
  SchemaDecoder(std::unique_ptr<schema::Registry> registry, const SerdeSpec& spec)
      : registry_(std::move(registry)), spec_(spec) {}

  std::unique_ptr<schema::Registry> registry_;
  SerdeSpec spec_;
  format::RecordView view_;
  std::string key_;
  std::string value_;
  uint64_t failures_ = 0;
};

}  // namespace kq::tools::consume
