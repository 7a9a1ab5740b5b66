#include "kq-sql/into.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kq-sql/result_printer.h"

namespace kq::tools::sql {

Result<std::unique_ptr<IntoWriter>> IntoWriter::Open(const log::LogDir& dir,
                                                     const std::string& topic,
                                                     const std::string& key_column, io::Env* env) {
  std::unique_ptr<IntoWriter> w(new IntoWriter());
  w->dir_ = &dir;
  w->env_ = env;
  w->topic_ = topic;
  w->key_column_ = key_column;
  pipe::StageWriterOptions options;
  options.env = env;
  options.partitions = 1;
  KQ_ASSIGN_OR_RETURN(w->writer_, pipe::StageWriter::Open(dir, topic, options));
  if (w->writer_->partition_count() != 1) {
    return Status::InvalidArgument(fmt::format(
        "--into {}: the topic has {} partitions; results go to a one-partition topic, whose "
        "single position makes them exactly once",
        topic, w->writer_->partition_count()));
  }
  KQ_RETURN_IF_ERROR(w->writer_->OpenPartition(0));
  return w;
}

Result<std::optional<pipe::Position>> IntoWriter::LatestPosition() {
  KQ_ASSIGN_OR_RETURN(auto found, pipe::ReadLatestPosition(*dir_, topic_, 0));
  if (!found.has_value()) return std::optional<pipe::Position>();
  return std::optional<pipe::Position>(std::move(found->position));
}

Status IntoWriter::Add(sqlite3_stmt* stmt) {
  if (stmt != names_of_) {
    names_ = ColumnNames(stmt);
    names_of_ = stmt;
    key_index_ = -1;
    if (!key_column_.empty()) {
      for (size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == key_column_) key_index_ = static_cast<int>(i);
      }
      if (key_index_ < 0) {
        return Status::InvalidArgument(fmt::format("--key {}: the result has no such column ({})",
                                                   key_column_, fmt::join(names_, ", ")));
      }
    }
  }
  std::optional<std::string_view> key;
  if (key_index_ >= 0 && sqlite3_column_type(stmt, key_index_) != SQLITE_NULL) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, key_index_));
    key = std::string_view(text, sqlite3_column_bytes(stmt, key_index_));
  }
  value_.clear();
  AppendJsonRow(stmt, names_, &value_);
  writer_->Add(0, env_->NowMs(), key, value_, {});
  return Status::Ok();
}

Status IntoWriter::Commit(const pipe::Position& position) {
  writer_->EndGroup(0, position);
  return writer_->Commit();
}

}  // namespace kq::tools::sql
