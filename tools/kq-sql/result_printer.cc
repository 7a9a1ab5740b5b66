#include "kq-sql/result_printer.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "common/table.h"

namespace kq::tools::sql {
namespace {

std::string_view TextOf(sqlite3_stmt* stmt, int i) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
  return text == nullptr ? std::string_view()
                         : std::string_view(text, sqlite3_column_bytes(stmt, i));
}

std::string_view BlobOf(sqlite3_stmt* stmt, int i) {
  const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, i));
  return blob == nullptr ? std::string_view()
                         : std::string_view(blob, sqlite3_column_bytes(stmt, i));
}

void AppendHexBlob(std::string_view bytes, std::string* out) {
  out->append("x'");
  for (unsigned char c : bytes) fmt::format_to(std::back_inserter(*out), "{:02x}", c);
  out->append("'");
}

void AppendCsvField(std::string_view text, std::string* out) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendTsvField(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\\':
        out->append("\\\\");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendJsonString(std::string_view text, std::string* out) {
  // Text that is not UTF-8 (a CAST of a blob) gets U+FFFD, never an error.
  out->append(nlohmann::json(std::string(text))
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

ResultPrinter::ResultPrinter(OutputFormat format, bool header, OutputWriter* out)
    : format_(format), header_(header), out_(out) {}

void ResultPrinter::Start(sqlite3_stmt* stmt) {
  names_.clear();
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    const char* name = sqlite3_column_name(stmt, i);
    names_.emplace_back(name == nullptr ? "" : name);
  }
  if (!header_ || header_done_ || names_.empty()) return;
  if (format_ == OutputFormat::kCsv || format_ == OutputFormat::kTsv) {
    std::string* buf = out_->buffer();
    for (size_t i = 0; i < names_.size(); ++i) {
      if (i > 0) buf->push_back(format_ == OutputFormat::kCsv ? ',' : '\t');
      if (format_ == OutputFormat::kCsv) {
        AppendCsvField(names_[i], buf);
      } else {
        AppendTsvField(names_[i], buf);
      }
    }
    buf->push_back('\n');
    header_done_ = true;
  }
}

void ResultPrinter::Cell(sqlite3_stmt* stmt, int i, std::string* out) const {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      if (format_ == OutputFormat::kAligned) out->append("NULL");
      break;
    case SQLITE_BLOB:
      AppendHexBlob(BlobOf(stmt, i), out);
      break;
    case SQLITE_TEXT:
      if (format_ == OutputFormat::kCsv) {
        AppendCsvField(TextOf(stmt, i), out);
      } else if (format_ == OutputFormat::kTsv) {
        AppendTsvField(TextOf(stmt, i), out);
      } else {
        out->append(TextOf(stmt, i));
      }
      break;
    default:  // numbers: SQLite's own text form
      out->append(TextOf(stmt, i));
  }
}

Status ResultPrinter::Row(sqlite3_stmt* stmt) {
  const int n = sqlite3_column_count(stmt);
  if (format_ == OutputFormat::kAligned) {
    std::vector<std::string> row(n);
    for (int i = 0; i < n; ++i) Cell(stmt, i, &row[i]);
    held_.push_back(std::move(row));
    return Status::Ok();
  }
  std::string* buf = out_->buffer();
  if (format_ == OutputFormat::kJson) {
    buf->push_back('{');
    for (int i = 0; i < n; ++i) {
      if (i > 0) buf->push_back(',');
      AppendJsonString(names_[i], buf);
      buf->push_back(':');
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_NULL:
          buf->append("null");
          break;
        case SQLITE_INTEGER:
          buf->append(TextOf(stmt, i));
          break;
        case SQLITE_FLOAT: {
          const double d = sqlite3_column_double(stmt, i);
          if (std::isfinite(d)) {
            // The shortest text that reads back as the same double.
            fmt::format_to(std::back_inserter(*buf), "{}", d);
          } else {
            buf->append("null");  // JSON has no Inf or NaN
          }
          break;
        }
        case SQLITE_BLOB:
          buf->append("{\"b64\":\"");
          AppendBase64(BlobOf(stmt, i), buf);
          buf->append("\"}");
          break;
        default:
          AppendJsonString(TextOf(stmt, i), buf);
      }
    }
    buf->append("}\n");
  } else {
    const char sep = format_ == OutputFormat::kCsv ? ',' : '\t';
    for (int i = 0; i < n; ++i) {
      if (i > 0) buf->push_back(sep);
      Cell(stmt, i, buf);
    }
    buf->push_back('\n');
  }
  return out_->MaybeFlush();
}

Status ResultPrinter::Finish() {
  if (format_ == OutputFormat::kAligned && !names_.empty()) {
    if (header_) {
      AppendTable(names_, held_, out_->buffer());
    } else {
      // AppendTable always prints heads: align the rows alone by giving it
      // the first row as heads.
      if (!held_.empty()) {
        std::vector<std::string> first = std::move(held_.front());
        held_.erase(held_.begin());
        AppendTable(first, held_, out_->buffer());
      }
    }
    held_.clear();
  }
  return out_->Flush();
}

}  // namespace kq::tools::sql
