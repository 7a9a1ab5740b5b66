// Who may connect (SASL/PLAIN users) and what they may do (ACLs).
//
// Users file (--users): one user a line, `NAME:PASSWORD`; blank lines and
// lines starting with # are ignored. The password is everything after the
// first colon. Keep the file private (mode 0600): kq-serve warns when
// others can read it.
//
// ACL file (--acl): one rule a line, `PRINCIPAL OPERATION RESOURCE NAME`:
//   PRINCIPAL  a user name, or * for every authenticated user
//   OPERATION  read | write | admin | all
//   RESOURCE   topic | group
//   NAME       a name, or a prefix ending in * (orders-*), or * for all
// With an ACL file, what no rule allows is denied (Kafka's
// allow.everyone.if.no.acl.found=false); without one, an authenticated user
// may do everything. What each API needs:
//   read   Fetch, ListOffsets, OffsetForLeaderEpoch, DescribeConfigs, Metadata
//          (a topic), the group APIs (a group), OffsetCommit/OffsetFetch (a
//          topic too)
//   write  Produce (a topic); InitProducerId needs write on some topic
//   admin  CreateTopics, DeleteTopics, CreatePartitions, AlterConfigs,
//          DeleteRecords (a topic); DeleteGroups, OffsetDelete (a group)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace kq::server {

enum class Operation { kRead, kWrite, kAdmin };
enum class ResourceType { kTopic, kGroup };

class Users {
 public:
  static Result<Users> Load(const std::string& path);
  static Result<Users> Parse(std::string_view text, std::string_view source);
  // True when `user` exists with exactly this password (compared in time
  // independent of where they differ).
  bool Check(std::string_view user, std::string_view password) const;
  size_t size() const { return users_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> users_;
};

class Acl {
 public:
  static Result<Acl> Load(const std::string& path);
  static Result<Acl> Parse(std::string_view text, std::string_view source);
  bool Allows(std::string_view principal, Operation op, ResourceType type,
              std::string_view name) const;
  // Whether some topic rule lets `principal` write (InitProducerId).
  bool AllowsAnyWrite(std::string_view principal) const;

 private:
  struct Rule {
    std::string principal;  // "*" for anyone
    bool read = false, write = false, admin = false;
    ResourceType type;
    std::string name;  // may end in '*'
  };
  std::vector<Rule> rules_;
};

// The decoded SASL/PLAIN message: [authzid] NUL authcid NUL password.
struct PlainCredentials {
  std::string authzid;
  std::string user;
  std::string password;
};
Result<PlainCredentials> ParsePlain(std::string_view token);

}  // namespace kq::server
