#include "server/server_log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

namespace kq::server {
namespace {

LogLevel g_min_level = LogLevel::kInfo;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// A value is quoted when it holds a space, a quote or an equals sign.
void AppendValue(std::string* out, std::string_view value) {
  bool quote = value.empty() || value.find_first_of(" \"=\t\n") != std::string_view::npos;
  if (!quote) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"' || c == '\\') out->push_back('\\');
    if (c == '\n') {
      out->append("\\n");
      continue;
    }
    out->push_back(c);
  }
  out->push_back('"');
}

}  // namespace

void SetLogLevel(LogLevel level) { g_min_level = level; }

void LogEvent(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (level < g_min_level) return;
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string line = fmt::format(
      "ts={:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z level={} event=", tm.tm_year + 1900,
      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000, LevelName(level));
  AppendValue(&line, event);
  for (const auto& [key, value] : fields) {
    line.push_back(' ');
    line.append(key);
    line.push_back('=');
    AppendValue(&line, value);
  }
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace kq::server
