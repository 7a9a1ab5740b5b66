// kq-groups delete: removes groups and their committed offsets. Like Kafka,
// a group with live members is not deleted.
#include <fmt/format.h>

#include "common/exit_codes.h"
#include "groups_tool.h"

namespace kq::tools::groups_tool {

int RunDelete(const CommonFlags& common, GroupAdmin& admin, const DeleteArgs& args) {
  for (const std::string& group : args.groups) {
    if (!CheckGroupName(group)) return kExitUsage;
  }
  if (Status s = admin.DeleteGroups(args.groups); !s.ok()) return ReportError(kTool, s);
  for (const std::string& group : args.groups) {
    Note(common, fmt::format("Deleted group '{}'.", group));
  }
  return kExitOk;
}

}  // namespace kq::tools::groups_tool
