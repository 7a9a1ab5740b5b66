// --into TOPIC: result rows appended to a topic as records, with the input
// position (pipe/position.h) in the same batches, so a push query that
// writes a topic resumes exactly after the input it wrote results for.
//
// Each row is one record: the key is the --key column's value as text (NULL,
// or no --key: a null key), the value the row as a JSON object (the --json
// format), the timestamp the time of the append. The topic is created with
// one partition when missing, and must have one: a single output partition
// carries a single position, so a crash between two partitions' appends
// cannot leave results that the position does not account for.
//
// Thread safety: one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "base/result.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "pipe/position.h"
#include "pipe/stage_writer.h"

namespace kq::tools::sql {

class IntoWriter {
 public:
  static Result<std::unique_ptr<IntoWriter>> Open(const log::LogDir& dir, const std::string& topic,
                                                  const std::string& key_column, io::Env* env);

  // The position the newest batch of the topic carries, or nullopt.
  Result<std::optional<pipe::Position>> LatestPosition();

  // Buffers the current row of `stmt`. InvalidArgument when the --key
  // column is not in the result.
  Status Add(sqlite3_stmt* stmt);
  // Appends what was added since the last commit with `position` on its
  // last record, durably per the topic's flush policy. A round without rows
  // writes nothing (the next one's position covers it).
  Status Commit(const pipe::Position& position);
  uint64_t appended_records() const { return writer_->appended_records(); }
  Status Close() { return writer_->Close(); }

 private:
  IntoWriter() = default;

  const log::LogDir* dir_ = nullptr;
  io::Env* env_ = nullptr;
  std::string topic_;
  std::string key_column_;
  std::unique_ptr<pipe::StageWriter> writer_;
  sqlite3_stmt* names_of_ = nullptr;  // the statement names_ and key_index_ are for
  std::vector<std::string> names_;
  int key_index_ = -1;
  std::string value_;
};

}  // namespace kq::tools::sql
