#include "log/leader_epoch_checkpoint.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "log/checkpoint_file.h"

namespace kq::log::leader_epoch {

Result<std::vector<EpochEntry>> Parse(std::string_view text, std::string_view source) {
  KQ_ASSIGN_OR_RETURN(std::vector<CheckpointLine> lines,
                      SplitCheckpoint(text, source, 2, "epoch startOffset"));
  std::vector<EpochEntry> entries;
  entries.reserve(lines.size());
  for (const CheckpointLine& line : lines) {
    int64_t epoch = 0, start = 0;
    if (!ParseCheckpointInt(line.fields[0], &epoch) || epoch < 0 ||
        epoch > std::numeric_limits<int32_t>::max()) {
      return CheckpointLineError(source, line, fmt::format("bad epoch '{}'", line.fields[0]));
    }
    if (!ParseCheckpointInt(line.fields[1], &start) || start < 0) {
      return CheckpointLineError(source, line,
                                 fmt::format("bad start offset '{}'", line.fields[1]));
    }
    EpochEntry entry{Epoch(static_cast<int32_t>(epoch)), Offset(start)};
    if (!entries.empty() &&
        (entry.epoch <= entries.back().epoch || entry.start_offset < entries.back().start_offset)) {
      return CheckpointLineError(
          source, line,
          fmt::format("epoch {} at offset {} does not follow epoch {} at offset {}", entry.epoch,
                      entry.start_offset, entries.back().epoch, entries.back().start_offset));
    }
    entries.push_back(entry);
  }
  return entries;
}

std::string Format(const std::vector<EpochEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const EpochEntry& e : entries)
    lines.push_back(fmt::format("{} {}", e.epoch, e.start_offset));
  return JoinCheckpoint(lines);
}

Result<std::vector<EpochEntry>> Read(io::Env* env, const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::string text, ReadCheckpointText(env, path));
  return Parse(text, path);
}

Status Write(io::Env* env, const std::string& path, const std::vector<EpochEntry>& entries) {
  return env->WriteFileAtomic(path, Format(entries));
}

bool Assign(std::vector<EpochEntry>* entries, Epoch epoch, Offset start_offset) {
  if (!entries->empty() && epoch <= entries->back().epoch) return false;
  while (!entries->empty() && entries->back().start_offset >= start_offset) entries->pop_back();
  entries->push_back({epoch, start_offset});
  return true;
}

const EpochEntry* CoveringEntry(const std::vector<EpochEntry>& entries, Offset offset) {
  auto it = std::upper_bound(entries.begin(), entries.end(), offset,
                             [](Offset o, const EpochEntry& e) { return o < e.start_offset; });
  return it == entries.begin() ? nullptr : &*std::prev(it);
}

void TruncateFromEnd(std::vector<EpochEntry>* entries, Offset end_offset) {
  while (!entries->empty() && entries->back().start_offset >= end_offset) entries->pop_back();
}

EpochEndOffset EndOffsetFor(const std::vector<EpochEntry>& entries, Epoch requested,
                            Offset log_end) {
  if (requested == kNoEpoch || entries.empty()) return {};
  if (requested == entries.back().epoch) return {requested, log_end};
  // First entry with an epoch greater than the requested one: its start is
  // where the requested epoch (or the largest one below it) ended.
  size_t higher = 0;
  while (higher < entries.size() && entries[higher].epoch <= requested) ++higher;
  if (higher == entries.size()) return {};  // requested is newer than anything known
  Epoch floor = higher == 0 ? requested : entries[higher - 1].epoch;
  return {floor, entries[higher].start_offset};
}

}  // namespace kq::log::leader_epoch
