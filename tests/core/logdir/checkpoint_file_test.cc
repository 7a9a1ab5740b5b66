#include "log/checkpoint_file.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "io/mem_env.h"

using kq::Offset;
using kq::PartitionId;
using namespace kq::log;

TEST_CASE("checkpoint: Kafka's example parses") {
  auto entries = ParseCheckpoint("0\n3\norders 0 1234\norders 1 998\n__consumer_offsets 17 40\n",
                                 "recovery-point-offset-checkpoint");
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[0] == CheckpointEntry{"orders", PartitionId(0), Offset(1234)});
  CHECK((*entries)[1] == CheckpointEntry{"orders", PartitionId(1), Offset(998)});
  CHECK((*entries)[2] == CheckpointEntry{"__consumer_offsets", PartitionId(17), Offset(40)});
}

TEST_CASE("checkpoint: runs of whitespace and a missing final newline are tolerated") {
  auto entries = ParseCheckpoint("0\n2\n  orders \t 0   5  \r\nx-y 3 7", "f");
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0] == CheckpointEntry{"orders", PartitionId(0), Offset(5)});
  CHECK((*entries)[1] == CheckpointEntry{"x-y", PartitionId(3), Offset(7)});
  CHECK(ParseCheckpoint("", "f")->empty());
  CHECK(ParseCheckpoint("0\n0\n", "f")->empty());
}

TEST_CASE("checkpoint: format round-trips") {
  std::vector<CheckpointEntry> entries = {{"a", PartitionId(0), Offset(0)},
                                          {"b.c", PartitionId(12), Offset(9223372036854775807)}};
  std::string text = FormatCheckpoint(entries);
  CHECK(text == "0\n2\na 0 0\nb.c 12 9223372036854775807\n");
  CHECK(*ParseCheckpoint(text, "f") == entries);
  CHECK(FormatCheckpoint({}) == "0\n0\n");
}

TEST_CASE("checkpoint: errors name the file and the line") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"x\n0\n", "cp: line 1: expected the version '0', found 'x'"},
      {"0\n", "cp: line 2: missing the entry count"},
      {"0\n-1\n", "cp: line 2: expected an entry count, found '-1'"},
      {"0\n1 2\n", "cp: line 2: expected an entry count, found '1 2'"},
      {"0\n2\na 0 1\n", "cp: the count says 2 entries but the file has 1"},
      {"0\n1\na 0 1\nb 0 1\n",
       "cp: line 4: the count says 1 entries but more lines follow: 'b 0 1'"},
      {"0\n1\na 0 1\n\n", "cp: line 4: the count says 1 entries but more lines follow: ''"},
      {"0\n2\na 0 1\na 0\n", "cp: line 4: expected 'topic partition offset', found 'a 0'"},
      {"0\n1\na 0 1 2\n", "cp: line 3: expected 'topic partition offset', found 'a 0 1 2'"},
      {"0\n1\n\n", "cp: line 3: expected 'topic partition offset', found ''"},
      {"0\n1\na -1 5\n", "cp: line 3: bad partition '-1'"},
      {"0\n1\na 2147483648 5\n", "cp: line 3: bad partition '2147483648'"},
      {"0\n1\na 0 x5\n", "cp: line 3: bad offset 'x5'"},
      {"0\n1\na 0 -5\n", "cp: line 3: bad offset '-5'"},
      {"0\n1\na 0 +5\n", "cp: line 3: bad offset '+5'"},
      {"0\n1\na 0 99999999999999999999\n", "cp: line 3: bad offset '99999999999999999999'"},
      {"0\n1\n.. 0 1\n", "cp: line 3: topic name '..' is not allowed: '.' and '..' are reserved"},
      {"0\n1\na\x01 0 1\n",
       "cp: line 3: topic name 'a\\x01' contains '\\x01': only letters, digits, '.', '_' and '-' "
       "are allowed"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto parsed = ParseCheckpoint(c.text, "cp");
    REQUIRE(!parsed.ok());
    CHECK(parsed.status().IsCorruption());
    CHECK(parsed.status().message() == c.message);
  }
  auto newer = ParseCheckpoint("1\n0\n", "cp");
  CHECK(newer.status().code() == kq::Status::Code::kNotSupported);
  CHECK(newer.status().message() ==
        "cp: line 1: checkpoint version 1 is not supported (expected 0)");
}

TEST_CASE("checkpoint: a huge count on a short file is rejected without allocating") {
  auto parsed = ParseCheckpoint("0\n9223372036854775807\na 0 1\n", "cp");
  CHECK(parsed.status().IsCorruption());
}

TEST_CASE("checkpoint: a file cut at any byte is refused unless only the last offset is cut") {
  const std::vector<CheckpointEntry> full = {{"orders", PartitionId(0), Offset(1234)},
                                             {"orders", PartitionId(1), Offset(998)}};
  const std::string text = FormatCheckpoint(full);
  // The count line says 2, so every cut before the last line's offset leaves
  // too few entries or too few fields. A cut inside "998" still parses (a
  // missing final newline is tolerated, as Kafka's reader does): a shorter
  // offset, never a lost or extra entry. The empty text is an empty checkpoint.
  const size_t last_offset_at = text.rfind("998");
  REQUIRE(last_offset_at != std::string::npos);
  for (size_t n = 0; n <= text.size(); ++n) {
    const std::string_view cut = std::string_view(text).substr(0, n);
    CAPTURE(cut);
    auto parsed = ParseCheckpoint(cut, "cp");
    if (n == 0) {
      REQUIRE(parsed.ok());
      CHECK(parsed->empty());
    } else if (n > last_offset_at) {
      REQUIRE(parsed.ok());
      REQUIRE(parsed->size() == 2);
      CHECK((*parsed)[0] == full[0]);
      const std::string digits =
          text.substr(last_offset_at, std::min<size_t>(n - last_offset_at, 3));
      CHECK((*parsed)[1] == CheckpointEntry{"orders", PartitionId(1), Offset(std::stoll(digits))});
    } else {
      REQUIRE(!parsed.ok());
      CHECK(parsed.status().IsCorruption());
      CHECK(parsed.status().message().rfind("cp: ", 0) == 0);
    }
  }
}

TEST_CASE("checkpoint: write then read through an Env; a missing file is empty") {
  kq::io::MemEnv env;
  REQUIRE(env.CreateDir("/d").ok());
  auto missing = ReadCheckpoint(&env, "/d/recovery-point-offset-checkpoint");
  REQUIRE(missing.ok());
  CHECK(missing->empty());
  std::vector<CheckpointEntry> entries = {{"orders", PartitionId(2), Offset(77)}};
  REQUIRE(WriteCheckpoint(&env, "/d/recovery-point-offset-checkpoint", entries).ok());
  CHECK(*env.ReadFileToString("/d/recovery-point-offset-checkpoint") == "0\n1\norders 2 77\n");
  CHECK(*ReadCheckpoint(&env, "/d/recovery-point-offset-checkpoint") == entries);
  CHECK(!env.FileExists("/d/recovery-point-offset-checkpoint.tmp"));
  // Errors carry the path.
  REQUIRE(env.WriteFileAtomic("/d/bad", "0\n1\nx\n").ok());
  CHECK(ReadCheckpoint(&env, "/d/bad").status().message().find("/d/bad: line 3") == 0);
}
