// ClusterRecordSource: RecordSource (client/record_source.h) over a Kafka
// cluster, through ConsumeRange (kafka/consume.h). What differs from a log
// directory: `ordered` is NotSupported (a cluster delivers each partition in
// offset order, not interleaved by timestamp); a follower waits in
// librdkafka's poll; a group is the cluster's own group protocol, so its
// start may only be the beginning or the end (where it has no commit).
//
// Thread safety: as RecordSource.
#pragma once

#include <atomic>
#include <utility>

#include "client/record_source.h"
#include "kafka/client.h"

namespace kq::kafka {

class ClusterRecordSource final : public client::RecordSource {
 public:
  explicit ClusterRecordSource(ClusterConfig config) : config_(std::move(config)) {}

  Status Read(const client::ReadRequest& request, const client::ReadCallbacks& callbacks) override;
  void Stop() override { stop_.store(true); }

 private:
  ClusterConfig config_;
  std::atomic<bool> stop_{false};
};

}  // namespace kq::kafka
