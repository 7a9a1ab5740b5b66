// Plain-text tables for listings (kq-topics describe, kq-groups describe):
// columns as wide as their widest cell, separated by two spaces, the last
// column unpadded so lines carry no trailing blanks.
#pragma once

#include <string>
#include <vector>

namespace kq::tools {

// Appends the header line and one line per row to *out. Every row has as
// many cells as `heads`.
void AppendTable(const std::vector<std::string>& heads,
                 const std::vector<std::vector<std::string>>& rows, std::string* out);

inline std::string FormatTable(const std::vector<std::string>& heads,
                               const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  AppendTable(heads, rows, &out);
  return out;
}

}  // namespace kq::tools
