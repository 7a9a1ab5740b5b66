// kq-groups delete: removes groups' committed offsets (tombstones in
// __consumer_offsets) and their membership folders. Like Kafka, a group with
// live members is not deleted.
#include <fmt/format.h>

#include "common/exit_codes.h"
#include "groups_tool.h"
#include "io/env.h"
#include "log/topic_name.h"

namespace kq::tools::groups_tool {

int RunDelete(const CommonFlags& common, const DeleteArgs& args) {
  for (const std::string& group : args.groups) {
    if (!CheckGroupName(group)) return kExitUsage;
  }
  Result<Context> ctx = OpenContext(common);
  if (!ctx.ok()) return ReportError(kTool, ctx.status());
  // Check every group first, so nothing is deleted when one of them cannot be.
  for (const std::string& group : args.groups) {
    Result<GroupState> state = LoadGroup(*ctx, group);
    if (!state.ok()) return ReportError(kTool, state.status());
    if (!state->exists()) return ReportError(kTool, UnknownGroup(*ctx, group));
    if (!state->members.empty()) {
      return ReportError(kTool, Status::Busy(fmt::format(
                                    "group '{}' is not empty: {} live member(s), e.g. {}; stop its "
                                    "consumers before deleting it",
                                    log::EscapeForMessage(group), state->members.size(),
                                    state->members.front().member_id)));
    }
  }
  for (const std::string& group : args.groups) {
    if (Status s = ctx->store->Delete(group, {}); !s.ok()) return ReportError(kTool, s);
    Status s = groups::RemoveGroupFolder(io::Env::Default(), common.dir, group);
    if (!s.ok() && !s.IsBusy()) return ReportError(kTool, s);  // Busy: someone joined meanwhile
    Note(common, fmt::format("Deleted group '{}'.", group));
  }
  return kExitOk;
}

}  // namespace kq::tools::groups_tool
