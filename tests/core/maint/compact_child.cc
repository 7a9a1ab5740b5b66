// Helper for the SIGKILL test: cleans one partition with the real Env.
//   compact_child DIR MAX_MEMORY_BYTES   (DIR: a partition folder .../t-0)
// Exit 0 when done, 1 with the status on stderr otherwise.
#include <cstdio>
#include <cstdlib>

#include <string>

#include "io/env.h"
#include "log/log_dir.h"
#include "maint/compactor.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: compact_child DIR MAX_MEMORY_BYTES\n");
    return 2;
  }
  // DIR is partition 0 of topic "t" in the log directory around it.
  const std::string path = argv[1];
  auto dir = kq::log::LogDir::Open(kq::io::Env::Default(), path.substr(0, path.rfind('/')), true);
  if (!dir.ok()) {
    std::fprintf(stderr, "%s\n", dir.status().ToString().c_str());
    return 1;
  }
  kq::log::TopicInfo topic;
  topic.name = std::string(1, 't');  // (GCC 12 warns falsely on a literal here)
  topic.partitions = 1;
  (void)topic.config.Set("cleanup.policy", "compact");
  (void)topic.config.Set("segment.bytes", "65536");
  (void)topic.config.Set("index.interval.bytes", "512");
  kq::maint::CompactOptions o;
  o.max_memory = static_cast<size_t>(std::strtoull(argv[2], nullptr, 10));
  kq::maint::CompactStats stats;
  kq::Status s = kq::maint::CompactPartition(*dir, topic, kq::PartitionId(0), o, &stats);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
