// kq-topics -b: the same subcommands against a Kafka-protocol cluster,
// through kafka/admin.h. Output has the same shape as directory
// mode, with what a cluster cannot say marked: describe's record counts are
// end - start (an upper bound under compaction or transactions; the header
// says "approx"), bytes and segments print '-' (null in JSON). Operations
// the cluster lacks (librdkafka's mock has no CreateTopics, DescribeConfigs
// or DeleteRecords) fail with exit 1 and a message naming the operation;
// describe then shows its partitions and says the config is unavailable.
#pragma once

#include "common/common_flags.h"
#include "kq-topics/topics.h"

namespace kq::tools::topics {

int RunClusterCreate(const CommonFlags& common, const CreateArgs& args);
int RunClusterList(const CommonFlags& common, const ListArgs& args);
int RunClusterDescribe(const CommonFlags& common, const DescribeArgs& args);
int RunClusterAlter(const CommonFlags& common, const AlterArgs& args);
int RunClusterDelete(const CommonFlags& common, const DeleteArgs& args);
int RunClusterTrim(const CommonFlags& common, const TrimArgs& args);

}  // namespace kq::tools::topics
