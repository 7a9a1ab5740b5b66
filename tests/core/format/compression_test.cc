// Records-section compression: zstd round trips, limits, refused codecs.
#include <doctest/doctest.h>

#include <zstd.h>

#include "format/compression.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "support/batch_builders.h"

namespace kq::format {
namespace {

std::string Compress(std::string_view plain) {
  std::string out;
  REQUIRE(CompressRecords(Compression::kZstd, plain, &out).ok());
  return out;
}

TEST_CASE("compression: zstd round-trips, appending after existing bytes") {
  std::string plain;
  for (int i = 0; i < 5000; ++i) plain += "record-" + std::to_string(i) + ";";
  std::string out = "prefix";
  REQUIRE(CompressRecords(Compression::kZstd, plain, &out).ok());
  CHECK(out.substr(0, 6) == "prefix");
  CHECK(out.size() < plain.size() / 2);
  std::string back = "stale bytes are replaced";
  REQUIRE(DecompressRecords(Compression::kZstd, std::string_view(out).substr(6), plain.size(), &back).ok());
  CHECK(back == plain);
}

TEST_CASE("compression: an empty input compresses to a frame that decompresses to nothing") {
  const std::string frame = Compress("");
  CHECK(!frame.empty());
  std::string back = "x";
  REQUIRE(DecompressRecords(Compression::kZstd, frame, 10, &back).ok());
  CHECK(back.empty());
}

TEST_CASE("compression: a decompression bomb stops at the limit") {
  const std::string zeros(64 << 20, '\0');
  const std::string bomb = Compress(zeros);
  CHECK(bomb.size() < 64 * 1024);
  std::string out;
  const Status s = DecompressRecords(Compression::kZstd, bomb, 1 << 20, &out);
  CHECK(s.IsCorruption());
  CHECK(s.message().find("limit of 1048576 bytes") != std::string::npos);
  CHECK(out.capacity() <= (size_t{1} << 21));
  // Exactly at the limit is fine.
  REQUIRE(DecompressRecords(Compression::kZstd, Compress(std::string(1000, 'a')), 1000, &out).ok());
  CHECK(out.size() == 1000);
  CHECK(DecompressRecords(Compression::kZstd, Compress(std::string(1001, 'a')), 1000, &out)
            .IsCorruption());
}

TEST_CASE("compression: a frame without a content size decodes and is still bounded") {
  const std::string plain(300000, 'q');
  std::string frame(ZSTD_compressBound(plain.size()), '\0');
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  ZSTD_inBuffer in{plain.data(), plain.size(), 0};
  ZSTD_outBuffer outb{frame.data(), frame.size(), 0};
  REQUIRE(ZSTD_compressStream2(cctx, &outb, &in, ZSTD_e_end) == 0);
  ZSTD_freeCCtx(cctx);
  frame.resize(outb.pos);
  REQUIRE(ZSTD_getFrameContentSize(frame.data(), frame.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
  std::string out;
  REQUIRE(DecompressRecords(Compression::kZstd, frame, plain.size(), &out).ok());
  CHECK(out == plain);
  CHECK(DecompressRecords(Compression::kZstd, frame, plain.size() - 1, &out).IsCorruption());
}

TEST_CASE("compression: truncated, garbled or trailing zstd input is Corruption") {
  const std::string frame = Compress(std::string(10000, 'z') + "tail");
  std::string out;
  for (size_t n = 0; n < frame.size(); ++n) {
    CAPTURE(n);
    CHECK(DecompressRecords(Compression::kZstd, frame.substr(0, n), 1 << 20, &out).IsCorruption());
  }
  CHECK(DecompressRecords(Compression::kZstd, frame + "junk", 1 << 20, &out).IsCorruption());
  CHECK(DecompressRecords(Compression::kZstd, "not zstd at all", 1 << 20, &out).IsCorruption());
}

TEST_CASE("compression: concatenated zstd frames decode as one stream") {
  const std::string two = Compress("first,") + Compress("second");
  std::string out;
  REQUIRE(DecompressRecords(Compression::kZstd, two, 100, &out).ok());
  CHECK(out == "first,second");
}

TEST_CASE("compression: gzip, snappy and lz4 are refused naming the codec") {
  for (Compression c : {Compression::kGzip, Compression::kSnappy, Compression::kLz4}) {
    const Status s = CheckCompressionSupported(c);
    CHECK(s.code() == Status::Code::kNotSupported);
    CHECK(s.message() == "batch uses " + CompressionName(c) +
                             " compression, which kq does not support (only none and zstd)");
    std::string out;
    CHECK(CompressRecords(c, "x", &out).code() == Status::Code::kNotSupported);
    CHECK(DecompressRecords(c, "x", 10, &out).code() == Status::Code::kNotSupported);
  }
  CHECK(CheckCompressionSupported(static_cast<Compression>(6)).IsCorruption());
  CHECK(CompressionName(static_cast<Compression>(6)) == "unknown(6)");
}

TEST_CASE("compression: a batch with an unsupported codec is NotSupported when decoded") {
  std::string batch = testing::MakeSimpleBatch(0, 3);
  batch[kAttributesPos + 1] = static_cast<char>(Compression::kLz4);
  FinishCrc(batch.data(), batch.size());
  REQUIRE(ValidateBatch(batch).ok());
  std::string scratch;
  const Status s = ForEachRecord(batch, &scratch, [](const RecordView&) { return Status::Ok(); });
  CHECK(s.code() == Status::Code::kNotSupported);
  CHECK(s.message().find("lz4") != std::string::npos);
}

TEST_CASE("compression: ForEachRecord bounds the decompressed size of a batch") {
  const std::string batch = testing::MakeSimpleBatch(0, 1000, 1, Compression::kZstd);
  std::string scratch;
  auto none = [](const RecordView&) { return Status::Ok(); };
  CHECK(ForEachRecord(batch, &scratch, none).ok());
  const Status s = ForEachRecord(batch, &scratch, none, 1000);
  CHECK(s.IsCorruption());
  CHECK(s.message().find("limit") != std::string::npos);
}

TEST_CASE("compression: codec names parse both ways") {
  for (int c = 0; c <= 4; ++c) {
    Compression parsed{};
    REQUIRE(ParseCompression(CompressionName(static_cast<Compression>(c)), &parsed).ok());
    CHECK(static_cast<int>(parsed) == c);
  }
  Compression parsed{};
  CHECK(ParseCompression("brotli", &parsed).IsInvalidArgument());
}

}  // namespace
}  // namespace kq::format
