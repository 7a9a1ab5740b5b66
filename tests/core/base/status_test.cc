#include "base/status.h"

#include <doctest/doctest.h>

using kq::Status;

TEST_CASE("status: FromCode keeps the code and message, OK drops the message") {
  CHECK(Status::FromCode(Status::Code::kNotFound, "x").IsNotFound());
  CHECK(Status::FromCode(Status::Code::kNotFound, "x").message() == "x");
  CHECK(Status::FromCode(Status::Code::kOutOfRange, "y").IsOutOfRange());
  CHECK(Status::FromCode(Status::Code::kOk, "ignored").ok());
}

TEST_CASE("status: FromCode turns a value outside Code into Internal") {
  CHECK(Status::FromCode(static_cast<Status::Code>(99), "z").code() == Status::Code::kInternal);
  CHECK(Status::FromCode(static_cast<Status::Code>(-3), "z").code() == Status::Code::kInternal);
}
