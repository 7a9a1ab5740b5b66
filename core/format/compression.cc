#include "format/compression.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>

#include <fmt/format.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include "base/byte_reader.h"

namespace kq::format {

namespace {

// --- shared by the decoders -------------------------------------------------

Status Malformed(Compression codec, size_t at, std::string_view why) {
  return Status::Corruption(fmt::format("{} records section is malformed near byte {}: {}",
                                        CompressionName(codec), at, why));
}

Status TooLarge(Compression codec, size_t max_output) {
  return Status::Corruption(
      fmt::format("{} records section decompresses to more than the limit of {} bytes",
                  CompressionName(codec), max_output));
}

// The output of one decompression: grows by doubling up to max_output + 1
// bytes (producing that extra byte is how a stream proves it is larger than
// allowed), so a small hostile input never makes it allocate more.
class BoundedOutput {
 public:
  BoundedOutput(std::string* dst, size_t input_size, size_t max_output)
      : dst_(dst), max_(max_output), cap_(max_output == SIZE_MAX ? max_output : max_output + 1) {
    // Records compress a few times over: this usually avoids regrowth without
    // letting a tiny input reserve a lot.
    dst_->resize(std::min(std::max<size_t>(input_size * 4, 16 * 1024), cap_));
  }
  // Makes room for more output; false once the limit is reached.
  bool Grow() {
    if (pos_ < dst_->size()) return true;
    if (dst_->size() >= cap_) return false;
    dst_->resize(std::min(cap_, std::max(dst_->size() * 2, dst_->size() + 1)));
    return true;
  }
  char* next() { return dst_->data() + pos_; }
  size_t room() const { return dst_->size() - pos_; }
  void Advance(size_t n) { pos_ += n; }
  Status Finish(Compression codec) {
    if (pos_ > max_) return Fail(TooLarge(codec, max_));
    dst_->resize(pos_);
    return Status::Ok();
  }
  // Leaves no partial output behind.
  Status Fail(Status s) {
    dst_->clear();
    return s;
  }

 private:
  std::string* dst_;
  size_t max_;
  size_t cap_;
  size_t pos_ = 0;
};

// What one call of a streaming decoder did.
struct Step {
  size_t consumed = 0;
  size_t produced = 0;
  bool frame_done = false;  // a frame (gzip member) ended with this call
  std::string error;        // the library's words, when it refused the input
};

// Runs `step(input rest, output, room)` until the input is used up exactly at
// the end of a frame. Frames may follow one another; anything else after the
// last one fails in the decoder as a bad frame header.
template <typename StepFn>
Status RunStream(Compression codec, std::string_view in, size_t max_output, std::string* dst,
                 StepFn step) {
  BoundedOutput out(dst, in.size(), max_output);
  size_t at = 0;
  while (true) {
    if (!out.Grow()) return out.Fail(TooLarge(codec, max_output));
    const Step s = step(in.substr(at), out.next(), out.room());
    if (!s.error.empty()) return out.Fail(Malformed(codec, at + s.consumed, s.error));
    at += s.consumed;
    out.Advance(s.produced);
    if (s.frame_done && at == in.size()) return out.Finish(codec);
    if (s.consumed == 0 && s.produced == 0) {
      // Room for output and nothing came: the decoder wants input there is
      // not, or is stuck (never loop on it).
      if (at < in.size()) return out.Fail(Malformed(codec, at, "the decoder makes no progress"));
      return out.Fail(Status::Corruption(
          fmt::format("{} records section is truncated ({} bytes, the last frame is incomplete)",
                      CompressionName(codec), in.size())));
    }
  }
}

// zlib's counters are 32-bit: larger views are fed in pieces.
uInt Clamp(size_t n) { return static_cast<uInt>(std::min<size_t>(n, UINT_MAX)); }

// --- zstd -------------------------------------------------------------------

// One context per thread: creating a zstd context allocates several hundred
// KiB, too much to do per batch on the produce and fetch paths.
ZSTD_CCtx* ThreadZstdCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> c(ZSTD_createCCtx(),
                                                                      &ZSTD_freeCCtx);
  return c.get();
}
ZSTD_DCtx* ThreadZstdDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> d(ZSTD_createDCtx(),
                                                                      &ZSTD_freeDCtx);
  return d.get();
}

Status ZstdDecompress(std::string_view in, size_t max_output, std::string* dst) {
  ZSTD_DCtx* dctx = ThreadZstdDCtx();
  if (dctx == nullptr) return Status::Internal("cannot allocate a zstd decompression context");
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
  auto step = [&](std::string_view rest, char* out, size_t room) {
    ZSTD_inBuffer input{rest.data(), rest.size(), 0};
    ZSTD_outBuffer output{out, room, 0};
    const size_t hint = ZSTD_decompressStream(dctx, &output, &input);
    if (ZSTD_isError(hint)) return Step{input.pos, 0, false, ZSTD_getErrorName(hint)};
    return Step{input.pos, output.pos, hint == 0, ""};
  };
  return RunStream(Compression::kZstd, in, max_output, dst, step);
}

Status ZstdCompress(std::string_view in, int level, std::string* dst) {
  ZSTD_CCtx* cctx = ThreadZstdCCtx();
  if (cctx == nullptr) return Status::Internal("cannot allocate a zstd compression context");
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  // Record the content size so readers can size buffers; we never trust it
  // when decoding.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  const size_t old_size = dst->size();
  dst->resize(old_size + ZSTD_compressBound(in.size()));
  const size_t n =
      ZSTD_compress2(cctx, dst->data() + old_size, dst->size() - old_size, in.data(), in.size());
  if (ZSTD_isError(n)) {
    dst->resize(old_size);
    return Status::Internal(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(n)));
  }
  dst->resize(old_size + n);
  return Status::Ok();
}

// --- gzip (zlib) --------------------------------------------------------------

// A zlib stream set up once per thread (inflate keeps a 32 KiB window,
// deflate about 256 KiB) and reset per batch.
class ZStream {
 public:
  explicit ZStream(bool deflate) : deflate_(deflate) {
    // windowBits 15 + 16: gzip wrapper on output; 15 + 32: gzip or zlib
    // header detected on input.
    ok_ = (deflate ? deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                                  Z_DEFAULT_STRATEGY)
                   : inflateInit2(&z_, 15 + 32)) == Z_OK;
  }
  ~ZStream() {
    if (ok_) deflate_ ? deflateEnd(&z_) : inflateEnd(&z_);
  }
  z_stream* Reset() {
    if (!ok_) return nullptr;
    deflate_ ? deflateReset(&z_) : inflateReset(&z_);
    return &z_;
  }

 private:
  z_stream z_{};
  bool deflate_;
  bool ok_ = false;
};

Status GzipDecompress(std::string_view in, size_t max_output, std::string* dst) {
  thread_local ZStream stream(/*deflate=*/false);
  z_stream* z = stream.Reset();
  if (z == nullptr) return Status::Internal("cannot allocate a zlib decompression stream");
  auto step = [&](std::string_view rest, char* out, size_t room) {
    z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest.data()));
    z->avail_in = Clamp(rest.size());
    z->next_out = reinterpret_cast<Bytef*>(out);
    z->avail_out = Clamp(room);
    const uInt in_before = z->avail_in, out_before = z->avail_out;
    const int rc = inflate(z, Z_NO_FLUSH);
    Step s{in_before - z->avail_in, out_before - z->avail_out, rc == Z_STREAM_END, ""};
    if (rc == Z_STREAM_END) {
      inflateReset(z);  // another gzip member may follow, as Java's reader allows
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {  // Z_BUF_ERROR: no progress possible now
      s.error = z->msg != nullptr ? z->msg : fmt::format("zlib error {}", rc);
    }
    return s;
  };
  return RunStream(Compression::kGzip, in, max_output, dst, step);
}

Status GzipCompress(std::string_view in, std::string* dst) {
  if (in.size() > UINT_MAX / 2) {
    return Status::InvalidArgument(
        fmt::format("{} bytes are too many to gzip in one batch", in.size()));
  }
  thread_local ZStream stream(/*deflate=*/true);
  z_stream* z = stream.Reset();
  if (z == nullptr) return Status::Internal("cannot allocate a zlib compression stream");
  // deflateBound covers the whole output, gzip wrapper included, so one
  // Z_FINISH call completes the stream.
  const size_t old_size = dst->size();
  const uLong bound = deflateBound(z, static_cast<uLong>(in.size()));
  dst->resize(old_size + bound);
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z->avail_in = static_cast<uInt>(in.size());
  z->next_out = reinterpret_cast<Bytef*>(dst->data() + old_size);
  z->avail_out = static_cast<uInt>(bound);
  const int rc = deflate(z, Z_FINISH);
  if (rc != Z_STREAM_END) {
    dst->resize(old_size);
    return Status::Internal(fmt::format("gzip compression failed: zlib error {}", rc));
  }
  dst->resize(old_size + (bound - z->avail_out));
  return Status::Ok();
}

// --- snappy -----------------------------------------------------------------

// Java's xerial SnappyOutputStream header: this magic, then int32 version and
// int32 compatible version. A raw snappy block can never start with it: the
// varint length prefix 82 53 would be followed by a copy tag ('N') before any
// literal.
constexpr std::string_view kXerialMagic("\x82SNAPPY\0", 8);
constexpr size_t kXerialHeaderSize = 16;

// Appends one raw snappy block, if its declared length keeps *dst within
// max_output; snappy writes exactly that many bytes or fails.
Status AppendSnappyBlock(std::string_view block, size_t at, size_t max_output, std::string* dst) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n)) {
    return Malformed(Compression::kSnappy, at, "the block has no valid length prefix");
  }
  if (n > max_output - dst->size()) return TooLarge(Compression::kSnappy, max_output);
  // A declared length costs nothing to write: allocate only for a block that
  // really decodes to it (snappy expands at most about 20 times).
  if (!snappy::IsValidCompressedBuffer(block.data(), block.size())) {
    return Malformed(Compression::kSnappy, at,
                     fmt::format("the block of {} bytes is damaged or cut short", block.size()));
  }
  const size_t old_size = dst->size();
  dst->resize(old_size + n);
  if (!snappy::RawUncompress(block.data(), block.size(), dst->data() + old_size)) {
    return Malformed(Compression::kSnappy, at,
                     fmt::format("the block of {} bytes is damaged or cut short", block.size()));
  }
  return Status::Ok();
}

Status SnappyDecompressAppend(std::string_view in, size_t max_output, std::string* dst) {
  if (!in.starts_with(kXerialMagic)) return AppendSnappyBlock(in, 0, max_output, dst);
  ByteReader reader(in);
  reader.Skip(kXerialHeaderSize, "xerial header");
  while (reader.ok() && reader.remaining() > 0) {
    const size_t at = reader.position();
    const uint32_t length = reader.ReadU32("xerial chunk length");
    const std::string_view chunk = reader.ReadBytes(length, "xerial chunk");
    if (!reader.ok()) break;
    KQ_RETURN_IF_ERROR(AppendSnappyBlock(chunk, at + 4, max_output, dst));
  }
  if (!reader.ok())
    return Status::Corruption("snappy records section is truncated: " + reader.error());
  return Status::Ok();
}

Status SnappyDecompress(std::string_view in, size_t max_output, std::string* dst) {
  dst->clear();
  Status s = SnappyDecompressAppend(in, max_output, dst);
  if (!s.ok()) dst->clear();
  return s;
}

Status SnappyCompress(std::string_view in, std::string* dst) {
  const size_t old_size = dst->size();
  dst->resize(old_size + snappy::MaxCompressedLength(in.size()));
  size_t n = 0;
  snappy::RawCompress(in.data(), in.size(), dst->data() + old_size, &n);
  dst->resize(old_size + n);
  return Status::Ok();
}

// --- lz4 --------------------------------------------------------------------

LZ4F_dctx* ThreadLz4DCtx() {
  struct Free {
    void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
  };
  thread_local std::unique_ptr<LZ4F_dctx, Free> d([] {
    LZ4F_dctx* p = nullptr;
    return LZ4F_isError(LZ4F_createDecompressionContext(&p, LZ4F_VERSION)) ? nullptr : p;
  }());
  return d.get();
}

Status Lz4Decompress(std::string_view in, size_t max_output, std::string* dst) {
  LZ4F_dctx* dctx = ThreadLz4DCtx();
  if (dctx == nullptr) return Status::Internal("cannot allocate an lz4 decompression context");
  LZ4F_resetDecompressionContext(dctx);
  auto step = [&](std::string_view rest, char* out, size_t room) {
    size_t src_size = rest.size(), dst_size = room;
    const size_t hint = LZ4F_decompress(dctx, out, &dst_size, rest.data(), &src_size, nullptr);
    if (LZ4F_isError(hint)) return Step{0, 0, false, LZ4F_getErrorName(hint)};
    return Step{src_size, dst_size, hint == 0, ""};
  };
  return RunStream(Compression::kLz4, in, max_output, dst, step);
}

Status Lz4Compress(std::string_view in, std::string* dst) {
  // Kafka's own writer: 64 KiB independent blocks, no checksums, no size.
  LZ4F_preferences_t prefs = LZ4F_INIT_PREFERENCES;
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  const size_t old_size = dst->size();
  dst->resize(old_size + LZ4F_compressFrameBound(in.size(), &prefs));
  const size_t n = LZ4F_compressFrame(dst->data() + old_size, dst->size() - old_size, in.data(),
                                      in.size(), &prefs);
  if (LZ4F_isError(n)) {
    dst->resize(old_size);
    return Status::Internal(fmt::format("lz4 compression failed: {}", LZ4F_getErrorName(n)));
  }
  dst->resize(old_size + n);
  return Status::Ok();
}

}  // namespace

std::string CompressionName(Compression codec) {
  switch (codec) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
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
  return Status::InvalidArgument(
      fmt::format("unknown compression '{}' (expected none, gzip, snappy, lz4 or zstd)", name));
}

Status CheckCompressionSupported(Compression codec) {
  switch (codec) {
    case Compression::kNone:
    case Compression::kGzip:
    case Compression::kSnappy:
    case Compression::kLz4:
    case Compression::kZstd:
      return Status::Ok();
  }
  return Status::Corruption(fmt::format("batch has unknown compression codec {} in its attributes",
                                        static_cast<int>(codec)));
}

Status CompressRecords(Compression codec, std::string_view records, std::string* dst, int level) {
  KQ_RETURN_IF_ERROR(CheckCompressionSupported(codec));
  switch (codec) {
    case Compression::kNone:
      dst->append(records);
      return Status::Ok();
    case Compression::kGzip:
      return GzipCompress(records, dst);
    case Compression::kSnappy:
      return SnappyCompress(records, dst);
    case Compression::kLz4:
      return Lz4Compress(records, dst);
    case Compression::kZstd:
      return ZstdCompress(records, level, dst);
  }
  return Status::Internal("unreachable codec");
}

Status DecompressRecords(Compression codec, std::string_view compressed, size_t max_output,
                         std::string* dst) {
  KQ_RETURN_IF_ERROR(CheckCompressionSupported(codec));
  switch (codec) {
    case Compression::kNone:
      if (compressed.size() > max_output) {
        return Status::Corruption(fmt::format("records section of {} bytes exceeds the limit of {}",
                                              compressed.size(), max_output));
      }
      dst->assign(compressed);
      return Status::Ok();
    case Compression::kGzip:
      return GzipDecompress(compressed, max_output, dst);
    case Compression::kSnappy:
      return SnappyDecompress(compressed, max_output, dst);
    case Compression::kLz4:
      return Lz4Decompress(compressed, max_output, dst);
    case Compression::kZstd:
      return ZstdDecompress(compressed, max_output, dst);
  }
  return Status::Internal("unreachable codec");
}

}  // namespace kq::format
