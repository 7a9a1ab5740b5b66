#include "maint/dumper.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "log/batch_scanner.h"
#include "log/segment_name.h"

namespace kq::maint {

namespace {

Status DumpSegmentFile(const DumpOptions& options, const DumpSegment& seg, DumpVisitor* visitor) {
  KQ_ASSIGN_OR_RETURN(auto file, options.env->OpenRandomAccess(seg.path));
  log::BatchScanner scanner(*file, 0, seg.size,
                            {.load_bytes = true, .max_batch_bytes = options.max_batch_bytes});
  log::BatchScanner::Batch b;
  std::string scratch;
  while (scanner.Next(&b)) {
    DumpBatch batch{&seg, b.position, b.header, true, format::ComputeBatchCrc(b.bytes), ""};
    if (Status s = format::ValidateBatch(b.bytes); !s.ok()) {
      batch.crc_valid = false;
      batch.problem = s.message();
    }
    KQ_RETURN_IF_ERROR(visitor->OnBatch(batch));
    if (!options.records || !batch.crc_valid) continue;
    Status s = format::ForEachRecord(b.bytes, &scratch, [&](const format::RecordView& r) {
      return visitor->OnRecord(batch, r);
    });
    if (s.IsCorruption() || s.code() == Status::Code::kNotSupported) {
      KQ_RETURN_IF_ERROR(visitor->OnProblem(seg.path, b.position, s.message()));
    } else if (!s.ok()) {
      return s;
    }
  }
  switch (scanner.stop()) {
    case log::BatchScanner::Stop::kIoError:
      return scanner.problem();
    case log::BatchScanner::Stop::kCorrupt:
      return visitor->OnProblem(seg.path, scanner.position(), scanner.problem().message());
    case log::BatchScanner::Stop::kTorn:
      return visitor->OnProblem(
          seg.path, scanner.position(),
          fmt::format("incomplete batch at the end ({} bytes)", seg.size - scanner.position()));
    default:
      return Status::Ok();
  }
}

}  // namespace

Status DumpPartition(const std::string& dir, const DumpOptions& options, DumpVisitor* visitor) {
  if (options.env == nullptr) return Status::InvalidArgument("DumpOptions.env is not set");
  if (!options.env->IsDirectory(dir)) {
    return Status::NotFound(fmt::format("directory {} does not exist", dir));
  }
  KQ_ASSIGN_OR_RETURN(std::vector<Offset> bases, log::ListSegmentBases(options.env, dir));
  for (size_t i = 0; i < bases.size(); ++i) {
    DumpSegment seg;
    seg.path = io::JoinPath(dir, log::MakeSegmentFileName(bases[i], log::SegmentFileKind::kLog));
    seg.base_offset = bases[i];
    seg.active = i + 1 == bases.size();
    auto size = options.env->FileSize(seg.path);
    if (!size.ok()) {
      if (size.status().IsNotFound()) continue;  // removed meanwhile
      return size.status();
    }
    seg.size = *size;
    KQ_RETURN_IF_ERROR(visitor->OnSegment(seg));
    KQ_RETURN_IF_ERROR(DumpSegmentFile(options, seg, visitor));
  }
  return Status::Ok();
}

}  // namespace kq::maint
