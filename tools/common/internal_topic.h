// Kafka's internal topic, __consumer_offsets, holds every group's committed
// offsets. Kafka refuses client writes to it and deleting it; so do the
// tools, unless --force-internal asks for it (to repair a directory by hand).
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "base/status.h"

namespace kq::tools {

// True for the topics the tools protect.
bool IsInternalTopic(std::string_view topic);

// OK when `topic` is not internal or `force` is set; otherwise
// InvalidArgument saying why `action` ("write to", "delete") is refused and
// naming --force-internal. Tools report it as a usage error (exit 2).
Status CheckInternalTopic(std::string_view topic, std::string_view action, bool force);

}  // namespace kq::tools
