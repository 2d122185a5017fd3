#pragma once
// The one way the tool splits text into lines (build logs, file contents, program output).

#include <sstream>
#include <string>
#include <vector>

namespace workbook {

/// The lines of `text`, without their line ends ("\n" or "\r\n").
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

}  // namespace workbook
