// kq-groups -b: the same subcommands against a Kafka-protocol cluster,
// through kafka/groups.h, with directory mode's flags and output
// (describe's columns, the reset plan). Where the cluster cannot describe
// members, describe's MEMBER column is '-' and a note says so. Operations
// the cluster lacks (librdkafka's mock has no ListGroups answer and no
// DeleteGroups) fail with exit 1 and a message naming the operation.
#pragma once

#include "common/common_flags.h"
#include "kq-groups/groups_tool.h"

namespace kq::tools::groups_tool {

int RunClusterList(const CommonFlags& common, const ListArgs& args);
int RunClusterDescribe(const CommonFlags& common, const DescribeArgs& args);
int RunClusterReset(const CommonFlags& common, const ResetArgs& args);
int RunClusterDelete(const CommonFlags& common, const DeleteArgs& args);

}  // namespace kq::tools::groups_tool
