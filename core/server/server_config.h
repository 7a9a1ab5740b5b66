// ServerConfig: kq-serve's settings, named as Kafka's broker configs so that
// a server.properties written for Kafka reads the same here.
//
//   ServerConfig config;
//   KQ_RETURN_IF_ERROR(config.LoadPropertiesFile("server.properties"));
//   KQ_RETURN_IF_ERROR(config.Set("num.partitions", "3"));   // --config wins
//
// Every known name has Kafka's default (or a bounded one where Kafka's is
// unbounded: see kServerConfigDefs in server_config.cc). An unknown name is an
// error that names the closest known one, so a typo never passes silently.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace kq::server {

struct HostPort {
  std::string host;
  uint16_t port = 0;
  std::string ToString() const;
};

// "HOST:PORT", "[V6]:PORT" or Kafka's listener form "PLAINTEXT://HOST:PORT"
// (SASL_PLAINTEXT:// too). Only one listener: a list with more is refused.
Result<HostPort> ParseListener(std::string_view text);

class ServerConfig {
 public:
  ServerConfig();

  // Sets one config; InvalidArgument for an unknown name (naming the closest
  // known one) or a value of the wrong kind or range.
  Status Set(std::string_view name, std::string_view value);
  // Reads Kafka's .properties format: `key=value`, `key: value` or
  // `key value`; `#` and `!` comments; a trailing backslash continues a line.
  // Errors name the file and line.
  Status LoadProperties(std::string_view text, std::string_view source_name);
  Status LoadPropertiesFile(const std::string& path);

  // The value as text (every known name has one).
  const std::string& Get(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  bool GetBool(std::string_view name) const;

  // Parsed forms of the settings the server uses most.
  HostPort listener() const;
  HostPort advertised() const;  // advertised.listeners, else the listener
  int32_t node_id() const { return static_cast<int32_t>(GetInt("broker.id")); }

  // name -> value for every known setting (DescribeConfigs on the broker).
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }
  // The names set explicitly (not defaults).
  bool IsSet(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> set_;
};

// The known names, for --help, man pages and completions.
std::vector<std::string> KnownServerConfigNames();

}  // namespace kq::server
