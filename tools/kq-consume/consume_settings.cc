#include "kq-consume/consume_settings.h"

#include <fmt/format.h>

#include "common/cluster_flags.h"
#include "common/escapes.h"
#include "common/time_spec.h"
#include "log/topic_name.h"

namespace kq::tools::consume {
namespace {

Status Usage(std::string_view msg) { return Status::InvalidArgument(msg); }

Status CheckSelections(const ConsumeFlags& flags, ConsumeSettings* s) {
  std::vector<std::string> texts = flags.topics;
  texts.insert(texts.end(), flags.operands.begin(), flags.operands.end());
  if (texts.empty()) return Usage("no topic given: name one as an operand or with -t TOPIC");
  for (const std::string& t : texts) {
    auto sel = client::ParseTopicSelection(t);
    if (!sel.ok()) return Usage(fmt::format("topic: {}", sel.status().message()));
    // A name no topic can have is a usage error (exit 2), as in the other tools.
    if (Status v = log::ValidateTopicName(sel->topic); !v.ok()) return Usage(v.message());
    if (sel->partition.has_value() && !flags.group.empty()) {
      return Usage(fmt::format(
          "-G/--group: '{}' names a partition, but a group assigns partitions itself", t));
    }
    s->selections.push_back(std::move(*sel));
  }
  return Status::Ok();
}

Status CheckOutput(const ConsumeFlags& flags, ConsumeSettings* s) {
  const int modes = (flags.json ? 1 : 0) + (flags.format.empty() ? 0 : 1) +
                    (flags.key_delimiter.has_value() ? 1 : 0);
  if (modes > 1) return Usage("-f/--format, -K/--key-delimiter and -J/--json exclude each other");
  if (flags.delimiter.has_value()) {
    if (!flags.format.empty()) {
      return Usage(
          "-D/--delimiter: -f/--format spells out the whole output; put the delimiter "
          "there");
    }
    auto d = ParseDelimiter(*flags.delimiter, "-D");
    if (!d.ok()) return Usage(d.status().message());
    s->delimiter = std::move(*d);
  }
  if (flags.json) {
    s->mode = OutputMode::kJson;
  } else if (!flags.format.empty()) {
    auto f = RecordFormatter::Compile(flags.format);
    if (!f.ok()) return Usage(f.status().message());
    s->formatter.emplace(std::move(*f));
    s->mode = OutputMode::kFormat;
  } else if (flags.key_delimiter.has_value()) {
    auto k = ParseDelimiter(*flags.key_delimiter, "-K");
    if (!k.ok()) return Usage(k.status().message());
    s->key_delimiter = std::move(*k);
    s->mode = OutputMode::kKeyValue;
  }
  return Status::Ok();
}

}  // namespace

Result<ConsumeSettings> CheckFlags(const CommonFlags& common, const ConsumeFlags& flags) {
  ConsumeSettings s;
  s.dir = common.dir;
  if (ClusterMode(common)) {
    s.use_cluster = true;
    KQ_ASSIGN_OR_RETURN(s.cluster, ClusterConfigFrom(common));
    if (flags.ordered) {
      return Usage(
          "--ordered: not supported with -b/--brokers (a cluster delivers each "
          "partition in offset order, not interleaved by timestamp)");
    }
  }
  s.verbose = common.verbose;
  s.quiet = common.quiet;
  s.follow = flags.follow;
  s.ordered = flags.ordered;
  s.group = flags.group;
  if (flags.exit_at_end && flags.follow) {
    return Usage(
        "-e/--exit and -F/--follow contradict each other: -e exits at the end of the "
        "log, -F waits there");
  }
  if (flags.count.has_value() && *flags.count <= 0) {
    return Usage(fmt::format("-c/--count: {} is not a positive number of records", *flags.count));
  }
  s.count = flags.count;
  if (flags.poll_ms < 10 || flags.poll_ms > 60000) {
    return Usage(fmt::format("--poll-ms: {} is outside 10..60000", flags.poll_ms));
  }
  s.poll_ms = flags.poll_ms;
  KQ_RETURN_IF_ERROR(CheckSelections(flags, &s));
  auto spec = ParseOffsetSpecs(flags.offsets, NowMs());
  if (!spec.ok()) return Usage(spec.status().message());
  s.offset = *spec;
  if (s.offset.kind == OffsetSpec::Kind::kStored && s.group.empty()) {
    return Usage("-o stored: the stored offset is a group's; give -G GROUP");
  }
  KQ_RETURN_IF_ERROR(CheckOutput(flags, &s));
  KQ_ASSIGN_OR_RETURN(s.serdes, ParseSerdeFlags(flags.serdes));
  return s;
}

client::StartPosition StartFor(const OffsetSpec& spec) {
  switch (spec.kind) {
    case OffsetSpec::Kind::kBeginning:
    case OffsetSpec::Kind::kStored:  // no commit: from the beginning
      return client::StartPosition::Beginning();
    case OffsetSpec::Kind::kEnd:
      return client::StartPosition::End();
    case OffsetSpec::Kind::kAbsolute:
      return client::StartPosition::AtOffset(spec.value);
    case OffsetSpec::Kind::kFromEnd:
      return client::StartPosition::FromEnd(spec.value);
    case OffsetSpec::Kind::kTimestamp:
      return client::StartPosition::AtTimestamp(spec.value);
  }
  return client::StartPosition::Beginning();
}

}  // namespace kq::tools::consume
