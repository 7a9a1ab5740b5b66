#include "protocol/error_codes.h"

namespace kq::protocol {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
#define KQ_PROTOCOL_ERROR_NAME_(name, value, text) \
  case ErrorCode::name:                            \
    return text;
    KQ_PROTOCOL_ERROR_CODES(KQ_PROTOCOL_ERROR_NAME_)
#undef KQ_PROTOCOL_ERROR_NAME_
  }
  return "UNKNOWN_ERROR_CODE";
}

}  // namespace kq::protocol
