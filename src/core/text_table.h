// Aligned text columns for people: the CLI's tables. Widths count display characters (UTF-8
// code points), ignoring ANSI colour sequences, so coloured cells still line up.
#pragma once

#include <string>
#include <vector>

namespace trainctl::core {

enum class Align { kLeft, kRight };

class TextTable {
 public:
  struct Column {
    std::string header;
    Align align = Align::kLeft;
  };

  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // A row with fewer cells than columns is padded with empty cells; extra cells are dropped.
  void add_row(std::vector<std::string> cells);
  // Lines end with '\n'; no trailing spaces; columns separated by two spaces.
  std::string render(const std::string& indent = "") const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of s: UTF-8 code points, with ANSI escape sequences not counted.
std::size_t display_width(const std::string& s);

}  // namespace trainctl::core
