#include "schema/json_schema.h"

#include <fmt/format.h>

// valijson reports a schema it cannot use by throwing when this is set, and
// aborts the process otherwise.
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace kq::schema {
namespace {

using nlohmann::json;

valijson::SchemaParser::Version DraftOf(const json& doc) {
  if (doc.is_object() && doc.contains("$schema") && doc["$schema"].is_string()) {
    const std::string& uri = doc["$schema"].get_ref<const std::string&>();
    if (uri.find("draft-04") != std::string::npos) return valijson::SchemaParser::kDraft4;
    if (uri.find("draft-03") != std::string::npos) return valijson::SchemaParser::kDraft3;
  }
  return valijson::SchemaParser::kDraft7;
}

// valijson's context is ["<root>", "[field]", "[3]", ...]: made "$.field[3]".
std::string PathOf(const std::vector<std::string>& context) {
  std::string path = "$";
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      const std::string inner = part.substr(1, part.size() - 2);
      const bool index =
          !inner.empty() && inner.find_first_not_of("0123456789") == std::string::npos;
      if (index) {
        path += part;
      } else {
        std::string name = inner;
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
          name = name.substr(1, name.size() - 2);
        path = JoinPath(path, name);
      }
    } else {
      path = JoinPath(path, part);
    }
  }
  return path;
}

class JsonSchemaImpl final : public ParsedSchema {
 public:
  explicit JsonSchemaImpl(json doc) : doc_(std::move(doc)), canonical_(doc_.dump()) {}

  Status Init() {
    try {
      valijson::SchemaParser parser(DraftOf(doc_));
      valijson::adapters::NlohmannJsonAdapter adapter(doc_);
      parser.populateSchema(adapter, schema_);
    } catch (const std::exception& e) {
      return Status::InvalidArgument(fmt::format("invalid JSON schema: {}", e.what()));
    }
    return Status::Ok();
  }

  SchemaType type() const override { return SchemaType::kJson; }
  const std::string& canonical() const override { return canonical_; }
  const json& document() const override { return doc_; }

  Status Validate(const json& value) const override {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(value);
    bool ok = false;
    try {
      ok = validator.validate(schema_, target, &results);
    } catch (const std::exception& e) {
      return Status::InvalidArgument(fmt::format("$: cannot validate: {}", e.what()));
    }
    if (ok) return Status::Ok();
    // The deepest error says the most: valijson lists the enclosing
    // failures ("failed to validate against schema associated with property")
    // before the cause.
    valijson::ValidationResults::Error best;
    for (const auto& error : results) {
      if (best.description.empty() || error.context.size() > best.context.size()) best = error;
    }
    return Status::InvalidArgument(fmt::format("{}: {}", PathOf(best.context), best.description));
  }

  Result<std::string> Encode(const json& value) const override {
    KQ_RETURN_IF_ERROR(Validate(value));
    return value.dump();
  }

  Result<json> Decode(std::string_view payload) const override {
    KQ_ASSIGN_OR_RETURN(json value, ParseJsonText(payload, "JSON payload"));
    KQ_RETURN_IF_ERROR(Validate(value));
    return value;
  }

 private:
  json doc_;
  std::string canonical_;
  valijson::Schema schema_;
};

}  // namespace

Result<std::unique_ptr<ParsedSchema>> ParseJsonSchema(std::string_view text) {
  KQ_ASSIGN_OR_RETURN(json doc, ParseJsonText(text, "JSON schema"));
  if (!doc.is_object() && !doc.is_boolean()) {
    return Status::InvalidArgument("invalid JSON schema: must be an object or a boolean");
  }
  auto schema = std::make_unique<JsonSchemaImpl>(std::move(doc));
  KQ_RETURN_IF_ERROR(schema->Init());
  return std::unique_ptr<ParsedSchema>(std::move(schema));
}

}  // namespace kq::schema
