// `./workbook grade DIR...`: a whole class, into one summary and a JUnit file per student.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/core.h>

#include "command_text.hpp"
#include "commands.hpp"
#include "grade.hpp"
#include "junit.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

bool is_checkout(const fs::path& folder) {
  std::error_code error;
  return fs::is_directory(folder / "lessons", error);
}

// Passed and total checks of one lesson's result.
std::pair<int, int> score(const LessonResult& result) {
  int passed = 0;
  for (const auto& check : result.run.checks) passed += check.passed ? 1 : 0;
  return {passed, static_cast<int>(result.run.checks.size())};
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string markdown_cell(const std::string& text) {
  std::string cell;
  for (char c : text)
    cell += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return cell;
}

}  // namespace

std::vector<std::string> checkouts_in(const std::vector<std::string>& folders) {
  std::vector<std::string> checkouts;
  for (const auto& folder : folders) {
    std::error_code error;
    if (is_checkout(folder) || !fs::is_directory(folder, error)) {
      checkouts.push_back(folder);
      continue;
    }
    std::vector<std::string> inside;
    bool any = false;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '.' || !entry.is_directory()) continue;
      inside.push_back(entry.path().string());
      any = any || is_checkout(entry.path());
    }
    std::sort(inside.begin(), inside.end());
    if (any) {
      checkouts.insert(checkouts.end(), inside.begin(), inside.end());
    } else {
      checkouts.push_back(folder);  // its row says it has no lessons/
    }
  }
  return checkouts;
}

int grade_class(Context& context, const std::vector<std::string>& folders,
                const GradeOptions& options) {
  if (const auto problem = database_problem()) return report_database(*problem);
  const fs::path out = fs::absolute(options.out.empty() ? "grades" : options.out);
  std::error_code error;
  fs::create_directories(out / "junit", error);
  if (error) {
    error_line("cannot create " + out.string() + ": " + error.message() +
               "; choose another --out folder");
    return kUsage;
  }
  const auto checkouts = checkouts_in(folders);
  if (checkouts.empty()) {
    error_line("no checkouts to grade: give student checkouts or folders of them");
    return kUsage;
  }

  // File names: the folder's name, made unique.
  std::vector<std::string> names;
  std::map<std::string, int> seen;
  for (const auto& folder : checkouts) {
    std::string name = fs::path(folder).lexically_normal().filename().string();
    if (name.empty()) name = fs::path(folder).lexically_normal().parent_path().filename().string();
    std::string safe;
    for (char c : name)
      safe +=
          std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '_';
    if (safe.empty() || safe[0] == '.') safe = "student" + safe;
    const int count = ++seen[safe];
    names.push_back(count == 1 ? safe : safe + "-" + std::to_string(count));
  }

  GradeOptions grading = options;
  // The cores, shared out between the students graded at once.
  grading.limits.build_jobs =
      std::max<unsigned>(1, std::thread::hardware_concurrency() /
                                static_cast<unsigned>(std::max<std::size_t>(1, options.jobs)));
  grading.compiler_cache = warm_compiler_cache(context);
  print(context.style.bold("Grading " + std::to_string(checkouts.size()) + " checkouts") + ", " +
        std::to_string(options.jobs) + " at a time, into " + out.string() + "\n");
  std::fflush(stdout);
  std::vector<GradedStudent> graded(checkouts.size());
  std::mutex print_lock;
  parallel_for(checkouts.size(), std::max<std::size_t>(1, options.jobs), [&](std::size_t i) {
    if (interrupted()) return;
    graded[i] = grade_student(context, checkouts[i], (out / ".work" / names[i]).string(), grading);
    graded[i].name = names[i];
    try {
      write_file((out / "junit" / (names[i] + ".xml")).string(),
                 junit_xml(graded[i].results, names[i], graded[i].paths));
    } catch (const std::exception& e) {
      if (graded[i].problem.empty()) graded[i].problem = e.what();
    }
    int passed = 0, total = 0;
    for (const auto& result : graded[i].results) {
      const auto [p, t] = score(result);
      passed += p;
      total += t;
    }
    const std::lock_guard<std::mutex> lock(print_lock);
    print(fmt::format("  {:<24} {:>3}/{:<3} {:6.1f} s{}\n", names[i], passed, total,
                      graded[i].seconds,
                      graded[i].problem.empty() ? "" : "  " + graded[i].problem));
    std::fflush(stdout);
  });
  if (interrupted()) return kInterrupted;

  // The summary: one row per student, one column per lesson.
  const auto& lessons = context.catalog.lessons();
  std::string markdown = "| student |", rule = "| --- |", csv = "student";
  for (const auto& lesson : lessons) {
    markdown += " " + lesson.number + " |";
    rule += " ---: |";
    csv += ",lesson" + lesson.number;
  }
  markdown += " total | time (s) | note |\n" + rule + " ---: | ---: | --- |\n";
  csv += ",passed,checks,seconds,note\n";
  for (const auto& student : graded) {
    int passed = 0, total = 0;
    markdown += "| " + markdown_cell(student.name) + " |";
    csv += csv_field(student.name);
    for (const auto& lesson : lessons) {
      std::string cell = "-";
      for (const auto& result : student.results) {
        if (result.lesson.number != lesson.number) continue;
        const auto [p, t] = score(result);
        passed += p;
        total += t;
        cell = std::to_string(p) + "/" + std::to_string(t);
      }
      markdown += " " + cell + " |";
      csv += "," + cell;
    }
    const std::string seconds = fmt::format("{:.1f}", student.seconds);
    markdown += " " + std::to_string(passed) + "/" + std::to_string(total) + " | " + seconds +
                " | " + markdown_cell(student.problem) + " |\n";
    csv += "," + std::to_string(passed) + "," + std::to_string(total) + "," + seconds + "," +
           csv_field(student.problem) + "\n";
  }
  try {
    write_file((out / "summary.md").string(), markdown);
    write_file((out / "summary.csv").string(), csv);
  } catch (const std::exception& e) {
    error_line(std::string(e.what()) + ": choose another --out folder");
    return kUsage;
  }
  print("\n" + markdown + "\nSummary: " + (out / "summary.md").string() + ", " +
        (out / "summary.csv").string() + "; JUnit: " + (out / "junit").string() + "/\n");
  return kOk;
}

}  // namespace workbook
