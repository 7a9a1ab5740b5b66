#include "server/access.h"

#include "io/env.h"

#include <sys/stat.h>

#include <fmt/format.h>

namespace kq::server {
namespace {

// Calls fn(line_number, line) for each line that is not blank or a comment,
// without its trailing '\r'.
template <typename Fn>
Status ForEachLine(std::string_view text, Fn&& fn) {
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    KQ_RETURN_IF_ERROR(fn(number, line));
  }
  return Status::Ok();
}

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t start = line.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    out.push_back(line.substr(start, end == std::string_view::npos ? line.npos : end - start));
    pos = end == std::string_view::npos ? line.size() : end;
  }
  return out;
}

bool NameMatches(const std::string& pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*')
    return name.substr(0, pattern.size() - 1) ==
           std::string_view(pattern).substr(0, pattern.size() - 1);
  return pattern == name;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

}  // namespace

Result<Users> Users::Load(const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::string text, io::Env::Default()->ReadFileToString(path));
  return Parse(text, path);
}

Result<Users> Users::Parse(std::string_view text, std::string_view source) {
  Users users;
  KQ_RETURN_IF_ERROR(ForEachLine(text, [&](int number, std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return Status::InvalidArgument(fmt::format("{}:{}: expected NAME:PASSWORD", source, number));
    std::string name(line.substr(0, colon));
    for (const auto& [existing, _] : users.users_)
      if (existing == name)
        return Status::InvalidArgument(
            fmt::format("{}:{}: user '{}' is listed twice", source, number, name));
    users.users_.emplace_back(std::move(name), std::string(line.substr(colon + 1)));
    return Status::Ok();
  }));
  if (users.users_.empty())
    return Status::InvalidArgument(fmt::format("{}: no users (lines of NAME:PASSWORD)", source));
  return users;
}

bool Users::Check(std::string_view user, std::string_view password) const {
  bool ok = false;
  for (const auto& [name, secret] : users_)
    if (name == user) ok = ConstantTimeEquals(secret, password);
  return ok;
}

Result<Acl> Acl::Load(const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::string text, io::Env::Default()->ReadFileToString(path));
  return Parse(text, path);
}

Result<Acl> Acl::Parse(std::string_view text, std::string_view source) {
  Acl acl;
  KQ_RETURN_IF_ERROR(ForEachLine(text, [&](int number, std::string_view line) {
    auto words = Words(line);
    if (words.size() != 4)
      return Status::InvalidArgument(fmt::format(
          "{}:{}: expected PRINCIPAL OPERATION RESOURCE NAME (e.g. 'alice write topic orders'), "
          "found {} words",
          source, number, words.size()));
    Rule rule;
    rule.principal = std::string(words[0]);
    std::string_view op = words[1];
    if (op == "read")
      rule.read = true;
    else if (op == "write")
      rule.write = true;
    else if (op == "admin")
      rule.admin = true;
    else if (op == "all")
      rule.read = rule.write = rule.admin = true;
    else
      return Status::InvalidArgument(fmt::format(
          "{}:{}: operation '{}' is not read, write, admin or all", source, number, op));
    if (words[2] == "topic")
      rule.type = ResourceType::kTopic;
    else if (words[2] == "group")
      rule.type = ResourceType::kGroup;
    else
      return Status::InvalidArgument(
          fmt::format("{}:{}: resource '{}' is not topic or group", source, number, words[2]));
    rule.name = std::string(words[3]);
    acl.rules_.push_back(std::move(rule));
    return Status::Ok();
  }));
  return acl;
}

bool Acl::Allows(std::string_view principal, Operation op, ResourceType type,
                 std::string_view name) const {
  for (const Rule& r : rules_) {
    if (r.type != type || (r.principal != "*" && r.principal != principal)) continue;
    bool allowed = op == Operation::kRead ? r.read : op == Operation::kWrite ? r.write : r.admin;
    if (allowed && NameMatches(r.name, name)) return true;
  }
  return false;
}

bool Acl::AllowsAnyWrite(std::string_view principal) const {
  for (const Rule& r : rules_)
    if (r.type == ResourceType::kTopic && r.write &&
        (r.principal == "*" || r.principal == principal))
      return true;
  return false;
}

Result<PlainCredentials> ParsePlain(std::string_view token) {
  size_t first = token.find('\0');
  size_t second = first == std::string_view::npos ? first : token.find('\0', first + 1);
  if (second == std::string_view::npos)
    return Status::InvalidArgument("SASL/PLAIN token is not [authzid] NUL user NUL password");
  PlainCredentials c;
  c.authzid = std::string(token.substr(0, first));
  c.user = std::string(token.substr(first + 1, second - first - 1));
  c.password = std::string(token.substr(second + 1));
  if (c.user.empty()) return Status::InvalidArgument("SASL/PLAIN token has an empty user name");
  return c;
}

}  // namespace kq::server
