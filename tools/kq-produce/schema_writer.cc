#include "kq-produce/schema_writer.h"

#include <fmt/format.h>

#include "io/env.h"

namespace kq::tools::produce {

SchemaWriter::SchemaWriter(client::RecordWriter* inner, std::unique_ptr<schema::Registry> registry)
    : inner_(inner), registry_(std::move(registry)), validator_(registry_.get()) {}

Result<std::unique_ptr<SchemaWriter>> SchemaWriter::Open(const std::string& dir,
                                                         const SchemaFlags& flags,
                                                         client::RecordWriter* inner,
                                                         const log::TopicConfig& config) {
  if (flags.value_schema.empty() && flags.key_schema.empty() &&
      !config.confluent_key_schema_validation && !config.confluent_value_schema_validation) {
    return std::unique_ptr<SchemaWriter>();
  }
  io::Env* env = io::Env::Default();
  KQ_ASSIGN_OR_RETURN(auto registry, schema::Registry::Open(env, dir));
  auto writer = std::unique_ptr<SchemaWriter>(new SchemaWriter(inner, std::move(registry)));
  const std::string& topic = inner->topic();
  if (!flags.value_schema.empty()) {
    Result<schema::WireSchema> s = schema::ResolveSchemaSpec(
        *writer->registry_, env, flags.value_schema, schema::TopicSubject(topic, false));
    if (!s.ok()) return s.status().WithPrefix("--value-schema");
    writer->value_schema_ = std::move(*s);
  }
  if (!flags.key_schema.empty()) {
    Result<schema::WireSchema> s = schema::ResolveSchemaSpec(
        *writer->registry_, env, flags.key_schema, schema::TopicSubject(topic, true));
    if (!s.ok()) return s.status().WithPrefix("--key-schema");
    writer->key_schema_ = std::move(*s);
  }
  writer->validate_key_ = config.confluent_key_schema_validation;
  writer->validate_value_ = config.confluent_value_schema_validation;
  return writer;
}

Status SchemaWriter::Side(bool is_key, std::optional<std::string_view>* bytes,
                          std::string* buffer) {
  const char* what = is_key ? "key" : "value";
  const std::optional<schema::WireSchema>& schema = is_key ? key_schema_ : value_schema_;
  if (schema && bytes->has_value()) {
    Result<std::string> encoded = schema::EncodeJsonText(*schema, **bytes);
    if (!encoded.ok()) {
      return Status::InvalidArgument(fmt::format("{} does not fit schema id {} ({} version {}): {}",
                                                 what, schema->id, schema->subject, schema->version,
                                                 encoded.status().message()));
    }
    *buffer = std::move(*encoded);
    *bytes = *buffer;
  }
  if (is_key ? validate_key_ : validate_value_) {
    const std::string subject = schema::TopicSubject(inner_->topic(), is_key);
    Status valid = validator_.Check(subject, *bytes);
    if (!valid.ok()) {
      return Status::InvalidArgument(fmt::format("{} refused by confluent.{}.schema.validation: {}",
                                                 what, what, valid.message()));
    }
  }
  return Status::Ok();
}

Status SchemaWriter::Add(const client::ProducerRecord& record) {
  client::ProducerRecord r = record;
  KQ_RETURN_IF_ERROR(Side(/*is_key=*/true, &r.key, &key_buffer_));
  KQ_RETURN_IF_ERROR(Side(/*is_key=*/false, &r.value, &value_buffer_));
  return inner_->Add(r);
}

}  // namespace kq::tools::produce
