#include "build_log.hpp"

#include <cctype>
#include <regex>
#include <sstream>

#include "lines.hpp"

namespace workbook {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// "[3/12] Building CXX object ..." (Ninja's progress lines).
bool is_progress_line(const std::string& line) {
  static const std::regex progress(R"(^\[\d+/\d+\] )");
  return std::regex_search(line, progress);
}

// A compiler diagnostic: "file:line:col: kind: message".
const std::regex& diagnostic() {
  static const std::regex pattern(R"(^(.+?):(\d+):(\d+): (fatal error|error|warning|note): (.*)$)");
  return pattern;
}

// "file:line:col:   required from here" / "...   required from 'void f()'" (g++'s template
// instantiation chain); group 4 is "here" for the line that started it.
const std::regex& required_from() {
  static const std::regex pattern(R"(^(.+?):(\d+):(\d+):\s+required from (here)?.*$)");
  return pattern;
}

// "In file included from file:line[:col]," / "                 from file:line[:col][,:]"
const std::regex& included_from() {
  static const std::regex pattern(
      R"(^(?:In file included from|\s+from) (.+?):(\d+)(?::\d+)?[,:]$)");
  return pattern;
}

bool is_context_line(const std::string& line) {
  return starts_with(line, "In file included from") || starts_with(line, "                 from") ||
         line.find(": In ") != std::string::npos || std::regex_match(line, required_from());
}

bool is_under(const std::string& file, const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    if (dir.empty()) continue;
    const std::string prefix = dir.back() == '/' ? dir : dir + "/";
    if (starts_with(file, prefix)) return true;
  }
  return false;
}

// The student's line that leads to an error in someone else's file: the "required from here" of
// theirs, else the last "required from" in their files, else the innermost #include of theirs.
void find_own_line(const std::vector<std::string>& lines, std::size_t first, std::size_t error_at,
                   const std::vector<std::string>& own_dirs, BuildError& error) {
  std::smatch match;
  std::string required_file, include_file;
  int required_line = 0, include_line = 0;
  bool here = false;
  for (std::size_t k = first; k < error_at; ++k) {
    if (std::regex_match(lines[k], match, required_from()) && is_under(match[1], own_dirs)) {
      if (!here) required_file = match[1], required_line = std::stoi(match[2]);
      here = here || match[4].matched;
    } else if (std::regex_match(lines[k], match, included_from()) && is_under(match[1], own_dirs) &&
               include_file.empty()) {
      include_file = match[1], include_line = std::stoi(match[2]);
    }
  }
  if (!required_file.empty()) {
    error.own_file = required_file, error.own_line = required_line;
  } else if (!include_file.empty()) {
    error.own_file = include_file, error.own_line = include_line;
  }
}

}  // namespace

std::vector<FailedStep> failed_steps(const std::string& log) {
  std::vector<FailedStep> steps;
  FailedStep* current = nullptr;
  bool skipped_command = false;
  for (const auto& line : split_lines(log)) {
    if (starts_with(line, "FAILED: ")) {
      steps.push_back({line.substr(8), {}});
      current = &steps.back();
      skipped_command = false;
      continue;
    }
    if (current == nullptr) continue;
    if (is_progress_line(line) || starts_with(line, "ninja: ")) {
      current = nullptr;
      continue;
    }
    if (!skipped_command) {  // the command line Ninja ran comes first
      skipped_command = true;
      continue;
    }
    current->lines.push_back(line);
  }
  return steps;
}

BuildError first_error(const std::vector<std::string>& lines,
                       const std::vector<std::string>& own_dirs) {
  BuildError error;
  std::smatch match;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (std::regex_match(line, match, diagnostic()) &&
        (match[4] == "error" || match[4] == "fatal error")) {
      error.file = match[1];
      error.line = std::stoi(match[2]);
      error.column = std::stoi(match[3]);
      error.message = match[5];
      // The lines just before give the context: "In file included from ...", "In function ...",
      // "In instantiation of ..." and the "required from ..." chain.
      std::size_t first = i;
      while (first > 0 && is_context_line(lines[first - 1])) --first;
      for (std::size_t k = first; k <= i; ++k) error.excerpt.push_back(lines[k]);
      if (!own_dirs.empty() && !is_under(error.file, own_dirs)) {
        find_own_line(lines, first, i, own_dirs, error);
      }
      // Then the code snippet: lines until the next diagnostic.
      for (std::size_t k = i + 1; k < lines.size() && k < i + 8; ++k) {
        if (std::regex_match(lines[k], diagnostic()) ||
            lines[k].find(": In ") != std::string::npos ||
            starts_with(lines[k], "In file included from")) {
          break;
        }
        error.excerpt.push_back(lines[k]);
      }
      return error;
    }
  }
  for (const auto& line : lines) {  // the linker: "...: undefined reference to `x'"
    if (line.find("undefined reference to") != std::string::npos ||
        line.find("multiple definition of") != std::string::npos ||
        (line.find("ld: ") != std::string::npos && line.find("error") != std::string::npos)) {
      const auto ref = line.find(": undefined reference");
      const auto multiple = line.find(": multiple definition");
      const auto at = ref != std::string::npos ? ref : multiple;
      error.message = at != std::string::npos ? line.substr(at + 2) : line;
      error.excerpt.push_back(line);
      return error;
    }
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {  // CMake
    if (starts_with(lines[i], "CMake Error")) {
      static const std::regex at(R"(^CMake Error at (.+?):(\d+))");
      if (std::regex_search(lines[i], match, at)) {
        error.file = match[1];
        error.line = std::stoi(match[2]);
      }
      for (std::size_t k = i; k < lines.size() && k < i + 8; ++k) {
        if (k > i && lines[k].empty() && k + 1 < lines.size() && lines[k + 1].empty()) break;
        error.excerpt.push_back(lines[k]);
        if (error.message.empty() && k > i && !lines[k].empty()) {
          error.message = lines[k].substr(lines[k].find_first_not_of(' '));
        }
      }
      return error;
    }
  }
  for (const auto& line : lines) {  // Ninja itself: "ninja: error: ... Permission denied"
    if (starts_with(line, "ninja: error: ")) {
      error.message = line;
      error.excerpt.push_back(line);
      return error;
    }
  }
  for (std::size_t i = 0; i < lines.size() && error.excerpt.size() < 12; ++i) {
    if (!lines[i].empty() && !is_progress_line(lines[i])) error.excerpt.push_back(lines[i]);
  }
  if (!error.excerpt.empty()) error.message = error.excerpt.front();
  return error;
}

const FailedStep* step_for_lesson(const std::vector<FailedStep>& steps,
                                  const std::string& lesson_dir,
                                  const std::vector<std::string>& target_stems) {
  if (steps.empty()) return nullptr;
  const std::string prefix =
      lesson_dir.empty() || lesson_dir.back() == '/' ? lesson_dir : lesson_dir + "/";
  for (const auto& step : steps) {
    for (const auto& line : step.lines) {
      if (!prefix.empty() && line.find(prefix) != std::string::npos) return &step;
    }
  }
  for (const auto& step : steps) {
    for (const auto& stem : target_stems) {
      // Target names appear as ".../<target>.dir/..." (objects) or ".../<target>" (programs).
      for (std::size_t at = step.outputs.find(stem); at != std::string::npos;
           at = step.outputs.find(stem, at + 1)) {
        const std::size_t end = at + stem.size();
        const bool whole = end == step.outputs.size() ||
                           !std::isalnum(static_cast<unsigned char>(step.outputs[end]));
        if (whole) return &step;
      }
    }
  }
  return &steps.front();
}

bool step_belongs_to(const FailedStep& step, const std::vector<std::string>& stems,
                     const std::vector<std::string>& prefixes) {
  std::istringstream outputs(step.outputs);
  std::string output;
  while (outputs >> output) {
    for (const auto& prefix : prefixes) {
      if (!prefix.empty() && starts_with(output, prefix)) return true;
    }
    for (const auto& stem : stems) {
      for (auto at = output.find(stem); at != std::string::npos; at = output.find(stem, at + 1)) {
        const std::size_t end = at + stem.size();
        const bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(output[at - 1]));
        const bool ends =
            end == output.size() || !std::isalnum(static_cast<unsigned char>(output[end]));
        if (starts && ends) return true;
      }
    }
  }
  return false;
}

std::vector<std::string> warnings_in(const std::string& log, const std::string& folder,
                                     std::size_t max_warnings) {
  std::vector<std::string> out;
  std::size_t found = 0;
  bool in_warning = false;
  std::smatch match;
  for (const auto& line : split_lines(log)) {
    if (std::regex_match(line, match, diagnostic())) {
      in_warning = match[4] == "warning" && is_under(match[1], {folder}) && found < max_warnings;
      if (in_warning) {
        ++found;
        out.push_back(line);
      }
    } else if (in_warning && (starts_with(line, " ") || line.empty()) &&
               line.find('|') != std::string::npos) {
      out.push_back(line);  // the code snippet: "   14 |   int unused = 1;"
    } else {
      in_warning = false;
    }
  }
  return out;
}

std::vector<std::string> cmake_errors(const std::string& log) {
  std::vector<std::string> out;
  bool in_error = false;
  for (const auto& line : split_lines(log)) {
    if (starts_with(line, "CMake Error")) in_error = true;
    if (in_error) {
      if (starts_with(line, "-- ")) break;
      out.push_back(line);
      if (out.size() >= 12) break;
    }
  }
  return out;
}

}  // namespace workbook
