// --dump: segments, batches and (--print-data) records, as text in the
// manner of kafka-dump-log, or one JSON object per line with --json.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/json_envelope.h"
#include "common/output.h"
#include "common/record_format.h"
#include "compact.h"
#include "format/compression.h"
#include "maint/dumper.h"

namespace kq::tools::compact {

namespace {

// Printable ASCII as is, everything else as \xNN, so a dump is one line per
// record whatever the bytes.
void AppendEscaped(std::string_view bytes, std::string* out) {
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out->push_back(static_cast<char>(c));
    } else if (c == '\\') {
      out->append("\\\\");
    } else {
      *out += fmt::format("\\x{:02x}", c);
    }
  }
}

int64_t LastSequence(const format::BatchHeader& h) {
  if (h.base_sequence < 0) return -1;
  return (static_cast<int64_t>(h.base_sequence) + h.last_offset_delta) % (int64_t{1} << 31);
}

class Printer : public maint::DumpVisitor {
 public:
  Printer(const Args& args, const Target& t) : args_(args), target_(t) {}

  Status OnSegment(const maint::DumpSegment& s) override {
    if (args_.json) {
      nlohmann::json j = {{"type", "segment"},
                          {"topic", target_.topic},
                          {"partition", target_.partition},
                          {"file", s.path},
                          {"base_offset", s.base_offset.value()},
                          {"size", s.size},
                          {"active", s.active}};
      return Emit(j.dump());
    }
    return Emit(fmt::format("Dumping {} (base offset {}, {} bytes{})", s.path,
                            s.base_offset.value(), s.size, s.active ? ", active" : ""));
  }

  Status OnBatch(const maint::DumpBatch& b) override {
    const format::BatchHeader& h = b.header;
    const std::string codec = format::CompressionName(h.compression());
    if (args_.json) {
      nlohmann::json j = {{"type", "batch"},
                          {"topic", target_.topic},
                          {"partition", target_.partition},
                          {"file", b.segment->path},
                          {"position", b.position},
                          {"size", h.total_size()},
                          {"base_offset", h.base_offset},
                          {"last_offset", h.last_offset()},
                          {"count", h.records_count},
                          {"crc", fmt::format("{:08x}", h.crc)},
                          {"crc_valid", b.crc_valid},
                          {"codec", codec},
                          {"magic", h.magic},
                          {"partition_leader_epoch", h.partition_leader_epoch},
                          {"base_timestamp", h.base_timestamp},
                          {"max_timestamp", h.max_timestamp},
                          {"tstype", h.is_log_append_time() ? "logappend" : "create"},
                          {"producer_id", h.producer_id},
                          {"producer_epoch", h.producer_epoch},
                          {"base_sequence", h.base_sequence},
                          {"last_sequence", LastSequence(h)},
                          {"is_transactional", h.is_transactional()},
                          {"is_control", h.is_control()}};
      if (h.has_delete_horizon()) j["delete_horizon_ms"] = h.base_timestamp;
      if (!b.crc_valid) j["problem"] = b.problem;
      return Emit(j.dump());
    }
    return Emit(fmt::format(
        "baseOffset: {} lastOffset: {} count: {} baseSequence: {} lastSequence: {} producerId: {} "
        "producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} isControl: {} "
        "deleteHorizonMs: {} position: {} baseTimestamp: {} {}: {} size: {} magic: {} "
        "compresscodec: {} crc: {:08x} isvalid: {}{}",
        h.base_offset, h.last_offset(), h.records_count, h.base_sequence, LastSequence(h),
        h.producer_id, h.producer_epoch, h.partition_leader_epoch, h.is_transactional(),
        h.is_control(), h.has_delete_horizon() ? std::to_string(h.base_timestamp) : "none",
        b.position, h.base_timestamp, h.is_log_append_time() ? "LogAppendTime" : "CreateTime",
        h.max_timestamp, h.total_size(), h.magic, codec, h.crc, b.crc_valid,
        b.crc_valid ? "" : " (" + b.problem + ")"));
  }

  Status OnRecord(const maint::DumpBatch& b, const format::RecordView& r) override {
    if (args_.json) {
      // The record in kq-consume -J's envelope (kcat's names), after "type".
      headers_.clear();
      for (const format::HeaderView& hv : r.headers) headers_.emplace_back(hv.key, hv.value);
      FormattedRecord f;
      f.topic = target_.topic;
      f.partition = target_.partition;
      f.offset = r.offset;
      f.timestamp = r.timestamp;
      f.log_append_time = b.header.is_log_append_time();
      f.key = r.key;
      f.value = r.value;
      f.headers = headers_;
      std::string envelope;
      EncodeJsonEnvelope(f, &envelope);
      return Emit("{\"type\":\"record\"," + envelope.substr(1));
    }
    std::string line =
        fmt::format("| offset: {} {}: {} keySize: {} valueSize: {} sequence: {} headerKeys: [",
                    r.offset, b.header.is_log_append_time() ? "LogAppendTime" : "CreateTime",
                    r.timestamp, r.key ? static_cast<int64_t>(r.key->size()) : -1,
                    r.value ? static_cast<int64_t>(r.value->size()) : -1,
                    b.header.base_sequence < 0 ? -1 : b.header.base_sequence + r.offset_delta);
    for (size_t i = 0; i < r.headers.size(); ++i) {
      if (i > 0) line += ",";
      AppendEscaped(r.headers[i].key, &line);
    }
    line += "] key: ";
    if (r.key)
      AppendEscaped(*r.key, &line);
    else
      line += "null";
    line += " payload: ";
    if (r.value)
      AppendEscaped(*r.value, &line);
    else
      line += "null";
    return Emit(line);
  }

  Status OnProblem(const std::string& file, uint64_t position,
                   const std::string& message) override {
    ++problems_;
    Warn(fmt::format("{}: {}: position {}: {}", target_.Name(), file, position, message));
    return Status::Ok();
  }

  Status Flush() { return out_.Flush(); }
  int problems() const { return problems_; }

 private:
  Status Emit(std::string_view line) {
    out_.buffer()->append(line);
    out_.buffer()->push_back('\n');
    return out_.MaybeFlush();
  }

  const Args& args_;
  const Target& target_;
  OutputWriter out_;
  std::vector<HeaderView> headers_;  // scratch for one record's JSON
  int problems_ = 0;
};

}  // namespace

int RunDump(io::Env* env, const Args& args, const std::vector<Target>& targets) {
  int failed = 0;
  for (const Target& t : targets) {
    Printer printer(args, t);
    maint::DumpOptions o;
    o.env = env;
    o.records = args.print_data;
    Status s = maint::DumpPartition(t.path, o, &printer);
    Status f = printer.Flush();
    if (s.ok()) s = f;
    if (IsBrokenPipe(s)) return kExitOk;
    if (!s.ok()) {
      Warn(s.message().starts_with("partition") ? s.message()
                                                : fmt::format("{}: {}", t.Name(), s.message()));
      ++failed;
    }
    if (printer.problems() > 0) ++failed;
  }
  return failed > 0 ? kExitRuntime : kExitOk;
}

}  // namespace kq::tools::compact
