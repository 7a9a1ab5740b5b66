#include "groups/consumer_protocol.h"

#include <fmt/format.h>

#include "base/byte_reader.h"
#include "base/encoding.h"

namespace kq::groups {
namespace {

// The fewest bytes one array element can take: a check of a count against
// the bytes left, so a forged count fails at once instead of looping.
constexpr size_t kMinTopicBytes = 2 + 4;  // empty name, no partitions
constexpr size_t kPartitionBytes = 4;

// Reads a count that must be >= 0 and fit in what is left.
int32_t ReadCount(ByteReader& r, std::string_view field, size_t min_element_bytes) {
  int32_t n = r.ReadI32(field);
  if (!r.ok()) return 0;
  if (n < 0) {
    r.Fail(field, fmt::format("{} is negative", n));
  } else if (static_cast<size_t>(n) > r.remaining() / min_element_bytes) {
    r.Fail(field, fmt::format("{} does not fit in the {} bytes left", n, r.remaining()));
  }
  return r.ok() ? n : 0;
}

}  // namespace

std::vector<TopicPartition> ConsumerAssignment::Partitions() const {
  std::vector<TopicPartition> out;
  for (const AssignedTopic& t : topics) {
    for (int32_t p : t.partitions) out.push_back({t.topic, p});
  }
  return out;
}

void EncodeAssignment(const ConsumerAssignment& assignment, std::string* dst) {
  PutFixed16BE(dst, static_cast<uint16_t>(assignment.version));
  PutFixed32BE(dst, static_cast<uint32_t>(assignment.topics.size()));
  for (const AssignedTopic& t : assignment.topics) {
    PutFixed16BE(dst, static_cast<uint16_t>(t.topic.size()));
    dst->append(t.topic);
    PutFixed32BE(dst, static_cast<uint32_t>(t.partitions.size()));
    for (int32_t p : t.partitions) PutFixed32BE(dst, static_cast<uint32_t>(p));
  }
  if (!assignment.user_data) {
    PutFixed32BE(dst, static_cast<uint32_t>(-1));
  } else {
    PutFixed32BE(dst, static_cast<uint32_t>(assignment.user_data->size()));
    dst->append(*assignment.user_data);
  }
}

Result<ConsumerAssignment> DecodeAssignment(std::string_view bytes) {
  ByteReader r(bytes);
  ConsumerAssignment out;
  out.version = r.ReadI16("version");
  if (r.ok() && out.version < 0) {
    return Status::Corruption(
        fmt::format("assignment: version {} at byte 0: not a ConsumerProtocol version (0..{})",
                    out.version, kConsumerProtocolMaxVersion));
  }
  int32_t topics = ReadCount(r, "topic count", kMinTopicBytes);
  for (int32_t t = 0; r.ok() && t < topics; ++t) {
    AssignedTopic topic;
    int16_t len = r.ReadI16("topic length");
    if (r.ok() && len < 0) r.Fail("topic length", fmt::format("{} is negative", len));
    topic.topic = std::string(r.ReadBytes(r.ok() ? static_cast<size_t>(len) : 0, "topic"));
    int32_t partitions = ReadCount(r, "partition count", kPartitionBytes);
    for (int32_t p = 0; r.ok() && p < partitions; ++p) {
      topic.partitions.push_back(r.ReadI32("partition"));
    }
    out.topics.push_back(std::move(topic));
  }
  int32_t user_len = r.ReadI32("user data length");
  if (r.ok() && user_len < -1) r.Fail("user data length", fmt::format("{} is negative", user_len));
  if (r.ok() && user_len >= 0) {
    out.user_data = std::string(r.ReadBytes(static_cast<size_t>(user_len), "user data"));
  }
  if (r.ok() && out.version <= kConsumerProtocolMaxVersion && r.remaining() != 0) {
    r.Fail("end", fmt::format("{} bytes after the user data", r.remaining()));
  }
  if (!r.ok()) return Status::Corruption(fmt::format("assignment: {}", r.error()));
  return out;
}

}  // namespace kq::groups
