// Do not change this file: it checks the student commands of ./workbook (label workbook).
//
// Most tests run workbook-tool on a small throw-away project (two lessons in a git repository)
// so that hint, reset and watch can change files freely; one runs a real lesson's solution.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "lessons.hpp"
#include "process.hpp"
#include "test_database.hpp"
#include "workbook_testing.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using workbook::ProcessResult;

using workbook_testing::count_of;

namespace {

// The name of the fixture's last check (full of characters Catch2 treats specially).
const char* const kAfterTheCrash =
    "a check after the one that dies, named with \"quotes\", [brackets], ~ * and \\";

const char* const kLessonsJson = R"({
  "lessons": [
    {"number": "01", "directory": "01_first", "title": "The first lesson", "program": "first",
     "edit": ["main.cpp", "models/book.hpp"],
     "hints": ["Look at main.cpp.", "Call create_database()."]},
    {"number": "02", "directory": "02_second", "title": "The second lesson", "program": "second",
     "edit": ["app.cpp"], "hints": ["Only hint."]}
  ]
})";

const char* const kStarter = "// TODO: create the database\nint main() { return 2; }\n";

// A project with two lessons, committed to git, and a build tree description pointing at it.
// There is no real build: the lessons have no CMakeLists.txt, or, with `built`, a placeholder
// one and "programs" that are /bin/echo and the pretend check program (fixture_checks.cpp).
struct Project {
  fs::path root;
  fs::path build;

  explicit Project(const std::string& name, bool built = false) {
    root = fs::path(testing_support::scratch_directory()) / name;
    build = root / "build";
    fs::remove_all(root);
    workbook::write_file((root / "lessons/lessons.json").string(), kLessonsJson);
    workbook::write_file((root / "lessons/01_first/main.cpp").string(), kStarter);
    workbook::write_file((root / "lessons/02_second/app.cpp").string(), "// TODO: the app\n");
    std::string targets;
    if (built) {
      for (const char* lesson : {"01", "02"}) {
        targets += std::string(targets.empty() ? "" : ", ") + "\"lesson" + lesson +
                   "\": \"/bin/echo\", \"check_lesson" + lesson + "\": \"" FIXTURE_CHECKS "\"";
      }
      workbook::write_file((root / "lessons/01_first/CMakeLists.txt").string(), "# built\n");
      workbook::write_file((root / "lessons/02_second/CMakeLists.txt").string(), "# built\n");
    }
    workbook::write_file((build / "workbook-tool.json").string(),
                         "{\"build_dir\": \"" + build.string() + "\", \"source_dir\": \"" +
                             root.string() + "\", \"lessons_dir\": \"" + root.string() +
                             "/lessons\", \"solutions_dir\": \"\", \"lessons_json\": \"" +
                             root.string() + "/lessons/lessons.json\", \"targets\": {" + targets +
                             "}}\n");
    git({"init", "-q"});
    git({"add", "lessons"});
    git({"commit", "-q", "-m", "starters"});
  }

  void git(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"git",
                                  "-c",
                                  "user.name=Test",
                                  "-c",
                                  "user.email=t@example.com",
                                  "-c",
                                  "init.defaultBranch=main"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult result = workbook::run_process({argv, root.string(), {}, 60});
    INFO(workbook::shell_join(argv) << "\n" << result.out << result.err);
    REQUIRE(result.ok());
  }

  ProcessResult tool(const std::vector<std::string>& args,
                     std::vector<subprocess::EnvChange> env = {}) const {
    std::vector<std::string> argv{WORKBOOK_TOOL, "--build-dir", build.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    env.emplace_back("NO_COLOR", "1");
    return workbook::run_process({argv, root.string(), env, 60});
  }

  std::string lesson_file(const std::string& path) const {
    return workbook::read_file((root / "lessons" / path).string());
  }
};

std::string describe(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\nstdout:\n" + result.out + "stderr:\n" +
         result.err;
}

}  // namespace

TEST_CASE("hint shows one more hint each time, --all shows every hint", "[hint]") {
  const Project project("hints");
  auto first = project.tool({"hint", "1"});
  INFO(describe(first));
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.empty());
  CHECK_THAT(first.out, Contains("1. Look at main.cpp."));
  CHECK_THAT(first.out, !Contains("Call create_database()"));
  CHECK_THAT(first.out, Contains("Hint 1 of 2"));
  CHECK_THAT(first.out, Contains("./workbook hint 01"));

  auto second = project.tool({"hint", "01"});
  INFO(describe(second));
  CHECK_THAT(second.out, Contains("1. Look at main.cpp."));
  CHECK_THAT(second.out, Contains("2. Call create_database()."));
  CHECK_THAT(second.out, Contains("That is every hint for lesson 01"));

  auto other = project.tool({"hint", "02_second", "--all"});
  INFO(describe(other));
  CHECK_THAT(other.out, Contains("1. Only hint."));
}

TEST_CASE("hint goes step by step: the first step not seen, or the step asked for", "[hint]") {
  const Project project("hint_steps");
  workbook::write_file((project.root / "lessons/lessons.json").string(), R"({"lessons": [
    {"number": "01", "directory": "01_first", "title": "The first lesson", "program": "first",
     "hints": [{"step": "2", "hints": ["Two, nudge.", "Two, code:\nline 2"]},
               {"step": "your turn", "hints": ["Turn, nudge.", "Turn, API.", "Turn, code."]}]}
  ]})");
  auto first = project.tool({"hint", "01"});
  INFO(describe(first));
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Contains("Step 2\n    1. Two, nudge."));
  CHECK_THAT(first.out, Contains("Step 2: hint 1 of 2. Still stuck? ./workbook hint 01 2"));
  CHECK_THAT(first.out, Contains("./workbook hint 01 STEP (STEP: 2 or your-turn)"));
  CHECK_THAT(first.out, !Contains("Turn, nudge."));

  auto turn = project.tool({"hint", "01", "your-turn"});  // another step, on request
  INFO(describe(turn));
  CHECK_THAT(turn.out, Contains("Your turn\n    1. Turn, nudge."));
  CHECK_THAT(turn.out, !Contains("Two, nudge."));
  CHECK_THAT(turn.out,
             Contains("Your turn: hint 1 of 3. Still stuck? ./workbook hint 01 your-turn"));

  auto second = project.tool({"hint", "01"});  // step 2 still has a hint not seen
  INFO(describe(second));
  CHECK_THAT(second.out, Contains("    2. Two, code:\n       line 2\n"));  // lined up
  CHECK_THAT(second.out, Contains("That is every hint for Step 2."));

  auto next = project.tool({"hint", "01"});  // then the next step, where it was left
  INFO(describe(next));
  CHECK_THAT(next.out, Contains("2. Turn, API."));
  CHECK_THAT(next.out, !Contains("Turn, code."));

  auto unknown = project.tool({"hint", "01", "7"});
  INFO(describe(unknown));
  CHECK(unknown.exit_code == 64);
  CHECK(unknown.err == "error: lesson 01 has no hints for step '7': use 2 or your-turn\n");

  // reset forgets the steps' hints too
  workbook::write_file((project.root / "lessons/01_first/main.cpp").string(), "// my work\n");
  REQUIRE(project.tool({"reset", "01", "--yes"}).exit_code == 0);
  auto again = project.tool({"hint", "01"});
  INFO(describe(again));
  CHECK_THAT(again.out, Contains("Step 2: hint 1 of 2"));
}

TEST_CASE("hint starts at the step the last check stopped at, and says when none is waiting",
          "[hint]") {
  const Project project("hint_after_check", true);
  workbook::write_file((project.root / "lessons/lessons.json").string(), R"({"lessons": [
    {"number": "01", "directory": "01_first", "title": "The first lesson", "program": "first",
     "edit": ["main.cpp", "models/book.hpp"],
     "hints": [{"step": "2", "hints": ["Two."]}, {"step": "3", "hints": ["Three, nudge.",
               "Three, code."]}]}
  ]})");
  // The first failing check says "(step 3 in ...)": hint begins with step 3, not step 2.
  REQUIRE(project.tool({"--no-build", "check", "1"}).exit_code == 1);
  const auto stuck = project.tool({"hint", "01"});
  INFO(describe(stuck));
  CHECK_THAT(stuck.out, Contains("Step 3\n    1. Three, nudge."));
  CHECK_THAT(stuck.out, !Contains("Two."));

  // Once every check passes, no step is waiting: hint says so and reveals nothing.
  REQUIRE(project.tool({"--no-build", "check", "1"}, {{"FIXTURE_MODE", "all-pass"}}).exit_code ==
          0);
  const auto done = project.tool({"hint", "01"});
  INFO(describe(done));
  CHECK(done.exit_code == 0);
  CHECK_THAT(done.out, Contains("Lesson 01 passed every check when it was last checked ("));
  CHECK_THAT(done.out, Contains("The hints of one step: ./workbook hint 01 STEP (STEP: 2 or 3)"));
  CHECK_THAT(done.out, !Contains("Two.") && !Contains("Three, code."));
  // A step asked for, or --all, still shows its hints.
  CHECK_THAT(project.tool({"hint", "01", "2"}).out, Contains("1. Two."));
  CHECK_THAT(project.tool({"hint", "01", "--all"}).out, Contains("2. Three, code."));
}

TEST_CASE("an unknown lesson is a one-line error naming the lessons there are", "[errors]") {
  const Project project("unknown");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"hint", "9"}, std::vector<std::string>{"check", "nine"}}) {
    const auto result = project.tool(args);
    INFO(describe(result));
    CHECK(result.exit_code == 64);
    CHECK(result.out.empty());
    CHECK(result.err == "error: there is no lesson '" + args[1] +
                            "': use 01 or 02 (./workbook list shows them)\n");
  }
}

TEST_CASE("list shows every lesson, its files and its last known state", "[list]") {
  const Project project("list");
  const auto result = project.tool({"list"});
  INFO(describe(result));
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK_THAT(result.out, Contains("01  The first lesson"));
  CHECK_THAT(result.out, Contains("02  The second lesson"));
  CHECK_THAT(result.out, Contains("edit lessons/01_first/main.cpp"));
  CHECK(count_of(result.out, "not checked yet") == 2);
}

TEST_CASE("checks never pass without a database: one line and the fix, exit code 3", "[errors]") {
  const Project project("nodb");
  const std::string nowhere = "postgresql://postgres:secret-pw@127.0.0.1:1/hello_books_development";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"check", "01"},
        std::vector<std::string>{"grade", project.root.string()}}) {
    const auto result = project.tool(args, {{"DATABASE_URL", nowhere}});
    INFO(describe(result));
    CHECK(result.exit_code == 3);
    CHECK(result.out.find("pass") == std::string::npos);
    CHECK_THAT(result.err, StartsWith("error: the checks need PostgreSQL, and cannot connect to "
                                      "PostgreSQL at 127.0.0.1:1"));
    CHECK_THAT(result.err, Contains("./workbook db start"));
    CHECK(count_of(result.err, "\n") == 1);
    CHECK_THAT(result.err, !Contains("secret-pw"));
  }
  // Without DATABASE_URL no server is guessed (the workbook's may run on another port).
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{}, std::vector<std::string>{"check", "01"}}) {
    const auto result = project.tool(args, {{"DATABASE_URL", std::nullopt}});
    INFO(describe(result));
    CHECK(result.exit_code == 3);
    CHECK_THAT(result.err, Contains("DATABASE_URL is not set"));
    CHECK_THAT(result.err, Contains("./workbook db url"));
    CHECK(count_of(result.err, "\n") == 1);
  }
}

TEST_CASE("a lesson that cannot be built says how to restore it", "[progress]") {
  const Project project("missing");
  const auto result = project.tool({});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  CHECK(result.err.empty());
  CHECK_THAT(result.out, Contains("0/2 lessons done"));
  CHECK_THAT(result.out, Contains("lessons/01_first/CMakeLists.txt is missing"));
  CHECK_THAT(result.out, Contains("./workbook reset 01"));
}

TEST_CASE("reset asks first, keeps a backup and restores the starter from git", "[reset]") {
  Project project("reset");
  workbook::write_file((project.root / "lessons/01_first/main.cpp").string(), "my work\n");
  workbook::write_file((project.root / "lessons/01_first/notes.txt").string(), "my notes\n");

  // Without a terminal to ask on, it refuses unless told --yes.
  const auto refused = project.tool({"reset", "01"});
  INFO(describe(refused));
  CHECK(refused.exit_code == 64);
  CHECK_THAT(refused.err, Contains("./workbook reset 01 --yes"));
  CHECK_THAT(refused.out, Contains("changed    main.cpp"));
  CHECK_THAT(refused.out, Contains("added      notes.txt"));
  CHECK(project.lesson_file("01_first/main.cpp") == "my work\n");

  const auto done = project.tool({"reset", "01", "--yes"});
  INFO(describe(done));
  REQUIRE(done.exit_code == 0);
  CHECK(done.err.empty());
  CHECK(project.lesson_file("01_first/main.cpp") == kStarter);
  CHECK_FALSE(fs::exists(project.root / "lessons/01_first/notes.txt"));
  CHECK(project.lesson_file("02_second/app.cpp") == "// TODO: the app\n");  // other lessons stay

  std::vector<fs::path> backups;
  for (const auto& entry : fs::directory_iterator(project.root / ".workbook/backup")) {
    backups.push_back(entry.path());
  }
  REQUIRE(backups.size() == 1);
  CHECK_THAT(backups[0].filename().string(), Contains("-01_first"));
  CHECK(workbook::read_file((backups[0] / "main.cpp").string()) == "my work\n");
  CHECK(workbook::read_file((backups[0] / "notes.txt").string()) == "my notes\n");

  const auto again = project.tool({"reset", "01"});
  INFO(describe(again));
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Contains("already the starter"));

  // It says how to get the files back, and that command does it.
  const std::string marker = "To get them back: ";
  const auto at = done.out.find(marker);
  REQUIRE(at != std::string::npos);
  const std::string restore =
      done.out.substr(at + marker.size(), done.out.find("   (then", at) - at - marker.size());
  CHECK_THAT(restore, StartsWith("cp -a .workbook/backup/"));
  CHECK_THAT(done.out, Contains("(then ./workbook check 01)"));
  const auto restored =
      workbook::run_process({{"/bin/sh", "-c", restore}, project.root.string(), {}, 60});
  INFO(restore << "\n" << restored.err);
  CHECK(restored.ok());
  CHECK(project.lesson_file("01_first/main.cpp") == "my work\n");
  CHECK(project.lesson_file("01_first/notes.txt") == "my notes\n");
}

TEST_CASE("reset takes the starter from origin/HEAD, not from the student's commits", "[reset]") {
  Project project("reset_origin");
  // The workbook as cloned: origin/HEAD points at the starters.
  project.git({"update-ref", "refs/remotes/origin/main", "HEAD"});
  project.git({"symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main"});
  // The student commits their work.
  workbook::write_file((project.root / "lessons/01_first/main.cpp").string(), "committed work\n");
  project.git({"commit", "-q", "-a", "-m", "my lesson 01"});

  const auto done = project.tool({"reset", "01", "--yes"});
  INFO(describe(done));
  REQUIRE(done.exit_code == 0);
  CHECK_THAT(done.out, Contains("from origin/HEAD"));
  CHECK(project.lesson_file("01_first/main.cpp") == kStarter);

  // WORKBOOK_STARTER_REF chooses another commit; a bad one is a one-line error.
  const auto bad =
      project.tool({"reset", "01", "--yes"}, {{"WORKBOOK_STARTER_REF", "no-such-ref"}});
  INFO(describe(bad));
  CHECK(bad.exit_code == 64);
  CHECK(bad.err ==
        "error: 'no-such-ref' is not a commit here; fix or unset WORKBOOK_STARTER_REF\n");
  const auto head = project.tool({"reset", "01", "--yes"}, {{"WORKBOOK_STARTER_REF", "HEAD"}});
  INFO(describe(head));
  CHECK(head.exit_code == 0);
  CHECK(project.lesson_file("01_first/main.cpp") == "committed work\n");
}

TEST_CASE("watch checks again when a lesson file is saved, and stops on Ctrl-C", "[watch]") {
  const Project project("watch");
  // A save after 2 seconds; Ctrl-C (SIGINT, as a terminal sends) after 10, leaving time for the
  // second round of checks on a busy machine.
  std::thread saver([&] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    workbook::write_file((project.root / "lessons/01_first/main.cpp").string(), "saved\n");
  });
  const ProcessResult result =
      workbook::run_process({{"timeout", "--preserve-status", "-s", "INT", "10", WORKBOOK_TOOL,
                              "--build-dir", project.build.string(), "watch"},
                             project.root.string(),
                             {{"NO_COLOR", "1"}},
                             60});
  saver.join();
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(count_of(result.out, "0/2 lessons done") == 2);  // at the start and after the save
  CHECK(count_of(result.out, "A file changed: checking again") == 1);
  CHECK_THAT(result.out, Contains("Stopped watching."));
}

TEST_CASE("check --solution runs a lesson's checks on its solution: all pass", "[check]") {
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  const auto& lesson = catalog.lessons().front();
  const ProcessResult result =
      workbook::run_process({{WORKBOOK_TOOL, "--build-dir", BUILD_DIR, "--no-build", "check",
                              lesson.number, "--solution"},
                             "",
                             {{"NO_COLOR", "1"}},
                             300});
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());  // stderr stays clean on success
  CHECK_THAT(result.out, Contains("Solution " + lesson.number + ": " + lesson.title));
  CHECK_THAT(result.out, Contains("checks pass: solution " + lesson.number + " is done."));
  CHECK_THAT(result.out, !Contains("[ ]"));
}

TEST_CASE("check shows every failing check with expected and actual values, and the next step",
          "[check]") {
  const Project project("check_failing", true);
  const auto result = project.tool({"--no-build", "check", "1"});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  CHECK(result.err.empty());
  const std::string& out = result.out;
  CHECK_THAT(out, StartsWith("Lesson 01: The first lesson  (lessons/01_first)\n"));
  CHECK_THAT(out, Contains("3 of 7 checks pass."));
  CHECK_THAT(out, Contains("  [x] a check that passes\n"));
  // No place in the check's own source: the student edits lessons/, not the checks.
  CHECK_THAT(out, Contains("  [ ] a comparison that fails\n"
                           "    failed:   "));
  CHECK_THAT(out, !Contains("    at "));
  CHECK_THAT(out, Contains("    failed:   CHECK( actual == expected )\n"
                           "    expected: \"1: Dune. Description: sand\"\n"
                           "    actual:   \"1: Dune\"\n"
                           "    Expected: to_string() gives the description too\n"
                           "    see lessons/03_models/README.md, step 3\n"));
  CHECK_THAT(out, Contains("    error:    the check stopped: cannot connect to PostgreSQL at "
                           "nowhere:1\n"));
  CHECK_THAT(out, Contains("    errors:\n      printed on stderr before the exception\n"));
  CHECK_THAT(out, Contains("    failed:   REQUIRE_NOTHROW( throw std::logic_error(\"not done yet: "
                           "Book::to_string()\") )\n"
                           "    threw:    not done yet: Book::to_string()\n"));
  CHECK_THAT(out, Contains("    in: outer / inner\n"));
  CHECK_THAT(out, Contains("    failed:   the inner section fails\n"));
  // The first failing check names one of the lesson's two files: that one.
  CHECK_THAT(out, Contains("Next:\n"
                           "  edit    lessons/01_first/models/book.hpp\n"
                           "  read    lessons/01_first/README.md\n"
                           "  stuck?  ./workbook hint 01\n"
                           "  rerun   ./workbook check 01\n"));
}

TEST_CASE("Next names the folder a failing check asks to edit, as it says it", "[check]") {
  const Project project("check_folder", true);
  const auto result =
      project.tool({"--no-build", "check", "1"}, {{"FIXTURE_MODE", "revision-folder"}});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  // Not the lesson's C++ files (its "edit" list in lessons.json): the revisions' folder.
  CHECK_THAT(result.out, Contains("Next:\n"
                                  "  edit    lessons/01_first/migrations/versions/\n"
                                  "  read    lessons/01_first/README.md\n"));
}

TEST_CASE("Next names the file where an unfinished program stopped", "[check]") {
  const Project project("check_unfinished", true);
  const auto result =
      project.tool({"--no-build", "check", "1"}, {{"FIXTURE_MODE", "not-finished"}});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  // "not done yet: ... in main.cpp (step 3)": main.cpp, not every file of the lesson.
  CHECK_THAT(result.out, Contains("Next:\n"
                                  "  edit    lessons/01_first/main.cpp\n"
                                  "  read    lessons/01_first/README.md\n"));
}

TEST_CASE("Next names the db commands a failing check asks for, and the hints of its step",
          "[check]") {
  const Project project("check_commands", true);
  workbook::write_file((project.root / "lessons/lessons.json").string(), R"({"lessons": [
    {"number": "01", "directory": "01_first", "title": "The first lesson", "program": "first",
     "edit": ["main.cpp", "models/book.hpp"],
     "hints": [{"step": "2", "hints": ["Two."]}, {"step": "3", "hints": ["Three."]}]}
  ]})");
  const auto result = project.tool({"--no-build", "check", "1"}, {{"FIXTURE_MODE", "run-command"}});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  // The commands as the check wrote them (the comma inside the quotes is the message's), no
  // "edit" line listing every file, and the hints of step 3, the step the check names.
  CHECK_THAT(result.out,
             Contains("Next:\n"
                      "  run     ./workbook run 01 db migrate -m \"adds Book model, at last\", "
                      "then ./workbook run 01 db upgrade\n"
                      "  read    lessons/01_first/README.md\n"
                      "  stuck?  ./workbook hint 01 3\n"));
}

TEST_CASE("a check program that crashes is reported, with exit code 4", "[check]") {
  const Project project("check_crash", true);
  const auto result = project.tool({"--no-build", "check", "01"}, {{"FIXTURE_MODE", "segfault"}});
  INFO(describe(result));
  CHECK(result.exit_code == 4);
  CHECK_THAT(result.out, Contains("  [ ] the program dies here\n"));
  CHECK_THAT(result.out, Contains("    crashed:  SIGSEGV"));
  CHECK_THAT(result.out, Contains("  [x] " + std::string(kAfterTheCrash) + "\n"));
}

TEST_CASE("progress: the bar, the first lesson not done, its first failure, the next step",
          "[progress]") {
  const Project project("progress", true);
  const auto result = project.tool({"--no-build"});
  INFO(describe(result));
  CHECK(result.exit_code == 1);
  CHECK(result.err.empty());
  CHECK_THAT(result.out, StartsWith("hello_books workbook\n\n"
                                    "  [------------------------]  0/2 lessons done\n\n"
                                    "  [ ] 01  The first lesson   3/7 checks pass   <- next\n"
                                    "  [ ] 02  The second lesson  3/7 checks pass\n\n"
                                    "Lesson 01: The first lesson  (lessons/01_first)\n"
                                    "  3 of 7 checks pass. The first that fails:\n\n"
                                    "  [ ] a comparison that fails\n"));
  CHECK_THAT(result.out, Contains("    expected: \"1: Dune. Description: sand\"\n"
                                  "    actual:   \"1: Dune\"\n"));
  CHECK_THAT(result.out, !Contains("the check stopped"));  // only the first failure
  CHECK_THAT(result.out, Contains("  rerun   ./workbook\n"));

  // `list` remembers what the last run found.
  const auto listed = project.tool({"list"});
  CHECK_THAT(listed.out, Contains("01  The first lesson   3/7 checks pass"));
}

TEST_CASE("progress: when every lesson is done it says so and exits with 0", "[progress]") {
  const Project project("all_done", true);
  const auto result = project.tool({"--no-build"}, {{"FIXTURE_MODE", "all-pass"}});
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK_THAT(result.out, Contains("[########################]  2/2 lessons done"));
  CHECK_THAT(result.out, Contains("  [x] 02  The second lesson  done\n"));
  CHECK_THAT(result.out, Contains("All 2 lessons are done."));
}

TEST_CASE("run hands every argument after the lesson to the lesson's program", "[run]") {
  const Project project("run", true);
  const auto result =
      project.tool({"--no-build", "run", "01", "db", "migrate", "-m", "adds Book model", "--help"});
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "db migrate -m adds Book model --help\n");  // /bin/echo stands in for it
  CHECK(result.err.empty());
}

TEST_CASE("run tells the lesson's program how the student runs it", "[run]") {
  // The program's advice then names `./workbook run 01 ...` (lessons/support/workbook/command.hpp).
  const Project project("run_command", true);
  const std::string tree = (project.build / "workbook-tool.json").string();
  std::string json = workbook::read_file(tree);
  json.replace(json.find("/bin/echo"), std::string("/bin/echo").size(), "/usr/bin/printenv");
  workbook::write_file(tree, json);
  const auto result = project.tool({"--no-build", "run", "01", "WORKBOOK_COMMAND"});
  INFO(describe(result));
  CHECK(result.exit_code == 0);
  CHECK(result.out == "./workbook run 01\n");
}

TEST_CASE("run says so when it waits for another build, instead of looking hung", "[run]") {
  const Project project("run_waits", true);
  const fs::path lock_path = project.build / "workbook-tool" / "build.lock";
  fs::create_directories(lock_path.parent_path());
  // Holds the build lock as the background build of a first ./workbook does, for one second.
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  std::thread release([fd] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ::close(fd);
  });
  const auto result = project.tool({"run", "01"});
  release.join();
  INFO(describe(result));
  CHECK_THAT(result.err,
             StartsWith("Waiting for another build of the lessons to finish (the "
                        "first ./workbook builds the lessons in the background) ...\n"));
  // Without a wait, nothing is said.
  const auto again = project.tool({"run", "01"});
  INFO(describe(again));
  CHECK_THAT(again.err, !Contains("Waiting"));
}

TEST_CASE("a lesson that does not compile shows the first compiler error and its file", "[build]") {
  // A real (tiny) CMake project: lesson 01 has a compile error, lesson 02 builds.
  const Project project("build_error");
  workbook::write_file((project.root / "CMakeLists.txt").string(), R"(
cmake_minimum_required(VERSION 3.25)
project(mini LANGUAGES CXX)
# Like the workbook's docs, a glob CMake checks on every build (Ninja then always has work).
file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/lessons/*.cpp")
add_executable(lesson01 lessons/01_first/main.cpp)
add_executable(lesson02 lessons/02_second/app.cpp)
add_custom_target(check_lesson01)
add_custom_target(check_lesson02)
file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/workbook-tool.json" CONTENT "{
  \"build_dir\": \"${CMAKE_BINARY_DIR}\", \"source_dir\": \"${CMAKE_SOURCE_DIR}\",
  \"lessons_dir\": \"${CMAKE_SOURCE_DIR}/lessons\", \"solutions_dir\": \"\",
  \"lessons_json\": \"${CMAKE_SOURCE_DIR}/lessons/lessons.json\",
  \"targets\": {\"lesson01\": \"$<TARGET_FILE:lesson01>\", \"check_lesson01\": \"${FIXTURE}\",
              \"lesson02\": \"$<TARGET_FILE:lesson02>\", \"check_lesson02\": \"${FIXTURE}\"}}")
)");
  workbook::write_file((project.root / "lessons/01_first/CMakeLists.txt").string(), "# built\n");
  workbook::write_file((project.root / "lessons/02_second/CMakeLists.txt").string(), "# built\n");
  // The error lies in the part marked TODO (step 2): the hints of step 2 are the ones to offer.
  workbook::write_file((project.root / "lessons/lessons.json").string(), R"({"lessons": [
    {"number": "01", "directory": "01_first", "title": "The first lesson", "program": "first",
     "edit": ["main.cpp"], "hints": [{"step": "1", "hints": ["One."]},
                                     {"step": "2", "hints": ["Two."]}],
     "compile_hints": [{"when": ["other_name", "not declared"], "say": "Not this one."},
                       {"when": ["undeclared_name", "not declared"],
                        "say": "undeclared_name belongs in answer.hpp."}]},
    {"number": "02", "directory": "02_second", "title": "The second lesson", "program": "second",
     "edit": ["app.cpp"], "hints": ["Only hint."]}
  ]})");
  workbook::write_file((project.root / "lessons/01_first/main.cpp").string(),
                       "// TODO (step 1): a comment.\nint main() {\n  // TODO (step 2): the "
                       "answer.\n  return undeclared_name;\n}\n");
  workbook::write_file((project.root / "lessons/02_second/app.cpp").string(),
                       "int main() { return 0; }\n");
  fs::remove_all(project.build);
  const ProcessResult configure =
      workbook::run_process({{"cmake", "-S", project.root.string(), "-B", project.build.string(),
                              "-G", "Ninja", "-DFIXTURE=" FIXTURE_CHECKS},
                             "",
                             {},
                             120,
                             0,
                             true});
  INFO(configure.out);
  REQUIRE(configure.ok());

  const auto progress = project.tool({});
  INFO(describe(progress));
  CHECK(progress.exit_code == 1);
  // It builds: it says so before the build starts.
  CHECK_THAT(progress.out, StartsWith("Building what changed and checking your lessons ...\n"));
  CHECK_THAT(progress.out, Contains("  [ ] 01  The first lesson   does not compile   <- next\n"
                                    "  [ ] 02  The second lesson  3/7 checks pass\n"));
  CHECK_THAT(progress.out, Contains("  It does not compile yet (lessons/01_first/main.cpp):\n"));
  CHECK_THAT(progress.out, Contains("    lessons/01_first/main.cpp:4:10: error: "));
  CHECK_THAT(progress.out, Contains("undeclared_name"));
  CHECK_THAT(progress.out, Contains("  fix     lessons/01_first/main.cpp, line 4\n"));
  CHECK_THAT(progress.out, Contains("  likely  undeclared_name belongs in answer.hpp.\n"));
  CHECK_THAT(progress.out, !Contains("Not this one."));
  CHECK_THAT(progress.out, Contains("  stuck?  ./workbook hint 01 2\n"));
  const auto hint = project.tool({"hint", "01"});  // starts there too, not at step 1
  INFO(describe(hint));
  CHECK_THAT(hint.out, Contains("Step 2\n    1. Two."));
  CHECK_THAT(hint.out, !Contains("One."));

  const auto check = project.tool({"check", "01"});
  INFO(describe(check));
  CHECK(check.exit_code == 2);

  // Fixed: it builds and its checks run.
  workbook::write_file((project.root / "lessons/01_first/main.cpp").string(),
                       "int main() { return 0; }\n");
  const auto fixed = project.tool({"check", "01"});
  INFO(describe(fixed));
  CHECK(fixed.exit_code == 1);
  CHECK_THAT(fixed.out, Contains("3 of 7 checks pass."));
}
