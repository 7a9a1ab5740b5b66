// Helpers shared by the kq-groups subcommands.
#include "common/exit_codes.h"
#include "groups/offset_commit_codec.h"
#include "groups_tool.h"

namespace kq::tools::groups_tool {

bool CheckGroupName(std::string_view group) {
  if (Status s = groups::ValidateGroupName(group); !s.ok()) {
    ReportUsageError(kTool, s.message());
    return false;
  }
  return true;
}

}  // namespace kq::tools::groups_tool
