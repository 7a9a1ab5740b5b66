#include "server/access.h"

#include <doctest/doctest.h>

namespace kq::server {

TEST_CASE("users: NAME:PASSWORD lines, the password after the first colon") {
  auto users = Users::Parse("# comment\n\nalice:wonder:land\r\nbob:builder\n", "u.txt");
  REQUIRE(users.ok());
  CHECK(users->size() == 2);
  CHECK(users->Check("alice", "wonder:land"));
  CHECK_FALSE(users->Check("alice", "wonder"));
  CHECK_FALSE(users->Check("alice", "wonder:land "));
  CHECK_FALSE(users->Check("bob", ""));
  CHECK_FALSE(users->Check("carol", "builder"));
  CHECK(Users::Parse("alice wonderland\n", "u.txt").status().message() ==
        "u.txt:1: expected NAME:PASSWORD");
  CHECK(Users::Parse("a:1\na:2\n", "u.txt").status().message() ==
        "u.txt:2: user 'a' is listed twice");
  CHECK(Users::Parse("# nobody\n", "u.txt").status().IsInvalidArgument());
}

TEST_CASE("acl: deny unless a rule allows; prefixes and wildcards") {
  auto acl = Acl::Parse(
      "alice all topic orders\n"
      "bob read topic orders\n"
      "bob read group billing\n"
      "* write topic logs-*\n"
      "carol admin topic *\n",
      "acl.txt");
  REQUIRE(acl.ok());
  using O = Operation;
  using R = ResourceType;
  CHECK(acl->Allows("alice", O::kWrite, R::kTopic, "orders"));
  CHECK(acl->Allows("alice", O::kAdmin, R::kTopic, "orders"));
  CHECK_FALSE(acl->Allows("alice", O::kRead, R::kTopic, "orders2"));
  CHECK_FALSE(acl->Allows("alice", O::kRead, R::kGroup, "orders"));  // a group is not a topic
  CHECK(acl->Allows("bob", O::kRead, R::kTopic, "orders"));
  CHECK_FALSE(acl->Allows("bob", O::kWrite, R::kTopic, "orders"));
  CHECK(acl->Allows("bob", O::kRead, R::kGroup, "billing"));
  CHECK(acl->Allows("dave", O::kWrite, R::kTopic, "logs-app"));
  CHECK_FALSE(acl->Allows("dave", O::kWrite, R::kTopic, "logs"));
  CHECK_FALSE(acl->Allows("dave", O::kRead, R::kTopic, "logs-app"));
  CHECK(acl->Allows("carol", O::kAdmin, R::kTopic, "anything"));
  CHECK_FALSE(acl->Allows("carol", O::kRead, R::kTopic, "anything"));
  CHECK(acl->AllowsAnyWrite("dave"));
  CHECK_FALSE(Acl::Parse("bob read topic orders\n", "a").value().AllowsAnyWrite("bob"));

  CHECK(Acl::Parse("alice read topic\n", "acl.txt")
            .status()
            .message()
            .rfind("acl.txt:1: expected", 0) == 0);
  CHECK(Acl::Parse("\nalice fly topic x\n", "acl.txt").status().message() ==
        "acl.txt:2: operation 'fly' is not read, write, admin or all");
  CHECK(Acl::Parse("alice read table x\n", "acl.txt").status().message() ==
        "acl.txt:1: resource 'table' is not topic or group");
}

TEST_CASE("SASL/PLAIN tokens") {
  using namespace std::string_literals;
  auto c = ParsePlain("\0alice\0secret"s);
  REQUIRE(c.ok());
  CHECK(c->authzid.empty());
  CHECK(c->user == "alice");
  CHECK(c->password == "secret");
  c = ParsePlain("admin\0alice\0pa\0ss"s);  // the password may hold NULs
  REQUIRE(c.ok());
  CHECK(c->authzid == "admin");
  CHECK(c->password == "pa\0ss"s);
  CHECK_FALSE(ParsePlain("alice secret").ok());
  CHECK_FALSE(ParsePlain("\0alice"s).ok());
  CHECK_FALSE(ParsePlain("\0\0secret"s).ok());
}

}  // namespace kq::server
