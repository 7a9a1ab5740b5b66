#include "groups/offset_commit_codec.h"

#include <limits>

#include <fmt/format.h>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "log/topic_name.h"

namespace kq::groups {
namespace {

void PutString(std::string* dst, std::string_view s) {
  PutFixed16BE(dst, static_cast<uint16_t>(s.size()));
  dst->append(s);
}

// int16 length + bytes; a negative length (null) is not allowed in these
// schemas.
std::string_view ReadString(ByteReader& r, std::string_view field) {
  const int16_t len = r.ReadI16(field);
  if (!r.ok()) return {};
  if (len < 0) {
    r.Fail(field, fmt::format("negative string length {}", len));
    return {};
  }
  return r.ReadBytes(static_cast<size_t>(len), field);
}

// Unsigned varint (length + 1) + bytes; 0 would be null.
std::string_view ReadCompactString(ByteReader& r, std::string_view field) {
  const uint32_t len_plus_one = r.ReadUnsignedVarint32(field);
  if (!r.ok()) return {};
  if (len_plus_one == 0) {
    r.Fail(field, "null compact string");
    return {};
  }
  return r.ReadBytes(len_plus_one - 1, field);
}

void SkipTaggedFields(ByteReader& r) {
  const uint32_t count = r.ReadUnsignedVarint32("tagged field count");
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    r.ReadUnsignedVarint32("tag");
    const uint32_t size = r.ReadUnsignedVarint32("tagged field size");
    r.Skip(size, "tagged field");
  }
}

Status Finish(const ByteReader& r, std::string_view what) {
  if (!r.ok()) return r.status().WithPrefix(what);
  if (r.remaining() != 0) {
    return Status::Corruption(fmt::format("{}: {} unexpected bytes after the last field at byte {}",
                                          what, r.remaining(), r.position()));
  }
  return Status::Ok();
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when invalid
// (overlong forms, surrogates and values past U+10FFFF are invalid).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const uint8_t c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  uint32_t min;
  if ((c & 0xe0) == 0xc0) {
    n = 2, *cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3, *cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4, *cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    *cp = (*cp << 6) | (b(k) & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

std::string EncodeOffsetCommitKey(std::string_view group, const TopicPartition& tp) {
  std::string out;
  out.reserve(2 + 2 + group.size() + 2 + tp.topic.size() + 4);
  PutFixed16BE(&out, kOffsetCommitKeyVersion);
  PutString(&out, group);
  PutString(&out, tp.topic);
  PutFixed32BE(&out, static_cast<uint32_t>(tp.partition));
  return out;
}

std::string EncodeGroupMetadataKey(std::string_view group) {
  std::string out;
  PutFixed16BE(&out, kGroupMetadataKeyVersion);
  PutString(&out, group);
  return out;
}

std::string EncodeOffsetCommitValue(const CommittedOffset& value) {
  std::string out;
  out.reserve(2 + 8 + 4 + 2 + value.metadata.size() + 8);
  PutFixed16BE(&out, kOffsetCommitValueVersion);
  PutFixed64BE(&out, static_cast<uint64_t>(value.offset));
  PutFixed32BE(&out, static_cast<uint32_t>(value.leader_epoch));
  PutString(&out, value.metadata);
  PutFixed64BE(&out, static_cast<uint64_t>(value.commit_timestamp_ms));
  return out;
}

Result<OffsetsKey> DecodeOffsetsKey(std::string_view bytes) {
  ByteReader r(bytes);
  OffsetsKey key;
  key.version = r.ReadI16("key version");
  if (!r.ok()) return r.status().WithPrefix("__consumer_offsets key");
  if (key.version < 0) {
    return Status::Corruption(
        fmt::format("__consumer_offsets key: negative version {}", key.version));
  }
  if (key.version > kGroupMetadataKeyVersion) return key;  // kOther: a newer record type
  key.group = std::string(ReadString(r, "group"));
  if (key.version == kGroupMetadataKeyVersion) {
    key.kind = OffsetsKeyKind::kGroupMetadata;
  } else {
    key.kind = OffsetsKeyKind::kOffsetCommit;
    key.tp.topic = std::string(ReadString(r, "topic"));
    key.tp.partition = r.ReadI32("partition");
    if (r.ok() && key.tp.partition < 0) {
      return Status::Corruption(
          fmt::format("__consumer_offsets key: negative partition {}", key.tp.partition));
    }
  }
  KQ_RETURN_IF_ERROR(Finish(r, fmt::format("__consumer_offsets key v{}", key.version)));
  return key;
}

Result<CommittedOffset> DecodeOffsetCommitValue(std::string_view bytes) {
  ByteReader r(bytes);
  const int16_t version = r.ReadI16("value version");
  if (!r.ok()) return r.status().WithPrefix("offset commit value");
  if (version < 0 || version > kMaxOffsetCommitValueVersion) {
    return Status::NotSupported(
        fmt::format("offset commit value version {} (this build reads 0..{})", version,
                    kMaxOffsetCommitValueVersion));
  }
  CommittedOffset v;
  v.offset = r.ReadI64("offset");
  if (version >= 3) v.leader_epoch = r.ReadI32("leader epoch");
  v.metadata =
      std::string(version >= 4 ? ReadCompactString(r, "metadata") : ReadString(r, "metadata"));
  v.commit_timestamp_ms = r.ReadI64("commit timestamp");
  if (version == 1) r.ReadI64("expire timestamp");
  if (version >= 4) SkipTaggedFields(r);
  KQ_RETURN_IF_ERROR(Finish(r, fmt::format("offset commit value v{}", version)));
  return v;
}

int32_t JavaStringHashCode(std::string_view utf8) {
  uint32_t h = 0;  // unsigned: Java's int arithmetic wraps
  const auto add = [&h](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(utf8, i, &cp);
    if (n == 0) {
      add(0xfffd);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      add(0xd800 + ((cp - 0x10000) >> 10));
      add(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      add(cp);
    }
    i += n;
  }
  return static_cast<int32_t>(h);
}

int32_t PartitionForGroup(std::string_view group, int32_t partitions) {
  const int32_t hash = JavaStringHashCode(group);
  const int32_t abs = hash == std::numeric_limits<int32_t>::min() ? 0 : (hash < 0 ? -hash : hash);
  return abs % partitions;
}

Status ValidateGroupName(std::string_view group) {
  if (group.empty()) return Status::InvalidArgument("group name is empty");
  const std::string shown = log::EscapeForMessage(group);
  if (group.size() > kMaxGroupNameLength) {
    return Status::InvalidArgument(
        fmt::format("group name '{}' is {} bytes long; the maximum is {}", shown, group.size(),
                    kMaxGroupNameLength));
  }
  if (group == "." || group == "..") {
    return Status::InvalidArgument(fmt::format("group name '{}' is not allowed", shown));
  }
  for (size_t i = 0; i < group.size();) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(group, i, &cp);
    if (n == 0) {
      return Status::InvalidArgument(
          fmt::format("group name '{}' is not valid UTF-8 at byte {}", shown, i));
    }
    if (cp == '/') {
      return Status::InvalidArgument(fmt::format("group name '{}' contains '/'", shown));
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
      return Status::InvalidArgument(fmt::format(
          "group name '{}' contains a control character at byte {}; only printable characters "
          "are allowed",
          shown, i));
    }
    i += n;
  }
  return Status::Ok();
}

}  // namespace kq::groups
