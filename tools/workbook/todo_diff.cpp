#include "todo_diff.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "lessons.hpp"
#include "lines.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

// A block of changed lines: lesson lines [a_begin, a_end) became solution lines [b_begin, b_end).
struct Hunk {
  std::size_t a_begin, a_end, b_begin, b_end;
};

// The hunks of a longest-common-subsequence diff of `a` and `b`.
std::vector<Hunk> diff(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  std::vector<std::vector<std::uint32_t>> common(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      common[i][j] =
          a[i] == b[j] ? common[i + 1][j + 1] + 1 : std::max(common[i + 1][j], common[i][j + 1]);
    }
  }
  std::vector<Hunk> hunks;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      ++i, ++j;
      continue;
    }
    Hunk hunk{i, i, j, j};
    while ((i < n || j < m) && !(i < n && j < m && a[i] == b[j])) {
      if (j == m || (i < n && common[i + 1][j] >= common[i][j + 1])) {
        ++i;
      } else {
        ++j;
      }
    }
    hunk.a_end = i;
    hunk.b_end = j;
    hunks.push_back(hunk);
  }
  return hunks;
}

bool has_todo(const std::string& line) {
  return line.find("TODO") != std::string::npos;
}

bool is_comment(const std::string& line) {
  const auto start = line.find_first_not_of(" \t");
  if (start == std::string::npos) return false;
  for (const char* opener : {"//", "/*", "*", "#", "<!--", "--"}) {
    if (line.compare(start, std::char_traits<char>::length(opener), opener) == 0) return true;
  }
  return false;
}

// True when the lines just above lesson line `at` are a TODO line or a comment block with one.
bool under_todo(const std::vector<std::string>& lesson, std::size_t at) {
  if (at == 0) return false;
  std::size_t k = at - 1;
  if (has_todo(lesson[k])) return true;
  for (;; --k) {
    if (!is_comment(lesson[k])) return false;
    if (has_todo(lesson[k])) return true;
    if (k == 0) return false;
  }
}

}  // namespace

std::vector<std::size_t> added_lines(const std::vector<std::string>& lesson,
                                     const std::vector<std::string>& solution) {
  std::vector<std::size_t> added;
  for (const Hunk& hunk : diff(lesson, solution)) {
    for (std::size_t k = hunk.b_begin; k < hunk.b_end; ++k) added.push_back(k);
  }
  return added;
}

std::vector<DiffProblem> misplaced_changes(const std::vector<std::string>& lesson,
                                           const std::vector<std::string>& solution,
                                           const std::string& file) {
  std::vector<DiffProblem> problems;
  const auto hunks = diff(lesson, solution);
  for (std::size_t h = 0; h < hunks.size(); ++h) {
    const Hunk& hunk = hunks[h];
    bool ok = under_todo(lesson, hunk.a_begin);
    const bool pure_insert = hunk.a_begin == hunk.a_end;
    const bool pure_delete = hunk.b_begin == hunk.b_end;
    // Unchanged lines between this hunk and its neighbours, over which it may slide.
    const std::size_t low = h == 0 ? 0 : hunks[h - 1].a_end;
    const std::size_t high = h + 1 == hunks.size() ? lesson.size() : hunks[h + 1].a_begin;
    if (!ok && pure_insert) {
      // Inserting b[begin, end) at lesson position p equals inserting it one line up when the
      // line above equals the last inserted line (and one line down for the first line).
      std::size_t p = hunk.a_begin, begin = hunk.b_begin, end = hunk.b_end;
      while (!ok && p > low && lesson[p - 1] == solution[end - 1]) {
        --p, --begin, --end;
        ok = under_todo(lesson, p);
      }
      p = hunk.a_begin, begin = hunk.b_begin, end = hunk.b_end;
      while (!ok && p < high && lesson[p] == solution[begin]) {
        ++p, ++begin, ++end;
        ok = under_todo(lesson, p);
      }
    } else if (!ok && pure_delete) {
      std::size_t begin = hunk.a_begin, end = hunk.a_end;
      while (!ok && begin > low && lesson[begin - 1] == lesson[end - 1]) {
        --begin, --end;
        ok = under_todo(lesson, begin);
      }
      begin = hunk.a_begin, end = hunk.a_end;
      while (!ok && end < high && lesson[begin] == lesson[end]) {
        ++begin, ++end;
        ok = under_todo(lesson, begin);
      }
    }
    if (ok) continue;
    DiffProblem problem;
    problem.file = file;
    problem.line = static_cast<int>(hunk.a_begin) + 1;
    problem.message = "the solution changes this without a TODO comment directly above it";
    for (std::size_t k = hunk.a_begin; k < hunk.a_end; ++k)
      problem.hunk.push_back("- " + lesson[k]);
    for (std::size_t k = hunk.b_begin; k < hunk.b_end; ++k) {
      problem.hunk.push_back("+ " + solution[k]);
    }
    problems.push_back(problem);
  }
  return problems;
}

std::vector<DiffProblem> compare_folders(const std::string& lesson_dir,
                                         const std::string& solution_dir,
                                         const std::vector<std::string>& excluded) {
  // The files of a folder, relative to it, without the excluded ones.
  auto files_of = [&](const std::string& root) {
    std::set<std::string> files;
    if (!fs::is_directory(root)) return files;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
      const std::string relative = fs::relative(it->path(), root).generic_string();
      const std::string name = it->path().filename().string();
      if (it->is_directory()) {
        if (std::find(excluded.begin(), excluded.end(), relative) != excluded.end()) {
          it.disable_recursion_pending();
        }
        continue;
      }
      const bool editor_junk =
          !name.empty() &&
          (name.back() == '~' || name.rfind(".#", 0) == 0 ||
           (name[0] == '.' && name.size() > 4 && name.compare(name.size() - 4, 4, ".swp") == 0));
      if (it->is_regular_file() && name != "README.md" && !editor_junk) files.insert(relative);
    }
    return files;
  };

  std::vector<DiffProblem> problems;
  if (!fs::is_directory(lesson_dir)) {
    problems.push_back({"", 0, "the lesson folder " + lesson_dir + " is missing", {}});
    return problems;
  }
  if (!fs::is_directory(solution_dir)) {
    problems.push_back({"", 0, "the solution folder " + solution_dir + " is missing", {}});
    return problems;
  }
  const auto lesson_files = files_of(lesson_dir);
  const auto solution_files = files_of(solution_dir);
  for (const auto& file : lesson_files) {
    if (!solution_files.count(file)) {
      problems.push_back({file, 0, "exists in the lesson but not in the solution", {}});
    }
  }
  for (const auto& file : solution_files) {
    if (!lesson_files.count(file)) {
      problems.push_back({file, 0, "exists in the solution but not in the lesson", {}});
      continue;
    }
    const std::string lesson_text = read_file(lesson_dir + "/" + file);
    const std::string solution_text = read_file(solution_dir + "/" + file);
    if (lesson_text == solution_text) continue;
    if (lesson_text.find('\0') != std::string::npos ||
        solution_text.find('\0') != std::string::npos) {
      problems.push_back({file, 0, "a binary file that differs between lesson and solution", {}});
      continue;
    }
    for (auto& problem :
         misplaced_changes(split_lines(lesson_text), split_lines(solution_text), file)) {
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

}  // namespace workbook
