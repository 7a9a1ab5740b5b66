// The cluster-mode configuration (-b, -X, -v) of a kq tool's common flags.
#pragma once

#include <optional>
#include <string_view>

#include "base/result.h"
#include "common/common_flags.h"
#include "kafka/client.h"

namespace kq::tools {

// True when the tool should work against a cluster (-b or $KQ_BROKERS).
inline bool ClusterMode(const CommonFlags& flags) { return !flags.brokers.empty(); }

// The ClusterConfig for -b/-X/-v. InvalidArgument (a usage error) for an -X
// that is not key=value.
Result<kafka::ClusterConfig> ClusterConfigFrom(const CommonFlags& flags);
// The same for tools that check flags as they go: prints the usage error as
// `tool`'s and returns nullopt.
std::optional<kafka::ClusterConfig> ClusterConfigOrUsageError(std::string_view tool,
                                                              const CommonFlags& flags);

}  // namespace kq::tools
