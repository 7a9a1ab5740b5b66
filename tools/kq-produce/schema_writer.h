// kq-produce with schemas: a RecordWriter in front of the real one that
// encodes each JSON key/value with --key-schema / --value-schema (Avro
// binary or checked JSON, framed in Confluent's wire format) and enforces
// the topic's confluent.key/value.schema.validation configs (the key or
// value must carry an id registered under <topic>-key / <topic>-value and
// decode with it). A record that fails is refused with InvalidArgument
// ("value $.id: expected long, got string"); the loop names the input and
// line and writes nothing from it on.
//
// Thread safety: one thread at a time. The inner writer must outlive this.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "client/record_writer.h"
#include "log/topic_config.h"
#include "schema/registry.h"
#include "schema/serde.h"

namespace kq::tools::produce {

struct SchemaFlags {
  std::string value_schema;  // --value-schema SUBJECT[:VERSION]|FILE
  std::string key_schema;    // --key-schema
};

class SchemaWriter final : public client::RecordWriter {
 public:
  // nullptr when there is nothing to do (no flags, no validation config).
  static Result<std::unique_ptr<SchemaWriter>> Open(const std::string& dir,
                                                    const SchemaFlags& flags,
                                                    client::RecordWriter* inner,
                                                    const log::TopicConfig& config);

  const std::string& topic() const override { return inner_->topic(); }
  int32_t partition_count() const override { return inner_->partition_count(); }
  size_t max_record_bytes() const override { return inner_->max_record_bytes(); }
  Status Add(const client::ProducerRecord& record) override;
  Status AppendPending() override { return inner_->AppendPending(); }
  Status Flush() override { return inner_->Flush(); }
  Status Close() override { return inner_->Close(); }
  uint64_t appended_records() const override { return inner_->appended_records(); }
  uint64_t appended_bytes() const override { return inner_->appended_bytes(); }
  client::WriteReport Report() const override { return inner_->Report(); }

 private:
  SchemaWriter(client::RecordWriter* inner, std::unique_ptr<schema::Registry> registry);
  Status Side(bool is_key, std::optional<std::string_view>* bytes, std::string* buffer);

  client::RecordWriter* inner_;
  std::unique_ptr<schema::Registry> registry_;
  schema::WireValidator validator_;
  std::optional<schema::WireSchema> key_schema_;
  std::optional<schema::WireSchema> value_schema_;
  bool validate_key_ = false;
  bool validate_value_ = false;
  std::string key_buffer_;
  std::string value_buffer_;
};

}  // namespace kq::tools::produce
