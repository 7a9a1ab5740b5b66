// UTF-8 validation lives in core (base/utf8.h, shared with core/sql); the
// tools name it kq::tools::IsValidUtf8, as before.
#pragma once

#include "base/utf8.h"

namespace kq::tools {

using kq::IsValidUtf8;

}  // namespace kq::tools
