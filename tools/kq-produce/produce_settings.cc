#include "kq-produce/produce_settings.h"

#include <cstdio>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "client/log_record_writer.h"
#include "client/producer.h"
#include "client/record_writer.h"
#include "common/cluster_flags.h"
#include "common/escapes.h"
#include "common/exit_codes.h"
#include "common/internal_topic.h"
#include "common/output.h"
#include "format/compression.h"
#include "io/env.h"
#include "kafka/cluster_record_writer.h"
#include "kq-produce/input_source.h"
#include "kq-produce/produce_loop.h"
#include "log/log_dir.h"
#include "log/topic_name.h"

namespace kq::tools::produce {
namespace {

constexpr std::string_view kTool = "produce";
// Partitions opened up front (so an unwritable directory fails before any
// input is read); larger topics open partitions as records reach them.
constexpr int32_t kEagerOpenLimit = 64;

struct Settings {
  std::string topic;
  std::vector<std::string> files;
  ProduceConfig config;
  client::ProducerOptions producer;
};

Status Usage(std::string message) { return Status::InvalidArgument(message); }

Status CheckCombinations(const ProduceFlags& f) {
  if (f.json) {
    if (f.key_delimiter) return Usage("-J and -K cannot be used together (the key is in the JSON)");
    if (f.key) return Usage("-J and -k cannot be used together (the key is in the JSON)");
    if (f.whole_file) return Usage("-J and -l cannot be used together");
    if (f.null_empty) return Usage("-J and -Z cannot be used together (JSON has null)");
  }
  if (f.lenient && !f.json) return Usage("--lenient applies only to -J input");
  if (f.count && *f.count < 0) return Usage(fmt::format("-c: {} is negative", *f.count));
  // -1: the partitioner decides, as kcat's -p -1.
  if (f.partition && (*f.partition < -1 || *f.partition >= log::kMaxPartitionsPerTopic)) {
    return Usage(fmt::format("-p: {} is not a partition number", *f.partition));
  }
  if (f.batch_bytes < 1 || f.batch_bytes > (int64_t{1} << 30)) {
    return Usage(fmt::format("--batch-bytes: {} is out of range (1..1073741824)", f.batch_bytes));
  }
  if (f.linger_ms < 0 || f.linger_ms > 3600 * 1000) {
    return Usage(fmt::format("--linger-ms: {} is out of range (0..3600000)", f.linger_ms));
  }
  if (f.partitions < 1 || f.partitions > log::kMaxPartitionsPerTopic) {
    return Usage(fmt::format("--partitions: {} is out of range (1..{})", f.partitions,
                             log::kMaxPartitionsPerTopic));
  }
  return Status::Ok();
}

// The topic and the input files from -t and the operands.
Status TakeOperands(const ProduceFlags& f, Settings* s) {
  std::vector<std::string> rest = f.operands;
  if (f.topic) {
    s->topic = *f.topic;
  } else if (!rest.empty()) {
    s->topic = rest.front();
    rest.erase(rest.begin());
  } else {
    return Usage("no topic given: name it as the first operand or with -t");
  }
  if (Status v = log::ValidateTopicName(s->topic); !v.ok()) return Usage(v.message());
  KQ_RETURN_IF_ERROR(CheckInternalTopic(s->topic, "write to", f.force_internal));
  s->files = std::move(rest);
  return Status::Ok();
}

Status TakeHeaders(const ProduceFlags& f, ProduceConfig* c) {
  for (const std::string& h : f.headers) {
    const size_t eq = h.find('=');
    if (eq == std::string::npos) {
      return Usage(fmt::format("-H '{}': expected NAME=VALUE (VALUE may be empty)",
                               log::EscapeForMessage(h)));
    }
    if (eq == 0) return Usage(fmt::format("-H '{}': the header name is empty", h));
    c->headers.emplace_back(h.substr(0, eq), h.substr(eq + 1));
  }
  return Status::Ok();
}

Status TakeProducerOptions(const ProduceFlags& f, client::ProducerOptions* o) {
  format::Compression codec = format::Compression::kNone;
  if (Status s = format::ParseCompression(f.compression, &codec); !s.ok()) {
    return Usage(fmt::format("-z: '{}' is not supported: expected none, gzip, snappy, lz4 or zstd",
                             log::EscapeForMessage(f.compression)));
  }
  o->compression = codec;
  if (!f.partitioner.empty()) {
    Result<log::Partitioner::Kind> kind = log::Partitioner::ParseKind(f.partitioner);
    if (!kind.ok()) return Usage(fmt::format("--partitioner: {}", kind.status().message()));
    o->partitioner = *kind;
  }
  if (!f.flush.empty()) {
    Result<log::FlushPolicy> policy = log::FlushPolicy::Parse(f.flush);
    if (!policy.ok()) return Usage(fmt::format("--flush: {}", policy.status().message()));
    o->flush = *policy;
  }
  o->batch_bytes = static_cast<size_t>(f.batch_bytes);
  o->partitions = static_cast<int32_t>(f.partitions);
  o->create_topic = !f.no_create;
  // -J lines may name partitions: a topic this run creates gets as many as
  // they name (a lossless copy of a topic of many partitions).
  o->grow_created_topic = f.json;
  return Status::Ok();
}

Result<Settings> CheckFlags(const ProduceFlags& f, const CommonFlags& common) {
  Settings s;
  KQ_RETURN_IF_ERROR(CheckCombinations(f));
  KQ_RETURN_IF_ERROR(TakeOperands(f, &s));
  ProduceConfig& c = s.config;
  if (f.delimiter) {
    KQ_ASSIGN_OR_RETURN(c.delimiter, ParseDelimiter(*f.delimiter, "-D"));
  }
  if (f.key_delimiter) {
    KQ_ASSIGN_OR_RETURN(std::string kd, ParseDelimiter(*f.key_delimiter, "-K"));
    c.key_delimiter = std::move(kd);
  }
  KQ_RETURN_IF_ERROR(TakeHeaders(f, &c));
  c.file_is_record = f.whole_file;
  c.fixed_key = f.key;
  c.partition = f.partition ? static_cast<int32_t>(*f.partition) : -1;  // -1: partitioner
  c.empty_is_null = f.null_empty;
  c.max_records = f.count.value_or(-1);
  c.echo = f.tee;
  c.json = f.json;
  c.lenient = f.lenient;
  c.linger_ms = f.linger_ms;
  c.progress = !common.quiet && IsTerminal(2);
  KQ_RETURN_IF_ERROR(TakeProducerOptions(f, &s.producer));
  return s;
}

// What can be wrong with the log directory before anything is created. A
// missing parent is an error rather than silently created: usually a typo.
Status CheckDir(io::Env* env, const std::string& path, bool no_create) {
  if (env->IsDirectory(path)) return Status::Ok();
  if (env->FileExists(path))
    return Status::InvalidArgument(fmt::format("{} is not a directory", path));
  if (no_create) {
    return Status::NotFound(fmt::format("log directory {} does not exist (--no-create)", path));
  }
  const std::string parent = io::DirName(path);
  if (!env->IsDirectory(parent)) {
    return Status::NotFound(fmt::format(
        "cannot create log directory {}: parent directory {} does not exist", path, parent));
  }
  return Status::Ok();
}

// The partition count the topic has, or will have once created. Looks
// without creating anything, so a bad -p leaves no trace.
Result<int32_t> PartitionCount(io::Env* env, const std::string& path, const Settings& s) {
  Result<log::LogDir> existing = log::LogDir::Open(env, path, false);
  Result<log::TopicInfo> info =
      existing.ok() ? existing->DescribeTopic(s.topic) : Result<log::TopicInfo>(existing.status());
  if (info.ok()) return info->partitions;
  if (!info.status().IsNotFound()) return info.status();
  if (!s.producer.create_topic) {
    return Status::NotFound(fmt::format("{} (and --no-create was given)", info.status().message()));
  }
  return s.producer.partitions;
}

Result<std::vector<std::unique_ptr<InputSource>>> OpenInputs(
    io::Env* env, const std::vector<std::string>& files) {
  std::vector<std::unique_ptr<InputSource>> inputs;
  for (const std::string& path : files) {
    if (path == "-") {
      inputs.push_back(InputSource::Stdin());
      continue;
    }
    KQ_ASSIGN_OR_RETURN(std::unique_ptr<InputSource> in, InputSource::File(env, path));
    inputs.push_back(std::move(in));
  }
  if (inputs.empty()) inputs.push_back(InputSource::Stdin());
  return inputs;
}

Status OpenEarly(client::LogProducer& producer, int32_t partition) {
  if (partition >= 0) return producer.OpenPartition(partition);
  if (producer.partition_count() > kEagerOpenLimit) return Status::Ok();
  for (int32_t p = 0; p < producer.partition_count(); ++p) {
    KQ_RETURN_IF_ERROR(producer.OpenPartition(p));
  }
  return Status::Ok();
}

// --report: one JSON line on stdout, the same shape for both backends.
void PrintReport(const client::WriteReport& r) {
  nlohmann::ordered_json report;
  report["topic"] = r.topic;
  report["created"] = r.created_topic;
  report["records"] = r.records;
  report["bytes"] = r.bytes;
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const client::PartitionStats& p : r.partitions) {
    parts.push_back({{"partition", p.partition},
                     {"records", p.records},
                     {"bytes", p.bytes},
                     {"first_offset", p.first_offset},
                     {"last_offset", p.last_offset}});
  }
  report["partitions"] = std::move(parts);
  fmt::print("{}\n", report.dump());
  std::fflush(stdout);
}

// Feeds every input through one loop; then closes the writer whatever
// happened, so the records taken before an error are acknowledged.
Status Produce(RecordWriter& writer, const Settings& s,
               std::vector<std::unique_ptr<InputSource>>& inputs, const CommonFlags& common,
               bool report) {
  InstallStopSignals();
  ProduceLoop loop(s.config, &writer);
  Status status;
  for (auto& input : inputs) {
    status = loop.Run(*input);
    if (!status.ok() || loop.done()) break;
  }
  Status closed = writer.Close();
  Status echoed = loop.FlushEcho();
  if (!closed.ok()) return closed;
  if (report) PrintReport(writer.Report());
  if (!status.ok()) {
    if (!status.IsInvalidArgument()) return status;
    const uint64_t n = writer.appended_records();
    return Status::InvalidArgument(
        fmt::format("{}; nothing from it on was written, the {} record{} before it {}",
                    status.message(), n, n == 1 ? "" : "s", n == 1 ? "was" : "were"));
  }
  if (common.verbose > 0) {
    const uint64_t n = writer.appended_records();
    fmt::print(stderr, "kq-produce: wrote {} record{} ({} bytes) to topic '{}'\n", n,
               n == 1 ? "" : "s", writer.appended_bytes(), writer.topic());
  }
  return echoed;
}

// -b: the same run against a cluster.
int RunClusterProduce(const CommonFlags& common, const ProduceFlags& flags, Settings& s) {
  Result<kafka::ClusterConfig> config = ClusterConfigFrom(common);
  if (!config.ok()) return ReportUsageError(kTool, config.status().message());
  auto inputs = OpenInputs(io::Env::Default(), s.files);
  if (!inputs.ok()) return ReportError(kTool, inputs.status());
  kafka::ProduceOptions options;
  if (!flags.partitioner.empty()) options.partitioner = flags.partitioner;
  options.compression = flags.compression;
  options.linger_ms = static_cast<int>(flags.linger_ms);
  if (flags.no_create) {
    options.create_partitions.reset();
  } else {
    options.create_partitions = static_cast<int32_t>(flags.partitions);
  }
  auto writer = kafka::ClusterRecordWriter::Open(*config, options, s.topic);
  if (!writer.ok()) return ReportError(kTool, writer.status());
  const int32_t count = (*writer)->partition_count();
  if (s.config.partition >= count) {
    return ReportUsageError(
        kTool, fmt::format("-p {}: topic '{}' has {} partition{} (0..{})", s.config.partition,
                           s.topic, count, count == 1 ? "" : "s", count - 1));
  }
  if (common.verbose > 0 && (*writer)->Report().created_topic) {
    fmt::print(stderr, "kq-produce: created topic '{}' with {} partition{}\n", s.topic, count,
               count == 1 ? "" : "s");
  }
  return ReportError(kTool, Produce(**writer, s, *inputs, common, flags.report));
}

}  // namespace

int RunProduce(const CommonFlags& common, const ProduceFlags& flags) {
  Result<Settings> settings = CheckFlags(flags, common);
  if (!settings.ok()) return ReportUsageError(kTool, settings.status().message());
  Settings& s = *settings;
  if (ClusterMode(common)) {
    if (!flags.schemas.value_schema.empty() || !flags.schemas.key_schema.empty()) {
      return ReportUsageError(kTool, "--value-schema and --key-schema need a log directory, not -b");
    }
    return RunClusterProduce(common, flags, s);
  }
  io::Env* env = io::Env::Default();
  s.producer.env = env;

  // Everything that can be checked is checked before anything is created.
  auto inputs = OpenInputs(env, s.files);
  if (!inputs.ok()) return ReportError(kTool, inputs.status());
  // Directory problems first, then the topic's partition count for -p, then
  // (only when all is well) the directory is opened or created.
  if (Status d = CheckDir(env, common.dir, flags.no_create); !d.ok()) return ReportError(kTool, d);
  Result<int32_t> count = PartitionCount(env, common.dir, s);
  if (!count.ok()) return ReportError(kTool, count.status());
  if (s.config.partition >= *count) {
    return ReportUsageError(
        kTool, fmt::format("-p {}: topic '{}' has {} partition{} (0..{})", s.config.partition,
                           s.topic, *count, *count == 1 ? "" : "s", *count - 1));
  }
  Result<log::LogDir> dir = log::LogDir::Open(env, common.dir, !flags.no_create);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  auto producer = client::LogProducer::Open(*dir, s.topic, s.producer);
  if (!producer.ok()) return ReportError(kTool, producer.status());
  if (common.verbose > 0 && (*producer)->created_topic()) {
    fmt::print(stderr, "kq-produce: created topic '{}' with {} partition{}\n", s.topic,
               (*producer)->partition_count(), (*producer)->partition_count() == 1 ? "" : "s");
  }
  if (Status early = OpenEarly(**producer, s.config.partition); !early.ok()) {
    return ReportError(kTool, early);
  }
  client::LogRecordWriter writer(producer->get());
  // Schemas: encoding and validation on write, when asked for (schema_writer.h).
  auto schemas = SchemaWriter::Open(common.dir, flags.schemas, &writer, (*producer)->topic_config());
  if (!schemas.ok()) return ReportError(kTool, schemas.status());
  RecordWriter& target = *schemas ? static_cast<RecordWriter&>(**schemas) : writer;
  return ReportError(kTool, Produce(target, s, *inputs, common, flags.report));
}

}  // namespace kq::tools::produce
