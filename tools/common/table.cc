#include "common/table.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace kq::tools {

void AppendTable(const std::vector<std::string>& heads,
                 const std::vector<std::vector<std::string>>& rows, std::string* out) {
  std::vector<size_t> width(heads.size());
  for (size_t c = 0; c < heads.size(); ++c) {
    width[c] = heads[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto it = std::back_inserter(*out);
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c + 1 == cells.size()) {
        fmt::format_to(it, "{}\n", cells[c]);
      } else {
        fmt::format_to(it, "{:<{}}  ", cells[c], width[c]);
      }
    }
  };
  line(heads);
  for (const auto& row : rows) line(row);
}

}  // namespace kq::tools
