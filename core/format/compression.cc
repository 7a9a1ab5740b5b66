#include "format/compression.h"

#include <algorithm>
#include <cstdint>
#include <memory>

#include <fmt/format.h>
#include <zstd.h>

namespace kq::format {

namespace {

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: creating a zstd context allocates several hundred
// KiB, too much to do per batch on the produce and fetch paths.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  return cctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  return dctx.get();
}

// First output allocation for a stream of `input_size` compressed bytes:
// records compress a few times over, so this usually avoids regrowth without
// letting a tiny malicious input reserve a lot.
size_t InitialOutputSize(size_t input_size, size_t cap) {
  const size_t guess = std::max<size_t>(input_size * 4, 16 * 1024);
  return std::min(guess, cap);
}

Status ZstdDecompress(std::string_view in, size_t max_output, std::string* dst) {
  ZSTD_DCtx* dctx = ThreadDCtx();
  if (dctx == nullptr) return Status::Internal("cannot allocate a zstd decompression context");
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  // The output may grow to max_output + 1: producing that extra byte is how a
  // stream proves it is larger than allowed.
  const size_t cap = max_output == SIZE_MAX ? max_output : max_output + 1;
  dst->resize(InitialOutputSize(in.size(), cap));
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  ZSTD_outBuffer output{dst->data(), dst->size(), 0};
  size_t hint = 1;  // nonzero: a frame is in progress (or none started yet)
  while (true) {
    if (output.pos == output.size) {
      if (output.size >= cap) {
        dst->clear();
        return Status::Corruption(fmt::format(
            "zstd records section decompresses to more than the limit of {} bytes", max_output));
      }
      dst->resize(std::min(cap, std::max(output.size * 2, output.size + 1)));
      output.dst = dst->data();
      output.size = dst->size();
    }
    const size_t in_before = input.pos;
    const size_t out_before = output.pos;
    hint = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(hint)) {
      const size_t at = input.pos;
      dst->clear();
      return Status::Corruption(fmt::format("zstd records section is malformed near byte {}: {}",
                                            at, ZSTD_getErrorName(hint)));
    }
    if (hint == 0 && input.pos == input.size) break;  // every frame done and flushed
    const bool progressed = input.pos != in_before || output.pos != out_before;
    if (!progressed && output.pos < output.size) {
      // All input consumed, room left for output, frame not finished.
      dst->clear();
      return Status::Corruption(fmt::format(
          "zstd records section is truncated ({} bytes, frame incomplete)", in.size()));
    }
  }
  if (output.pos > max_output) {
    dst->clear();
    return Status::Corruption(fmt::format(
        "zstd records section decompresses to more than the limit of {} bytes", max_output));
  }
  dst->resize(output.pos);
  return Status::Ok();
}

Status ZstdCompress(std::string_view in, int level, std::string* dst) {
  ZSTD_CCtx* cctx = ThreadCCtx();
  if (cctx == nullptr) return Status::Internal("cannot allocate a zstd compression context");
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  // Record the content size so readers can size buffers; we never trust it
  // when decoding.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  const size_t old_size = dst->size();
  dst->resize(old_size + ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress2(cctx, dst->data() + old_size, dst->size() - old_size, in.data(),
                                  in.size());
  if (ZSTD_isError(n)) {
    dst->resize(old_size);
    return Status::Internal(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(n)));
  }
  dst->resize(old_size + n);
  return Status::Ok();
}

}  // namespace

std::string CompressionName(Compression codec) {
  switch (codec) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kSnappy: return "snappy";
    case Compression::kLz4: return "lz4";
    case Compression::kZstd: return "zstd";
  }
  return fmt::format("unknown({})", static_cast<int>(codec));
}

Status ParseCompression(std::string_view name, Compression* codec) {
  for (int c = 0; c <= static_cast<int>(Compression::kZstd); ++c) {
    if (CompressionName(static_cast<Compression>(c)) == name) {
      *codec = static_cast<Compression>(c);
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(fmt::format(
      "unknown compression '{}' (expected none, gzip, snappy, lz4 or zstd)", name));
}

Status CheckCompressionSupported(Compression codec) {
  switch (codec) {
    case Compression::kNone:
    case Compression::kZstd:
      return Status::Ok();
    case Compression::kGzip:
    case Compression::kSnappy:
    case Compression::kLz4:
      return Status::NotSupported(
          fmt::format("batch uses {} compression, which kq does not support (only none and zstd)",
                      CompressionName(codec)));
  }
  return Status::Corruption(fmt::format("batch has unknown compression codec {} in its attributes",
                                        static_cast<int>(codec)));
}

Status CompressRecords(Compression codec, std::string_view records, std::string* dst, int level) {
  KQ_RETURN_IF_ERROR(CheckCompressionSupported(codec));
  if (codec == Compression::kNone) {
    dst->append(records);
    return Status::Ok();
  }
  return ZstdCompress(records, level, dst);
}

Status DecompressRecords(Compression codec, std::string_view compressed, size_t max_output,
                         std::string* dst) {
  KQ_RETURN_IF_ERROR(CheckCompressionSupported(codec));
  if (codec == Compression::kNone) {
    if (compressed.size() > max_output) {
      return Status::Corruption(fmt::format("records section of {} bytes exceeds the limit of {}",
                                            compressed.size(), max_output));
    }
    dst->assign(compressed);
    return Status::Ok();
  }
  return ZstdDecompress(compressed, max_output, dst);
}

}  // namespace kq::format
