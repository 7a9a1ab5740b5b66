#include "kafka/cluster_record_source.h"

#include "kafka/consume.h"

namespace kq::kafka {

Status ClusterRecordSource::Read(const client::ReadRequest& request,
                                 const client::ReadCallbacks& callbacks) {
  if (request.ordered) {
    return Status::NotSupported(
        "ordered reading is not supported on a cluster (it delivers each partition in offset "
        "order, not interleaved by timestamp)");
  }
  if (!callbacks.sink) return Status::InvalidArgument("ReadCallbacks.sink is not set");
  ConsumeRequest q;
  q.topics = request.selections;
  q.start = request.start;
  q.end_timestamp_ms = request.end_timestamp_ms;
  q.follow = request.follow;
  q.max_records = request.max_records;
  q.group = request.group;
  q.stop = &stop_;
  return ConsumeRange(config_, q, callbacks.sink, callbacks.flush);
}

}  // namespace kq::kafka
