// kq-consume -b: the same reading and printing against a Kafka-protocol
// cluster, through kafka::ConsumeRange (kafka/consume.h).
//
// What differs from directory mode: --ordered is refused (CheckFlags);
// -F waits in librdkafka's poll rather than on inotify (--poll-ms is unused);
// -G joins the cluster's group protocol, so members share partitions as any
// Kafka consumer group does.
#pragma once

#include "base/status.h"
#include "kq-consume/consume_settings.h"

namespace kq::tools::consume {

// Reads settings.selections from settings.cluster and prints each record to
// stdout as directory mode does. SIGINT/SIGTERM end it like the end of the
// log (after a last commit with -G). Returns OK, a broken pipe (exit 0) or
// the error.
Status ConsumeFromCluster(const ConsumeSettings& settings);

}  // namespace kq::tools::consume
