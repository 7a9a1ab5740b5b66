// Registry over a real directory: registration, ids, versions, compatibility
// refusals that write nothing, two registries seeing each other at once,
// concurrent registrations, deletions, configs, and the exact record layout
// of _schemas (Confluent's).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "schema/registry.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::schema;

namespace {

const char* kV1 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"}]})";
const char* kV2 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},
                    {"name":"name","type":"string","default":""}]})";
const char* kBad = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},
                     {"name":"age","type":"int"}]})";

struct Fixture {
  kq::testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  std::string dir = tmp.path() + "/data";

  Fixture() { REQUIRE(log::LogDir::Open(env, dir, /*create_if_missing=*/true).ok()); }
  std::unique_ptr<Registry> Open() {
    auto r = Registry::Open(env, dir);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return std::move(*r);
  }
  std::vector<kq::testing::ReadRecord> Records() {
    log::PartitionOptions o;
    o.env = env;
    o.topic = kSchemasTopic;
    auto p = log::Partition::Open(dir + "/_schemas-0", o, log::OpenMode::kRead);
    REQUIRE(p.ok());
    auto all = kq::testing::ReadAll(**p);
    REQUIRE(all.ok());
    return *all;
  }
};

}  // namespace

TEST_CASE("registry: register, re-register, versions, ids global across subjects") {
  Fixture f;
  auto r = f.Open();
  CHECK(r->Subjects()->empty());
  auto a = r->Register("users-value", SchemaType::kAvro, kV1);
  REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  CHECK(a->id == 1);
  CHECK(a->version == 1);
  CHECK_FALSE(a->existed);
  // The same schema (whitespace aside) again: same id and version, nothing written.
  const size_t records = f.Records().size();
  auto again = r->Register(
      "users-value", SchemaType::kAvro,
      R"({"type": "record", "name": "User", "fields": [{"name": "id", "type": "long"}]})");
  REQUIRE(again.ok());
  CHECK(again->id == 1);
  CHECK(again->existed);
  CHECK(f.Records().size() == records);
  auto b = r->Register("users-value", SchemaType::kAvro, kV2);
  REQUIRE(b.ok());
  CHECK(b->id == 2);
  CHECK(b->version == 2);
  // Another subject, the same schema as id 1: id 1, version 1 of that subject.
  auto c = r->Register("other-value", SchemaType::kAvro, kV1);
  REQUIRE(c.ok());
  CHECK(c->id == 1);
  CHECK(c->version == 1);
  CHECK(*r->Subjects() == std::vector<std::string>{"other-value", "users-value"});
  CHECK(*r->Versions("users-value") == std::vector<int32_t>{1, 2});
  CHECK(r->Get("users-value", -1)->id == 2);
  CHECK(r->GetById(2)->schema == kV2);
  CHECK(r->Lookup("users-value", SchemaType::kAvro, kV1)->version == 1);
  CHECK(r->SubjectVersionsOf(1)->size() == 2);
  CHECK(r->GetById(99).status().IsNotFound());
  CHECK(r->error_code() == kSchemaNotFound);
  CHECK(r->Versions("nope").status().IsNotFound());
  CHECK(r->error_code() == kSubjectNotFound);
}

TEST_CASE("registry: an incompatible or malformed schema is refused and nothing is written") {
  Fixture f;
  auto r = f.Open();
  REQUIRE(r->Register("s", SchemaType::kAvro, kV1).ok());
  const size_t records = f.Records().size();
  auto bad = r->Register("s", SchemaType::kAvro, kBad);
  CHECK(bad.status().IsConflict());
  CHECK(r->error_code() == kIncompatibleSchema);
  CHECK(bad.status().ToString().find("$.age: READER_FIELD_MISSING_DEFAULT_VALUE") !=
        std::string::npos);
  auto malformed = r->Register("s", SchemaType::kAvro, R"({"type":"record"})");
  CHECK(malformed.status().IsInvalidArgument());
  CHECK(r->error_code() == kInvalidSchema);
  CHECK(f.Records().size() == records);
  // Under NONE the same schema goes in.
  REQUIRE(r->SetCompatibility(std::string("s"), Compatibility::kNone).ok());
  CHECK(r->Register("s", SchemaType::kAvro, kBad).ok());
  CHECK(*r->GetCompatibility(std::string("s")) == Compatibility::kNone);
  CHECK(*r->GetCompatibility(std::nullopt) == Compatibility::kBackward);
  CHECK(r->GetCompatibility(std::string("other"), /*fallback=*/false).status().IsNotFound());
  REQUIRE(r->SetCompatibility(std::nullopt, Compatibility::kFull).ok());
  CHECK(*r->GetCompatibility(std::string("other")) == Compatibility::kFull);
}

TEST_CASE("registry: two registries on one directory see each other's writes at once") {
  Fixture f;
  auto one = f.Open();
  auto two = f.Open();
  REQUIRE(one->Register("a", SchemaType::kAvro, kV1).ok());
  CHECK(*two->Subjects() == std::vector<std::string>{"a"});
  auto j = two->Register("b", SchemaType::kJson, R"({"type":"object"})");
  REQUIRE(j.ok());
  CHECK(j->id == 2);
  CHECK(one->GetById(2)->type == SchemaType::kJson);
}

TEST_CASE("registry: concurrent registrations under NONE: every one lands, ids distinct") {
  Fixture f;
  {
    auto r = f.Open();
    REQUIRE(r->SetCompatibility(std::string("shared"), Compatibility::kNone).ok());
  }
  constexpr int kThreads = 4;
  constexpr int kEach = 5;
  std::vector<std::thread> threads;
  std::vector<std::vector<Registered>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto r = Registry::Open(f.env, f.dir);
      if (!r.ok()) return;
      for (int i = 0; i < kEach; ++i) {
        const std::string schema = "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"T" +
                                   std::to_string(t) + "_" + std::to_string(i) + "\"]}";
        auto reg = (*r)->Register("shared", SchemaType::kAvro, schema);
        if (reg.ok()) got[static_cast<size_t>(t)].push_back(*reg);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int32_t> ids;
  std::set<int32_t> versions;
  for (const auto& g : got) {
    CHECK(g.size() == kEach);
    for (const auto& reg : g) {
      ids.insert(reg.id);
      versions.insert(reg.version);
    }
  }
  CHECK(ids.size() == kThreads * kEach);
  CHECK(versions.size() == kThreads * kEach);
  CHECK(*ids.rbegin() == kThreads * kEach);
}

TEST_CASE("registry: soft and permanent deletes, as Confluent orders them") {
  Fixture f;
  auto r = f.Open();
  REQUIRE(r->Register("s", SchemaType::kAvro, kV1).ok());
  REQUIRE(r->Register("s", SchemaType::kAvro, kV2).ok());
  CHECK(r->DeleteSubject("s", /*permanent=*/true).status().ToString().find("not deleted first") !=
        std::string::npos);
  CHECK(r->error_code() == kSubjectNotSoftDeleted);
  CHECK(*r->DeleteVersion("s", 2, false) == 2);
  CHECK(*r->Versions("s") == std::vector<int32_t>{1});
  CHECK(r->GetById(2).ok());  // a soft-deleted version stays readable by id
  CHECK(*r->DeleteSubject("s", false) == std::vector<int32_t>{1});
  CHECK(r->Subjects()->empty());
  CHECK(*r->Subjects(/*include_deleted=*/true) == std::vector<std::string>{"s"});
  // Registering again continues the version numbers and keeps the id.
  auto again = r->Register("s", SchemaType::kAvro, kV1);
  REQUIRE(again.ok());
  CHECK(again->version == 3);
  CHECK(again->id == 1);
  REQUIRE(r->DeleteSubject("s", false).ok());
  CHECK(*r->DeleteSubject("s", true) == std::vector<int32_t>{1, 2, 3});
  CHECK(r->Subjects(true)->empty());
  auto fresh = f.Open();
  CHECK(fresh->Subjects(true)->empty());
  // Ids are not reused while the tombstoned records are in the topic.
  auto next = r->Register("t", SchemaType::kAvro, R"("string")");
  REQUIRE(next.ok());
  CHECK(next->id == 3);
}

TEST_CASE("registry: records are Confluent's layout, and Confluent's records read") {
  Fixture f;
  {
    auto r = f.Open();
    REQUIRE(r->Register("s", SchemaType::kJson, R"({"type":"string"})").ok());
    REQUIRE(r->SetCompatibility(std::string("s"), Compatibility::kFull).ok());
    REQUIRE(r->DeleteSubject("s", false).ok());
  }
  auto records = f.Records();
  REQUIRE(records.size() >= 3);
  CHECK(records[0].key == R"({"keytype":"SCHEMA","subject":"s","version":1,"magic":1})");
  CHECK(
      records[0].value ==
      R"({"subject":"s","version":1,"id":1,"schemaType":"JSON","schema":"{\"type\":\"string\"}","deleted":false})");
  CHECK(records[1].key == R"({"keytype":"CONFIG","subject":"s","magic":0})");
  CHECK(records[1].value == R"({"subject":"s","compatibilityLevel":"FULL"})");
  CHECK(records[2].key == R"({"keytype":"DELETE_SUBJECT","subject":"s","magic":0})");
  CHECK(records[2].value == R"({"subject":"s","version":1})");

  // Records as a Confluent registry writes them (a NOOP, an AVRO schema with
  // no schemaType, a global config, garbage) read into the same state.
  Fixture g;
  auto dir = log::LogDir::Open(g.env, g.dir, false);
  log::TopicConfig config;
  REQUIRE(config.Set("cleanup.policy", "compact").ok());
  REQUIRE(dir->CreateTopic(kSchemasTopic, 1, config).ok());
  auto p = dir->OpenPartition(kSchemasTopic, PartitionId(0), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  format::RecordBatchBuilder b;
  b.Add(1, std::string_view(R"({"keytype":"NOOP","magic":0})"), std::nullopt);
  b.Add(1, std::string_view(R"({"keytype":"SCHEMA","subject":"t-value","version":1,"magic":1})"),
        std::string_view(
            R"({"subject":"t-value","version":1,"id":21,"schema":"\"string\"","deleted":false})"));
  b.Add(1, std::string_view(R"({"keytype":"CONFIG","subject":null,"magic":0})"),
        std::string_view(R"({"compatibilityLevel":"FORWARD"})"));
  b.Add(1, std::string_view("garbage"), std::string_view("x"));
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  REQUIRE((*p)->Append(*batch).ok());
  auto r = g.Open();
  CHECK(r->GetById(21)->subject == "t-value");
  CHECK(*r->GetCompatibility(std::nullopt) == Compatibility::kForward);
  CHECK(r->skipped_records() == 1);
  auto next = r->Register("u", SchemaType::kAvro, R"("int")");
  REQUIRE(next.ok());
  CHECK(next->id == 22);
}
