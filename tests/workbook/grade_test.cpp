// Do not change this file: it checks `./workbook grade` (label workbook).
//
// Grades two copies of the project's lessons, each in a build tree of its own under
// <build>/workbook-grade-test: one with every solution copied over its lesson (every check must
// pass) and one pristine (every lesson must fail some check, by an assertion). Grading must
// never change the graded folder. The copies keep their files' times between runs, so a second
// run only rebuilds what changed.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "lessons.hpp"
#include "lines.hpp"
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

namespace {

// <testsuites ... tests="N">: the number of test cases in the whole report.
int total_tests(const std::string& xml) {
  const std::regex pattern("<testsuites name=\"[^\"]*\" tests=\"(\\d+)\"");
  std::smatch match;
  return std::regex_search(xml, match, pattern) ? std::stoi(match[1]) : -1;
}

// The "Result: ..." line of a grade.
std::string result_line(const std::string& out) {
  const auto at = out.find("Result: ");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
}

// Copies `from` over `to` keeping the files' times, as `cp -a` (or unpacking an archive) does.
void copy_keeping_times(const fs::path& from, const fs::path& to) {
  const auto copied =
      workbook::run_process(subprocess::command({"cp", "-a", from.string() + "/.", to.string()}));
  REQUIRE(copied.ok());
}

// Sets every file under `root` to an old time, as `touch -d 2000-01-01` would.
void make_old(const fs::path& root) {
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    fs::last_write_time(entry.path(),
                        fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 20));
  }
}

// The number of checks of lesson `number`, as its solution's check program lists them.
int listed_checks(const std::string& number) {
  const auto listed = workbook::run_process(subprocess::command(
      {BUILD_DIR "/tests/lessons/check_solution" + number, "--list-test-names-only"}));
  int count = 0;
  for (const auto& line : workbook::split_lines(listed.out)) count += line.empty() ? 0 : 1;
  return count;
}

// A copy of the lessons with every solution over its lesson.
void solved_lessons(const fs::path& to) {
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  fs::remove_all(to);
  fs::create_directories(to);
  fs::copy(LESSONS_DIR, to, fs::copy_options::recursive);
  for (const auto& lesson : catalog.lessons()) {
    fs::copy(SOLUTIONS_DIR "/" + lesson.directory, to / lesson.directory,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
}

}  // namespace

TEST_CASE("a grade depends only on the files' contents, not their times or earlier grades",
          "[grade]") {
  const fs::path student = kRoot + "/regrade";
  const fs::path solved = kRoot + "/regrade-solved";
  const fs::path pristine = kRoot + "/regrade-pristine";
  solved_lessons(solved);
  fs::remove_all(pristine);
  fs::create_directories(pristine);
  fs::copy(LESSONS_DIR, pristine, fs::copy_options::recursive);
  make_old(solved);
  make_old(pristine);
  fs::remove_all(student);
  fs::create_directories(student / "lessons");
  copy_keeping_times(pristine, student / "lessons");

  const Graded first = grade("regrade", student);
  INFO(describe(first));
  REQUIRE(first.result.exit_code == 1);
  const int total = total_tests(first.junit);
  CHECK(total > 0);

  // A solved submission unpacked over the graded one, with old times: graded as solved.
  copy_keeping_times(solved, student / "lessons");
  const Graded resubmitted = grade("regrade", student);
  INFO(describe(resubmitted));
  CHECK(resubmitted.result.exit_code == 0);
  CHECK_THAT(resubmitted.result.out, Contains("Result: every lesson passes"));
  CHECK(total_tests(resubmitted.junit) == total);

  // The same files touched to another old time: the same grade. As root, the grader builds as
  // the submission's own user: a file root left in its build tree (root running a build there
  // by hand rewrites Ninja's log) must not stop that build.
  make_old(student);
  if (::geteuid() == 0) {
    const fs::path ninja_log = kRoot + "/regrade-build/build/.ninja_log";
    REQUIRE(fs::exists(ninja_log));
    REQUIRE(::chown(ninja_log.c_str(), 0, 0) == 0);
  }
  const Graded touched = grade("regrade", student);
  INFO(describe(touched));
  CHECK(touched.result.exit_code == 0);
  CHECK(result_line(touched.result.out) == result_line(resubmitted.result.out));

  // The pristine files back, with their old times (and nothing of the solved copy left, such as
  // lesson 04's migrations): the first grade again.
  fs::remove_all(student / "lessons");
  fs::create_directories(student / "lessons");
  copy_keeping_times(pristine, student / "lessons");
  const Graded again = grade("regrade", student);
  INFO(describe(again));
  CHECK(again.result.exit_code == 1);
  CHECK(result_line(again.result.out) == result_line(first.result.out));
  CHECK(total_tests(again.junit) == total);
}

TEST_CASE(
    "a lesson that does not compile: each of its checks is an error with the compiler's "
    "first error, and the number of checks stays the same, but a mistake the checks explain "
    "compiles",
    "[grade]") {
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  const fs::path student = kRoot + "/broken";
  mirror(LESSONS_DIR, student / "lessons");
  // Lesson 02 does not compile; lesson 01 has a warning (warnings never stop a lesson's build).
  const fs::path app = student / "lessons/02_connect/app/app.cpp";
  workbook::write_file(app.string(), workbook::read_file(app.string()) + "\nthis is not C++;\n");
  const fs::path main = student / "lessons/01_create_db/main.cpp";
  workbook::write_file(main.string(), workbook::read_file(main.string()) +
                                          "\nstatic int probe() { int unused = 0; return 0; }\n"
                                          "int (*workbook_probe)() = probe;\n");

  // Lesson 03's Book with its description declared as a std::string, a likely mistake: the checks
  // still compile, and the check of the column types says what to change.
  std::string book = workbook::read_file(SOLUTIONS_DIR "/03_models/models/book.hpp");
  const auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = book.find(from);
    REQUIRE(at != std::string::npos);
    book.replace(at, from.size(), to);
  };
  replace("std::optional<std::string> description;", "std::string description;");
  replace("description.value_or(\"(none)\")", "description");
  workbook::write_file((student / "lessons/03_models/models/book.hpp").string(), book);

  const Graded graded = grade("broken", student);
  INFO(describe(graded));
  CHECK(graded.result.exit_code == 1);
  CHECK(graded.result.err.empty());
  CHECK(suite(graded.junit, "lesson03").errors == 0);
  CHECK_THAT(graded.junit, Contains("description: it must accept NULL (std::optional);"));
  // As many checks as the lesson has: its solution's check program lists them.
  int total = 0;
  for (const auto& lesson : catalog.lessons()) {
    const int listed = listed_checks(lesson.number);
    total += listed;
    const Suite counts = suite(graded.junit, "lesson" + lesson.number);
    INFO("lesson " << lesson.number << ":\n" << graded.junit);
    CHECK(counts.tests == listed);
    if (lesson.number == "02") CHECK(counts.errors == listed);
    if (lesson.number == "01") CHECK(counts.failures > 0);  // it built and ran, by assertion
  }
  CHECK(total_tests(graded.junit) == total);
  CHECK_THAT(graded.junit, Contains("<error type=\"build\" message=\"does not compile: "
                                    "lessons/02_connect/app/app.cpp:"));
  CHECK_THAT(graded.result.out,
             !Contains("lesson 01  " + catalog.lessons()[0].title + "  does not compile"));
}
