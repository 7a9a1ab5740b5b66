#include "server/server_config.h"

#include <charconv>

#include <fmt/format.h>

#include "base/closest_name.h"
#include "io/env.h"

namespace kq::server {
namespace {

enum class Kind { kInt, kBool, kListener, kListenerOrEmpty, kString };

struct ConfigDef {
  const char* name;
  const char* default_value;
  Kind kind;
  int64_t min = 0;
  int64_t max = INT64_MAX;
};

// Kafka's broker defaults, except where Kafka's is unbounded and a small
// server must bound it (max.connections, queued.max.request.bytes): those
// are marked.
constexpr ConfigDef kServerConfigDefs[] = {
    {"listeners", "PLAINTEXT://127.0.0.1:9092", Kind::kListener},
    {"advertised.listeners", "", Kind::kListenerOrEmpty},
    {"broker.id", "0", Kind::kInt, 0, INT32_MAX},
    {"log.dirs", "", Kind::kString},
    {"auto.create.topics.enable", "true", Kind::kBool},
    {"num.partitions", "1", Kind::kInt, 1, 10000},
    {"default.replication.factor", "1", Kind::kInt, 1, 1},
    {"message.max.bytes", "1048588", Kind::kInt, 0, INT32_MAX},
    {"socket.request.max.bytes", "104857600", Kind::kInt, 64, INT32_MAX},
    {"min.insync.replicas", "1", Kind::kInt, 1, INT32_MAX},
    // A follower (a fetch with a replica id) is in sync while it has caught
    // up to the log end within this time.
    {"replica.lag.time.max.ms", "30000", Kind::kInt, 1, INT32_MAX},
    {"offsets.retention.minutes", "10080", Kind::kInt, 1, INT32_MAX},
    {"group.initial.rebalance.delay.ms", "3000", Kind::kInt, 0, INT32_MAX},
    {"group.min.session.timeout.ms", "6000", Kind::kInt, 0, INT32_MAX},
    {"group.max.session.timeout.ms", "1800000", Kind::kInt, 0, INT32_MAX},
    {"log.retention.check.interval.ms", "300000", Kind::kInt, 1, INT64_MAX},
    {"log.cleaner.enable", "true", Kind::kBool},
    {"connections.max.idle.ms", "600000", Kind::kInt, 1, INT64_MAX},
    // Kafka: unbounded. Each connection may hold a request and a response.
    {"max.connections", "1000", Kind::kInt, 1, 1000000},
    // Kafka: unbounded (-1). The bytes of requests read but not yet answered,
    // over all connections; reading pauses while it is exceeded.
    {"queued.max.request.bytes", "268435456", Kind::kInt, 1, INT64_MAX},
    {"fetch.max.bytes", "57671680", Kind::kInt, 1024, INT32_MAX},
};

const ConfigDef* FindDef(std::string_view name) {
  for (const auto& def : kServerConfigDefs)
    if (name == def.name) return &def;
  return nullptr;
}

Status CheckValue(const ConfigDef& def, std::string_view value) {
  switch (def.kind) {
    case Kind::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size())
        return Status::InvalidArgument(
            fmt::format("config {}: '{}' is not an integer", def.name, value));
      if (v < def.min || v > def.max)
        return Status::InvalidArgument(
            fmt::format("config {}: {} is outside [{}, {}]", def.name, v, def.min, def.max));
      return Status::Ok();
    }
    case Kind::kBool:
      if (value == "true" || value == "false") return Status::Ok();
      return Status::InvalidArgument(
          fmt::format("config {}: '{}' is not true or false", def.name, value));
    case Kind::kListenerOrEmpty:
      if (value.empty()) return Status::Ok();
      [[fallthrough]];
    case Kind::kListener: {
      auto parsed = ParseListener(value);
      if (!parsed.ok())
        return Status::InvalidArgument(
            fmt::format("config {}: {}", def.name, parsed.status().message()));
      return Status::Ok();
    }
    case Kind::kString:
      return Status::Ok();
  }
  return Status::Ok();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\f'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\f' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Java's Properties escapes that a server.properties uses.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == 'f' ? '\f' : c;
  }
  return out;
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<HostPort> ParseListener(std::string_view text) {
  std::string_view rest = Trim(text);
  if (rest.find(',') != std::string_view::npos)
    return Status::InvalidArgument(
        fmt::format("'{}': kq-serve listens on one address; give one listener", text));
  if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    std::string_view name = rest.substr(0, scheme);
    if (name != "PLAINTEXT" && name != "SASL_PLAINTEXT")
      return Status::InvalidArgument(fmt::format(
          "'{}': listener '{}' is not supported (PLAINTEXT or SASL_PLAINTEXT; for TLS put a "
          "TLS terminator in front)",
          text, name));
    rest.remove_prefix(scheme + 3);
  }
  HostPort out;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return Status::InvalidArgument(fmt::format("'{}': expected [V6-ADDRESS]:PORT", text));
    out.host = std::string(rest.substr(1, close - 1));
    port_text = rest.substr(close + 2);
  } else {
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos)
      return Status::InvalidArgument(fmt::format("'{}': expected HOST:PORT", text));
    out.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
  }
  if (out.host.empty()) out.host = "0.0.0.0";  // Kafka: an empty host binds every interface
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
    return Status::InvalidArgument(
        fmt::format("'{}': port '{}' is not a number from 0 to 65535", text, port_text));
  out.port = static_cast<uint16_t>(port);
  return out;
}

ServerConfig::ServerConfig() {
  for (const auto& def : kServerConfigDefs) values_.emplace(def.name, def.default_value);
}

Status ServerConfig::Set(std::string_view name, std::string_view value) {
  const ConfigDef* def = FindDef(name);
  if (def == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& d : kServerConfigDefs) names.emplace_back(d.name);
    return Status::InvalidArgument(
        fmt::format("unknown config '{}'; did you mean '{}'?", name, ClosestName(name, names)));
  }
  std::string_view trimmed = Trim(value);
  KQ_RETURN_IF_ERROR(CheckValue(*def, trimmed));
  values_[def->name] = std::string(trimmed);
  set_.emplace_back(def->name);
  return Status::Ok();
}

Status ServerConfig::LoadProperties(std::string_view text, std::string_view source_name) {
  std::string logical;
  int line_no = 0, logical_start = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    std::string_view trimmed = Trim(line);
    if (logical.empty()) {
      logical_start = line_no;
      if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == '!') continue;
    }
    // A line ending in an odd number of backslashes continues.
    size_t slashes = 0;
    while (slashes < trimmed.size() && trimmed[trimmed.size() - 1 - slashes] == '\\') ++slashes;
    if (slashes % 2 == 1) {
      logical.append(trimmed.substr(0, trimmed.size() - 1));
      if (pos <= text.size()) continue;
    } else {
      logical.append(trimmed);
    }
    std::string_view entry = logical;
    size_t sep = entry.find_first_of("=: \t");
    std::string key = Unescape(Trim(entry.substr(0, sep)));
    std::string_view value;
    if (sep != std::string_view::npos) {
      value = Trim(entry.substr(sep));
      if (!value.empty() && (value.front() == '=' || value.front() == ':'))
        value = Trim(value.substr(1));
    }
    if (Status s = Set(key, Unescape(value)); !s.ok())
      return Status::InvalidArgument(
          fmt::format("{}:{}: {}", source_name, logical_start, s.message()));
    logical.clear();
  }
  return Status::Ok();
}

Status ServerConfig::LoadPropertiesFile(const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::string text, io::Env::Default()->ReadFileToString(path));
  return LoadProperties(text, path);
}

const std::string& ServerConfig::Get(std::string_view name) const {
  auto it = values_.find(name);
  static const std::string kEmpty;
  return it == values_.end() ? kEmpty : it->second;
}

int64_t ServerConfig::GetInt(std::string_view name) const {
  int64_t v = 0;
  const std::string& text = Get(name);
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

bool ServerConfig::GetBool(std::string_view name) const { return Get(name) == "true"; }

HostPort ServerConfig::listener() const { return *ParseListener(Get("listeners")); }

HostPort ServerConfig::advertised() const {
  const std::string& adv = Get("advertised.listeners");
  HostPort out = adv.empty() ? listener() : *ParseListener(adv);
  // Clients cannot connect to the wildcard address.
  if (out.host == "0.0.0.0" || out.host == "::") out.host = "127.0.0.1";
  return out;
}

bool ServerConfig::IsSet(std::string_view name) const {
  for (const auto& s : set_)
    if (s == name) return true;
  return false;
}

std::vector<std::string> KnownServerConfigNames() {
  std::vector<std::string> out;
  for (const auto& def : kServerConfigDefs) out.emplace_back(def.name);
  return out;
}

}  // namespace kq::server
