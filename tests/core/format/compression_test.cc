// Records-section compression: round trips for every codec, limits and
// decompression bombs, truncated, corrupted and trailing input, Java's xerial
// snappy framing, and the codec bits of whole batches.
#include "format/compression.h"

#include <doctest/doctest.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <set>

#include "base/encoding.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "support/batch_builders.h"

namespace kq::format {
namespace {

constexpr Compression kCodecs[] = {Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                                   Compression::kZstd};

std::string Compress(Compression codec, std::string_view plain) {
  std::string out;
  const Status s = CompressRecords(codec, plain, &out);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return out;
}

// Text that compresses the way records do, plus random bytes that do not.
std::string SampleRecords(size_t size, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    out += "record-" + std::to_string(out.size()) + ";value=" + std::to_string(rng() % 1000) + ";";
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(rng()));
  }
  out.resize(size);
  return out;
}

// Java's xerial SnappyOutputStream framing of `plain` in chunks of `chunk`.
std::string Xerial(std::string_view plain, size_t chunk) {
  std::string out("\x82SNAPPY\0", 8);
  PutFixed32BE(&out, 1);  // version
  PutFixed32BE(&out, 1);  // compatible version
  for (size_t at = 0; at < plain.size(); at += chunk) {
    std::string block;
    snappy::Compress(plain.data() + at, std::min(chunk, plain.size() - at), &block);
    PutFixed32BE(&out, static_cast<uint32_t>(block.size()));
    out += block;
  }
  return out;
}

TEST_CASE("compression: every codec round-trips, appending after existing bytes") {
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    // Sizes around the first output allocation (16 KiB), lz4's 64 KiB blocks
    // and several doublings of the output.
    for (const size_t size :
         {size_t{0}, size_t{1}, size_t{100}, size_t{16384}, size_t{70000}, size_t{1} << 20}) {
      CAPTURE(size);
      const std::string plain = SampleRecords(size);
      std::string out = "prefix";
      REQUIRE(CompressRecords(codec, plain, &out).ok());
      CHECK(out.substr(0, 6) == "prefix");
      std::string back = "stale bytes are replaced";
      const Status s =
          DecompressRecords(codec, std::string_view(out).substr(6), plain.size(), &back);
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      CHECK(back == plain);
    }
    const std::string text(100000, 'a');
    CHECK(Compress(codec, text).size() < text.size() / 10);
  }
}

TEST_CASE("compression: codecs write the frames Kafka's clients write") {
  const std::string plain = SampleRecords(200000);
  // gzip: magic, deflate, no flags, no time, Unix (zlib writes what
  // librdkafka's zlib writes).
  CHECK(Compress(Compression::kGzip, plain).substr(0, 10) ==
        std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
  // lz4: frame magic, FLG 0x60 (version 1, independent blocks, no checksums,
  // no content size), BD 0x40 (64 KiB blocks), header checksum: the header
  // librdkafka writes and KafkaLZ4BlockOutputStream writes.
  CHECK(Compress(Compression::kLz4, plain).substr(0, 7) ==
        std::string("\x04\x22\x4d\x18\x60\x40\x82", 7));
  // snappy: raw, starting with the varint length (200000 = c0 9a 0c).
  CHECK(Compress(Compression::kSnappy, plain).substr(0, 3) == "\xc0\x9a\x0c");
  // zstd: a frame that records its content size.
  const std::string z = Compress(Compression::kZstd, plain);
  CHECK(ZSTD_getFrameContentSize(z.data(), z.size()) == plain.size());
}

TEST_CASE("compression: a decompression bomb stops at the limit for every codec") {
  const std::string zeros(32 << 20, '\0');
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string bomb = Compress(codec, zeros);
    CHECK(bomb.size() < 2 << 20);
    std::string out = "x";
    const Status s = DecompressRecords(codec, bomb, 1 << 20, &out);
    CHECK(s.IsCorruption());
    CHECK(s.message() ==
          CompressionName(codec) +
              " records section decompresses to more than the limit of 1048576 bytes");
    CHECK(out.empty());
    CHECK(out.capacity() <= (size_t{1} << 21));
    // Exactly at the limit is fine; one byte more is not.
    REQUIRE(DecompressRecords(codec, Compress(codec, std::string(1000, 'a')), 1000, &out).ok());
    CHECK(out == std::string(1000, 'a'));
    CHECK(DecompressRecords(codec, Compress(codec, std::string(1001, 'a')), 1000, &out)
              .IsCorruption());
  }
}

TEST_CASE("compression: a snappy length prefix is checked before anything is allocated") {
  // A 6-byte raw snappy block that claims 200 MiB (varint 80 80 80 64) and
  // holds one literal.
  const std::string liar("\x80\x80\x80\x64\x00x", 6);
  std::string out;
  Status s = DecompressRecords(Compression::kSnappy, liar, 100 << 20, &out);
  CHECK(s.message() ==
        "snappy records section decompresses to more than the limit of 104857600 bytes");
  CHECK(out.capacity() < 1024);
  // Under the limit, the claim is still not believed before the block decodes.
  s = DecompressRecords(Compression::kSnappy, liar, 256 << 20, &out);
  CHECK(s.IsCorruption());
  CHECK(s.message().rfind("snappy records section is malformed near byte 0: ", 0) == 0);
  CHECK(out.capacity() < 1024);
}

TEST_CASE("compression: truncated input is Corruption naming the codec") {
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string frame = Compress(codec, SampleRecords(3000) + std::string(10000, 'z'));
    std::string out;
    for (size_t n = 0; n < frame.size(); ++n) {
      CAPTURE(n);
      const Status s = DecompressRecords(codec, frame.substr(0, n), 1 << 20, &out);
      REQUIRE(s.IsCorruption());
      CHECK(s.message().rfind(CompressionName(codec) + " records section is ", 0) == 0);
      CHECK(out.empty());
    }
  }
}

TEST_CASE("compression: bytes after the stream, and streams of another codec, are Corruption") {
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string frame = Compress(codec, SampleRecords(5000));
    std::string out;
    CHECK(DecompressRecords(codec, frame + "junk", 1 << 20, &out).IsCorruption());
    CHECK(DecompressRecords(codec, frame + '\0', 1 << 20, &out).IsCorruption());
    CHECK(DecompressRecords(codec, "not compressed at all", 1 << 20, &out).IsCorruption());
    for (const Compression other : kCodecs) {
      if (other == codec) continue;
      CAPTURE(CompressionName(other));
      const Status s =
          DecompressRecords(codec, Compress(other, SampleRecords(5000)), 1 << 20, &out);
      CHECK(s.IsCorruption());
      CHECK(out.empty());
    }
  }
}

TEST_CASE("compression: a flipped bit is an error or bounded output, never a crash") {
  // lz4 and snappy as Kafka writes them, and zstd as kq writes it, carry no
  // checksum of their own (the batch CRC covers the compressed bytes), so a
  // flip in a literal decodes to other bytes; gzip's trailer does not let it.
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string plain = SampleRecords(600);
    const std::string frame = Compress(codec, plain);
    std::string out;
    int detected = 0;
    for (size_t bit = 0; bit < frame.size() * 8; ++bit) {
      std::string damaged = frame;
      damaged[bit / 8] = static_cast<char>(damaged[bit / 8] ^ (1 << (bit % 8)));
      const Status s = DecompressRecords(codec, damaged, 4096, &out);
      if (s.ok()) {
        CHECK(out.size() <= 4096);
        // gzip's CRC-32 and length: what it accepts is the original (a flip
        // in the header's time or OS field or in the final byte's padding
        // changes nothing).
        if (codec == Compression::kGzip && out != plain)
          FAIL_CHECK("gzip changed data, bit " << bit);
      } else {
        CHECK(s.IsCorruption());
        ++detected;
      }
    }
    CHECK(detected > 0);
  }
}

TEST_CASE("compression: concatenated gzip members, lz4 frames and zstd frames are one stream") {
  for (const Compression codec : {Compression::kGzip, Compression::kLz4, Compression::kZstd}) {
    CAPTURE(CompressionName(codec));
    const std::string two = Compress(codec, "first,") + Compress(codec, "second");
    std::string out;
    REQUIRE(DecompressRecords(codec, two, 100, &out).ok());
    CHECK(out == "first,second");
    // The limit covers the stream, not each frame.
    CHECK(DecompressRecords(codec, two, 11, &out).IsCorruption());
  }
}

TEST_CASE("compression: a zlib-wrapped deflate stream is read as gzip, as librdkafka reads it") {
  const std::string plain = SampleRecords(20000);
  std::string wrapped(compressBound(plain.size()), '\0');
  uLongf size = wrapped.size();
  REQUIRE(compress(reinterpret_cast<Bytef*>(wrapped.data()), &size,
                   reinterpret_cast<const Bytef*>(plain.data()), plain.size()) == Z_OK);
  wrapped.resize(size);
  CHECK(wrapped[0] == '\x78');  // a zlib header, not gzip's 1f 8b
  std::string out;
  REQUIRE(DecompressRecords(Compression::kGzip, wrapped, plain.size(), &out).ok());
  CHECK(out == plain);
  // Its Adler-32 trailer is checked like gzip's CRC-32.
  wrapped.back() = static_cast<char>(wrapped.back() ^ 1);
  CHECK(DecompressRecords(Compression::kGzip, wrapped, plain.size(), &out).IsCorruption());
}

TEST_CASE("compression: Java's xerial snappy framing is read, chunk by chunk, within the limit") {
  const std::string plain = SampleRecords(100000);
  const std::string framed = Xerial(plain, 32 * 1024);
  std::string out;
  REQUIRE(DecompressRecords(Compression::kSnappy, framed, plain.size(), &out).ok());
  CHECK(out == plain);
  // The limit covers all chunks together.
  Status s = DecompressRecords(Compression::kSnappy, framed, plain.size() - 1, &out);
  CHECK(s.message().find("more than the limit") != std::string::npos);
  CHECK(out.empty());
  // A header alone is an empty stream.
  REQUIRE(DecompressRecords(Compression::kSnappy, Xerial("", 10), 10, &out).ok());
  CHECK(out.empty());
  // Cut anywhere inside the header, a chunk length or a chunk: Corruption.
  // Cut between chunks it is a shorter stream, which only the batch's record
  // count can tell (ForEachRecord does).
  std::set<size_t> boundaries;
  for (size_t at = 16; at < framed.size(); at += 4 + DecodeFixed32BE(framed.data() + at)) {
    boundaries.insert(at);
  }
  CHECK(boundaries.size() == 4);
  for (size_t n = 8; n < framed.size(); n += (n < 64 ? 1 : 97)) {
    CAPTURE(n);
    s = DecompressRecords(Compression::kSnappy, framed.substr(0, n), plain.size(), &out);
    if (boundaries.contains(n)) {
      CHECK(s.ok());
      continue;
    }
    CHECK(s.IsCorruption());
    CHECK(s.message().rfind("snappy records section is ", 0) == 0);
  }
  s = DecompressRecords(Compression::kSnappy, framed.substr(0, 18), plain.size(), &out);
  CHECK(
      s.message() ==
      "snappy records section is truncated: xerial chunk length at byte 16: needs 4 bytes, 2 left");
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

TEST_CASE("compression: the five Kafka codecs are supported, 5-7 are Corruption") {
  for (int c = 0; c <= 4; ++c) CHECK(CheckCompressionSupported(static_cast<Compression>(c)).ok());
  for (int c = 5; c <= 7; ++c) {
    const auto codec = static_cast<Compression>(c);
    CHECK(CheckCompressionSupported(codec).IsCorruption());
    std::string out;
    CHECK(CompressRecords(codec, "x", &out).IsCorruption());
    CHECK(DecompressRecords(codec, "x", 10, &out).IsCorruption());
  }
  CHECK(CompressionName(static_cast<Compression>(6)) == "unknown(6)");
}

TEST_CASE("compression: batches of every codec decode, and a damaged section names its codec") {
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string batch = testing::MakeSimpleBatch(7, 300, 1, codec);
    REQUIRE(ValidateBatch(batch).ok());
    CHECK(testing::DecodeBatch(batch) == testing::DecodeBatch(testing::MakeSimpleBatch(7, 300, 1)));
    // A section that is not of the codec the attributes name, CRC fixed.
    const std::string plain = testing::MakeSimpleBatch(7, 3, 1);
    std::string lying = plain;
    lying[kAttributesPos + 1] = static_cast<char>(codec);
    FinishCrc(lying.data(), lying.size());
    REQUIRE(ValidateBatch(lying).ok());
    std::string scratch;
    const Status s = ForEachRecord(lying, &scratch, [](const RecordView&) { return Status::Ok(); });
    CHECK(s.IsCorruption());
    CHECK(s.message().rfind(CompressionName(codec) + " records section is ", 0) == 0);
  }
}

TEST_CASE("compression: ForEachRecord bounds the decompressed size of a batch") {
  for (const Compression codec : kCodecs) {
    CAPTURE(CompressionName(codec));
    const std::string batch = testing::MakeSimpleBatch(0, 1000, 1, codec);
    std::string scratch;
    auto none = [](const RecordView&) { return Status::Ok(); };
    CHECK(ForEachRecord(batch, &scratch, none).ok());
    const Status s = ForEachRecord(batch, &scratch, none, 1000);
    CHECK(s.IsCorruption());
    CHECK(s.message().find("limit") != std::string::npos);
  }
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
