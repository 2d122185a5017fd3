// Lessons make students think, not copy: for each lesson, the share of its solution's changed
// lines that the lesson's own texts dictate is at most 20% (label workbook).
//
// Changed lines: the lines of solutions/NN_name that a diff against lessons/NN_name (whitespace
// ignored) marks as added or changed, and every line of a file only the solution has. Not
// counted: README files (texts, not code; a migrations/README is written by `db init`), lines
// without a letter or digit ("}", ");"), and comment-only lines (the TODO comments both sides
// keep, the header a generated revision starts with). A trailing comment is cut off first.
//
// Dictated: the line, whitespace removed, appears in the whitespace-free text of the lesson's
// README.md, of a TODO comment block of its starter files, or of a hint that is not the last of
// its step in lessons/lessons.json (the last hint of a step may show the code).
//
// The test prints every lesson's figure. DICTATION_PROJECT_DIR measures another checkout (e.g.
// an older commit) instead of this one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "lessons.hpp"
#include "lines.hpp"
#include "todo_diff.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double kMostDictated = 0.20;

std::string project_dir() {
  const char* other = std::getenv("DICTATION_PROJECT_DIR");
  return other != nullptr && *other != '\0' ? std::string(other) : std::string(PROJECT_DIR);
}

std::string without_spaces(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) out += c;
  }
  return out;
}

bool is_comment(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return false;
  const std::string rest = line.substr(start);
  for (const char* opener : {"//", "/*", "--", "#!"}) {
    if (rest.rfind(opener, 0) == 0) return true;
  }
  return rest == "*" || rest.rfind("* ", 0) == 0 || rest.rfind("*/", 0) == 0;
}

// The code of a line: without a trailing comment (`//`, or `--` in SQL) outside quotes.
std::string code_of(const std::string& line, bool sql) {
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (i + 1 < line.size() && line[i + 1] == c && c == (sql ? '-' : '/')) {
      return line.substr(0, i);
    }
  }
  return line;
}

bool has_alphanumeric(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0; });
}

bool is_readme(const fs::path& path) {
  const std::string name = path.filename().string();
  return name == "README" || name == "README.md";
}

// The files of a folder, relative to it: sources and revisions, no texts, no editor files.
std::vector<std::string> code_files(const fs::path& root) {
  std::vector<std::string> files;
  if (!fs::is_directory(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || is_readme(entry.path()) || name.back() == '~' ||
        name[0] == '.') {
      continue;
    }
    files.push_back(fs::relative(entry.path(), root).generic_string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The texts a lesson gives the student, each without whitespace.
std::vector<std::string> lesson_texts(const fs::path& lesson_dir, const workbook::Lesson& lesson) {
  std::vector<std::string> texts;
  if (fs::exists(lesson_dir / "README.md")) {
    texts.push_back(without_spaces(workbook::read_file((lesson_dir / "README.md").string())));
  }
  // Every comment block that holds a TODO.
  for (const auto& file : code_files(lesson_dir)) {
    const auto lines = workbook::split_lines(workbook::read_file((lesson_dir / file).string()));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find("TODO") == std::string::npos || !is_comment(lines[i])) continue;
      std::size_t begin = i, end = i + 1;
      while (begin > 0 && is_comment(lines[begin - 1])) --begin;
      while (end < lines.size() && is_comment(lines[end])) ++end;
      std::string block;
      for (std::size_t k = begin; k < end; ++k) block += lines[k];
      texts.push_back(without_spaces(block));
      i = end - 1;
    }
  }
  for (const auto& step : lesson.hint_steps) {
    for (std::size_t k = 0; k + 1 < step.hints.size(); ++k) {
      texts.push_back(without_spaces(step.hints[k]));
    }
  }
  return texts;
}

struct Dictation {
  int changed = 0;
  std::vector<std::string> dictated;  // "file: line"

  double share() const {
    return changed == 0 ? 0.0 : static_cast<double>(dictated.size()) / changed;
  }
};

Dictation measure(const fs::path& lesson_dir, const fs::path& solution_dir,
                  const workbook::Lesson& lesson) {
  const auto texts = lesson_texts(lesson_dir, lesson);
  Dictation result;
  for (const auto& file : code_files(solution_dir)) {
    const auto solution =
        workbook::split_lines(workbook::read_file((solution_dir / file).string()));
    std::vector<std::string> lesson_lines;
    if (fs::exists(lesson_dir / file)) {
      lesson_lines = workbook::split_lines(workbook::read_file((lesson_dir / file).string()));
    }
    std::vector<std::string> a, b;
    for (const auto& line : lesson_lines) a.push_back(without_spaces(line));
    for (const auto& line : solution) b.push_back(without_spaces(line));
    const bool sql = fs::path(file).extension() == ".sql";
    for (const std::size_t index : workbook::added_lines(a, b)) {
      const std::string& line = solution[index];
      if (is_comment(line)) continue;
      const std::string code = without_spaces(code_of(line, sql));
      if (!has_alphanumeric(code)) continue;
      ++result.changed;
      const bool found = std::any_of(texts.begin(), texts.end(), [&](const std::string& text) {
        return text.find(code) != std::string::npos;
      });
      if (found) result.dictated.push_back(file + ": " + code_of(line, sql));
    }
  }
  return result;
}

}  // namespace

TEST_CASE("dictation: at most 20% of a solution's changed lines appear in its lesson's texts",
          "[dictation]") {
  const fs::path root = project_dir();
  const auto catalog = workbook::Catalog::load((root / "lessons/lessons.json").string());
  REQUIRE_FALSE(catalog.lessons().empty());
  for (const auto& lesson : catalog.lessons()) {
    const fs::path lesson_dir = root / "lessons" / lesson.directory;
    const fs::path solution_dir = root / "solutions" / lesson.directory;
    if (!fs::is_directory(solution_dir)) continue;
    const Dictation dictation = measure(lesson_dir, solution_dir, lesson);
    std::ostringstream figure;
    figure << "lesson " << lesson.number << ": " << dictation.dictated.size() << " of "
           << dictation.changed << " changed lines dictated (" << std::fixed << std::setprecision(0)
           << 100 * dictation.share() << "%)";
    std::cout << figure.str() << "\n";
    for (const auto& line : dictation.dictated) std::cout << "    " << line << "\n";
    INFO(figure.str() << "; the lesson's README.md, TODO comments or early hints hold these "
                         "solution lines verbatim: say what to achieve instead, or teach it on "
                         "another model");
    CHECK(dictation.changed > 0);
    CHECK(dictation.share() <= kMostDictated);
  }
}
