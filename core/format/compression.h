// Compression of a RecordBatch's records section (everything after
// recordsCount; the 61-byte header is never compressed). The codec lives in
// attributes bits 0-2 (see record_batch.h, Compression). Byte formats:
// core/FORMAT.md, "Compression".
//
// kq reads and writes all four of Kafka's codecs, in the forms Kafka's
// clients send:
//   gzip    a gzip stream (RFC 1952) of one or more members (a zlib-wrapped
//           stream is accepted too, as librdkafka's reader does); written as
//           one member at zlib's default level (librdkafka's and Java's).
//   snappy  raw snappy (one block with its varint length prefix), as
//           librdkafka writes and Java reads; Java's xerial framing
//           ("\x82SNAPPY\0", two int32 versions, then int32 big-endian
//           length + raw snappy chunks) is accepted when read. Written raw.
//   lz4     the LZ4 frame format (KafkaLZ4BlockOutputStream, RecordBatch v2:
//           a standard header checksum); written as Kafka does: 64 KiB
//           independent blocks, no checksums, no content size.
//   zstd    a standard zstd frame (RFC 8878); written with its content size.
// Concatenated gzip members, lz4 frames and zstd frames are accepted when
// read, as one stream; bytes after the last one are Corruption.
//
// Decompression never trusts sizes written in the input: output grows in
// steps up to a caller-given limit, and a stream that would produce more is
// Corruption (a decompression bomb costs at most `max_output` bytes, plus
// each library's bounded working memory). snappy's declared length is checked
// against the limit before anything is allocated. Messages name the codec;
// callers add the batch (file, position, offset).
//
// No I/O. Thread safety: all functions may be called concurrently; each thread
// reuses its own zlib, lz4 and zstd contexts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "format/record_batch.h"

namespace kq::format {

// zstd level used when none is given (Kafka's default for compression.type=zstd).
constexpr int kDefaultZstdLevel = 3;

// "none", "gzip", "snappy", "lz4", "zstd", or "unknown(N)" for bits 5-7.
std::string CompressionName(Compression codec);

// Parses a codec name as above (Kafka's compression.type values, lowercase).
// Unknown names are InvalidArgument.
Status ParseCompression(std::string_view name, Compression* codec);

// OK for the five codecs Kafka defines (0-4); Corruption for the codec
// numbers it does not (5-7).
Status CheckCompressionSupported(Compression codec);

// Appends the compressed form of `records` to *dst (for kNone, the bytes
// themselves). `level` applies to zstd only; the other codecs use Kafka's
// defaults.
Status CompressRecords(Compression codec, std::string_view records, std::string* dst,
                       int level = kDefaultZstdLevel);

// Replaces *dst with the decompressed form of `compressed`. More than
// `max_output` bytes of output, a truncated or malformed stream, or trailing
// garbage are Corruption naming the codec; codecs 5-7 as in
// CheckCompressionSupported.
// For kNone, copies the bytes (subject to the same limit).
Status DecompressRecords(Compression codec, std::string_view compressed, size_t max_output,
                         std::string* dst);

}  // namespace kq::format
