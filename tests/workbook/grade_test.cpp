// Do not change this file: it checks `./workbook grade` (label workbook).
//
// Grades two copies of the project's lessons, each in a build tree of its own under
// <build>/workbook-grade-test: one with every solution copied over its lesson (every check must
// pass) and one pristine (every lesson must fail some check, by an assertion). Grading must
// never change the graded folder. The copies keep their files' times between runs, so a second
// run only rebuilds what changed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "lessons.hpp"
#include "process.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const std::string kRoot = BUILD_DIR "/workbook-grade-test";

// Makes `to` hold exactly the files of `from`, rewriting only files whose content differs.
void mirror(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::recursive_directory_iterator(to)) {
    if (entry.is_regular_file() && !fs::exists(from / fs::relative(entry.path(), to))) {
      fs::remove(entry.path());
    }
  }
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    if (!entry.is_regular_file()) continue;
    const fs::path target = to / fs::relative(entry.path(), from);
    const std::string text = workbook::read_file(entry.path().string());
    if (!fs::exists(target) || workbook::read_file(target.string()) != text) {
      workbook::write_file(target.string(), text);
    }
  }
}

// Every file under `root` and its content.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).string()] = workbook::read_file(entry.path().string());
    }
  }
  return files;
}

struct Suite {
  int tests = -1, failures = -1, errors = -1;
};

// The counts of JUnit suite `name` ("lesson01") in `xml`.
Suite suite(const std::string& xml, const std::string& name) {
  const std::regex pattern("<testsuite name=\"" + name +
                           "\" tests=\"(\\d+)\" failures=\"(\\d+)\" errors=\"(\\d+)\"");
  std::smatch match;
  Suite counts;
  if (std::regex_search(xml, match, pattern)) {
    counts = {std::stoi(match[1]), std::stoi(match[2]), std::stoi(match[3])};
  }
  return counts;
}

struct Graded {
  workbook::ProcessResult result;
  std::string junit;
  bool unchanged = false;
};

Graded grade(const std::string& name, const fs::path& student) {
  const std::string junit = kRoot + "/" + name + ".xml";
  fs::remove(junit);
  const auto before = snapshot(student);
  Graded graded;
  graded.result =
      workbook::run_process({{WORKBOOK_TOOL, "--build-dir", BUILD_DIR, "grade", student.string(),
                              "--junit", junit, "--grade-dir", kRoot + "/" + name + "-build"},
                             "",
                             {{"NO_COLOR", "1"}},
                             1200});
  graded.junit = fs::exists(junit) ? workbook::read_file(junit) : "";
  graded.unchanged = snapshot(student) == before;
  return graded;
}

std::string describe(const Graded& graded) {
  return "exit " + std::to_string(graded.result.exit_code) + "\nstdout:\n" + graded.result.out +
         "stderr:\n" + graded.result.err;
}

}  // namespace

TEST_CASE("grading a copy with every lesson solved: every check of every lesson passes",
          "[grade]") {
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  const fs::path student = kRoot + "/solved";
  const fs::path staging = kRoot + "/solved-staging";
  fs::remove_all(staging);
  fs::create_directories(staging);
  fs::copy(LESSONS_DIR, staging / "lessons", fs::copy_options::recursive);
  for (const auto& lesson : catalog.lessons()) {
    fs::copy(SOLUTIONS_DIR "/" + lesson.directory, staging / "lessons" / lesson.directory,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  mirror(staging, student);
  fs::remove_all(staging);

  const Graded graded = grade("solved", student);
  INFO(describe(graded));
  CHECK(graded.result.exit_code == 0);
  CHECK(graded.result.err.empty());
  CHECK_THAT(graded.result.out, Contains("Result: every lesson passes"));
  CHECK(graded.unchanged);
  for (const auto& lesson : catalog.lessons()) {
    INFO("lesson " << lesson.number << " in the JUnit XML:\n" << graded.junit);
    const Suite counts = suite(graded.junit, "lesson" + lesson.number);
    CHECK(counts.tests > 0);
    CHECK(counts.failures == 0);
    CHECK(counts.errors == 0);
  }
}

TEST_CASE("grading a pristine copy: every lesson builds and fails some check, by assertion",
          "[grade]") {
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  const fs::path student = kRoot + "/pristine";
  mirror(LESSONS_DIR, student / "lessons");

  const Graded graded = grade("pristine", student);
  INFO(describe(graded));
  CHECK(graded.result.exit_code == 1);
  CHECK(graded.result.err.empty());
  CHECK_THAT(graded.result.out, Contains("Result: not every lesson passes"));
  CHECK(graded.unchanged);
  for (const auto& lesson : catalog.lessons()) {
    INFO("lesson " << lesson.number << " in the JUnit XML:\n" << graded.junit);
    const Suite counts = suite(graded.junit, "lesson" + lesson.number);
    CHECK(counts.tests > 0);
    CHECK(counts.failures > 0);  // failed assertions
  }
  // Failing is fine; not compiling, crashing or hanging is not.
  for (const char* kind : {"build", "missing", "crash", "timeout"}) {
    CHECK_THAT(graded.junit, !Contains(std::string("<error type=\"") + kind + "\""));
  }
}
