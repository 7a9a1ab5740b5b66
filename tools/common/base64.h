// Base64 lives in core (base/base64.h, shared with core/sql); the tools name
// it kq::tools::Base64Encode and so on, as before.
#pragma once

#include "base/base64.h"

namespace kq::tools {

using kq::AppendBase64;
using kq::Base64Decode;
using kq::Base64Encode;

}  // namespace kq::tools
