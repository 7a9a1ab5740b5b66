// Times on the command line: the parsers and formatters live in core
// (base/time_spec.h, shared with core/sql's SQL helpers); the tools name them
// kq::tools::ParseTime and so on, as before.
#pragma once

#include "base/time_spec.h"

namespace kq::tools {

using kq::AppendIso8601Ms;
using kq::CivilFromDays;
using kq::DaysFromCivil;
using kq::FormatIso8601Ms;
using kq::NowMs;
using kq::ParseDuration;
using kq::ParseTime;

}  // namespace kq::tools
