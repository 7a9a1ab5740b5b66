// Compression of a RecordBatch's records section (everything after
// recordsCount; the 61-byte header is never compressed). The codec lives in
// attributes bits 0-2 (see record_batch.h, Compression).
//
// kq reads and writes two codecs: none and zstd (one standard zstd frame;
// concatenated frames are accepted on input, as Kafka's Java reader does).
// gzip, snappy and lz4 are recognized and refused with NotSupported naming the
// codec, so a user knows why a batch from another producer was rejected.
//
// Decompression never trusts sizes written in the input: output grows in
// steps up to a caller-given limit, and a stream that would produce more is
// Corruption (a decompression bomb costs at most `max_output` bytes).
//
// No I/O. Thread safety: all functions may be called concurrently; each thread
// reuses its own zstd context.
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
// Unknown names are InvalidArgument; a known but unsupported codec parses
// (use CheckCompressionSupported to refuse it).
Status ParseCompression(std::string_view name, Compression* codec);

// OK for none and zstd; NotSupported for gzip/snappy/lz4 ("batch uses lz4
// compression, which kq does not support (only none and zstd)"); Corruption
// for codec numbers Kafka does not define (5-7).
Status CheckCompressionSupported(Compression codec);

// Appends the compressed form of `records` to *dst (for kNone, the bytes
// themselves). `level` applies to zstd only.
Status CompressRecords(Compression codec, std::string_view records, std::string* dst,
                       int level = kDefaultZstdLevel);

// Replaces *dst with the decompressed form of `compressed`. More than
// `max_output` bytes of output, a truncated or malformed stream, or trailing
// garbage are Corruption; unsupported codecs as in CheckCompressionSupported.
// For kNone, copies the bytes (subject to the same limit).
Status DecompressRecords(Compression codec, std::string_view compressed, size_t max_output,
                         std::string* dst);

}  // namespace kq::format
