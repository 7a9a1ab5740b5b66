// The counting Env lives in core (io/read_counting_env.h, which kq-sql --stats
// uses too); tests keep naming it kq::testing::ReadCountingEnv.
#pragma once

#include "io/read_counting_env.h"

namespace kq::testing {

using ReadCountingEnv = io::ReadCountingEnv;

}  // namespace kq::testing
