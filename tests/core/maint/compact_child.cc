// Helper for the SIGKILL test: cleans one partition with the real Env.
//   compact_child DIR MAX_MEMORY_BYTES
// Exit 0 when done, 1 with the status on stderr otherwise.
#include <cstdio>
#include <cstdlib>

#include "io/env.h"
#include "maint/compactor.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: compact_child DIR MAX_MEMORY_BYTES\n");
    return 2;
  }
  kq::maint::CompactOptions o;
  o.env = kq::io::Env::Default();
  o.topic = std::string(1, 't');  // (GCC 12 warns falsely on a literal here)
  o.partition = 0;
  (void)o.config.Set("cleanup.policy", "compact");
  (void)o.config.Set("segment.bytes", "65536");
  (void)o.config.Set("index.interval.bytes", "512");
  o.max_memory = static_cast<size_t>(std::strtoull(argv[2], nullptr, 10));
  kq::maint::CompactStats stats;
  kq::Status s = kq::maint::CompactPartition(argv[1], o, &stats);
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
