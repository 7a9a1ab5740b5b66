// One structured line per server event on stderr, logfmt style, so that
// `grep event=disconnect` and log shippers read it without a parser:
//
//   ts=2026-11-29T20:31:07.123Z level=info event=connect conn=7 peer=127.0.0.1:51234
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace kq::server {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Lines below this level are not written (default kInfo).
void SetLogLevel(LogLevel level);

using LogField = std::pair<std::string_view, std::string>;
void LogEvent(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

}  // namespace kq::server
