// Grading untrusted code as root (label workbook): a class of one solved submission and five
// hostile ones, each a solved copy whose lesson 01 program does one hostile thing before it
// fails (loops forever, forks a child that keeps running, prints 1 GB, reads the solved
// submission's files, drops its database). Each hostile one is graded and fails lesson 01; the
// solved one still gets every mark, its files and database are intact, and nothing is left
// running. Needs root (CI runs as root): without it, the grader does not confine, and this test
// says so and stops.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "grade_sandbox.hpp"
#include "lessons.hpp"
#include "lines.hpp"
#include "orm/database.hpp"
#include "orm/url.hpp"
#include "process.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

// A solved checkout in `to`.
void solved_checkout(const fs::path& to) {
  const auto catalog = workbook::Catalog::load(PROJECT_DIR "/lessons/lessons.json");
  fs::create_directories(to);
  fs::copy(LESSONS_DIR, to / "lessons", fs::copy_options::recursive);
  for (const auto& lesson : catalog.lessons()) {
    fs::copy(SOLUTIONS_DIR "/" + lesson.directory, to / "lessons" / lesson.directory,
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
}

// A solved checkout whose lesson 01 program first runs `body` (C++ in a function of its own,
// before main), then fails.
void hostile_checkout(const fs::path& to, const std::string& body) {
  solved_checkout(to);
  const fs::path main = to / "lessons/01_create_db/main.cpp";
  workbook::write_file(main.string(),
                       "#include <cstdio>\n#include <cstdlib>\n#include <fstream>\n"
                       "#include <string>\n#include <unistd.h>\n#include <pqxx/pqxx>\n" +
                           workbook::read_file(main.string()) +
                           "\nnamespace {\nstruct Hostile {\n  Hostile() {\n" + body +
                           "\n    std::_Exit(3);\n  }\n} hostile;\n}  // namespace\n");
}

std::string evidence(const fs::path& file) {
  return fs::exists(file) ? workbook::read_file(file.string()) : "(no evidence written)";
}

// The row of `student` in summary.csv.
std::string row(const std::string& csv, const std::string& student) {
  for (const auto& line : workbook::split_lines(csv)) {
    if (line.rfind(student + ",", 0) == 0) return line;
  }
  return "";
}

}  // namespace

TEST_CASE("hostile submissions are graded and fail, and cannot touch anything else",
          "[grade][sandbox]") {
  if (::geteuid() != 0) {
    WARN("not root: the grader confines submissions only as root; run the suite as root");
    return;
  }
  const fs::path root =
      fs::temp_directory_path() / "hello_books_sandbox";  // one path: the same users each run
  fs::remove_all(root);
  fs::create_directories(root / "class");
  // The originals: root's only; the grades folder: others may pass through to their own folders.
  fs::permissions(root, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(root / "class", fs::perms::owner_all);
  const fs::path out = root / "grades";
  const fs::path proof = root / "proof";  // where the hostile code writes what it could do
  fs::create_directories(proof);
  fs::permissions(proof, fs::perms::all | fs::perms::sticky_bit);
  // The work folders of the class are out/.work/<student>: the hostile code aims at the solved
  // one's copy of its lessons and at its original.
  const std::string victim_file = (out / ".work/a_solved/lessons/01_create_db/main.cpp").string();
  const std::string victim_original =
      (root / "class/a_solved/lessons/01_create_db/main.cpp").string();

  // A database of another submission: a role of the grader's kind owns it.
  const auto server =
      orm::DatabaseUrl::parse(std::getenv("DATABASE_URL")).with_database("postgres");
  const std::string victim_db = "workbook_grade_victim_" + std::to_string(::getpid());
  {
    orm::Database admin(server);
    pqxx::nontransaction sql(admin.connection());
    sql.exec0("DROP DATABASE IF EXISTS " + victim_db);
    sql.exec0(
        "DO $$BEGIN CREATE ROLE workbook_grade_victim; EXCEPTION WHEN duplicate_object "
        "THEN NULL; END$$");
    sql.exec0("CREATE DATABASE " + victim_db + " OWNER workbook_grade_victim");
    sql.exec0("REVOKE CONNECT ON DATABASE " + victim_db + " FROM PUBLIC");
  }

  solved_checkout(root / "class/a_solved");
  hostile_checkout(root / "class/loops", "    for (;;) {}");
  hostile_checkout(root / "class/forks", "    if (fork() == 0) { setsid(); std::ofstream(\"" +
                                             (proof / "forked").string() +
                                             "\") << getpid(); for (;;) pause(); }");
  hostile_checkout(
      root / "class/prints",
      "    std::string chunk(1 << 20, 'x');\n"
      "    for (int i = 0; i < 1024; ++i) std::fwrite(chunk.data(), 1, chunk.size(), stdout);");
  hostile_checkout(root / "class/reads",
                   "    std::string text;\n"
                   "    for (const char* path : {\"" +
                       victim_file + "\", \"" + victim_original +
                       "\"}) {\n"
                       "      std::ifstream in(path);\n"
                       "      text += in ? std::string(\"READ \") + path + \"\\n\" : "
                       "std::string(\"DENIED \") + path + \"\\n\";\n"
                       "    }\n"
                       "    std::ofstream(\"" +
                       (proof / "reads").string() + "\") << text;");
  hostile_checkout(
      root / "class/drops",
      "    std::string text;\n"
      "    try {\n"
      "      pqxx::connection c(std::getenv(\"DATABASE_URL\"));\n"
      "      pqxx::nontransaction(c).exec0(\"DROP DATABASE " +
          victim_db +
          "\");\n"
          "      text = \"DROPPED\";\n"
          "    } catch (const std::exception& e) { text = std::string(\"DENIED \") + e.what(); }\n"
          "    std::ofstream(\"" +
          (proof / "drops").string() + "\") << text;");

  const auto graded = workbook::run_process(
      {{WORKBOOK_TOOL, "--build-dir", BUILD_DIR, "grade", (root / "class").string(), "--out",
        out.string(), "--jobs", "2", "--timeout", "30", "--lessons", "01,02"},
       "",
       {{"NO_COLOR", "1"}},
       3000});
  INFO("exit " << graded.exit_code << "\nstdout:\n" << graded.out << "stderr:\n" << graded.err);
  REQUIRE(graded.exit_code == 0);
  const std::string csv = workbook::read_file((out / "summary.csv").string());
  INFO(csv);

  // The lessons graded: the two of --lessons (the hostile code is in lesson 01), no others.
  CHECK(csv.rfind("student,lesson01,lesson02,passed,checks,seconds,note\n", 0) == 0);
  // The solved submission: every check passes, as alone.
  const std::string solved = row(csv, "a_solved");
  const std::regex full(R"(^a_solved,(\d+)/\1,(\d+)/\2,(\d+),\3,)");
  CHECK(std::regex_search(solved, full));
  // Each hostile one: graded, lesson 01 fails, no problem note (it was graded, not skipped).
  for (const char* name : {"loops", "forks", "prints", "reads", "drops"}) {
    const std::string line = row(csv, name);
    INFO(name << ": " << line);
    std::smatch match;
    REQUIRE(std::regex_search(line, match, std::regex(R"(^\w+,(\d+)/(\d+),)")));
    CHECK(std::stoi(match[1]) < std::stoi(match[2]));
    CHECK(line.back() == ',');  // the note is empty
    CHECK(fs::exists(out / "junit" / (std::string(name) + ".xml")));
  }
  // What the hostile code did: tried, and was refused.
  CHECK_THAT(evidence(proof / "reads"), Contains("DENIED " + victim_file));
  CHECK_THAT(evidence(proof / "reads"), Contains("DENIED " + victim_original));
  CHECK_THAT(evidence(proof / "reads"), !Contains("READ "));
  CHECK_THAT(evidence(proof / "drops"), Contains("DENIED"));
  CHECK(fs::exists(proof / "forked"));
  {
    orm::Database admin(server);
    pqxx::nontransaction sql(admin.connection());
    CHECK(sql.exec("SELECT 1 FROM pg_database WHERE datname = " + sql.quote(victim_db)).size() ==
          1);
    // The role of every submission graded, and so its databases, are gone. (Only this class's:
    // the grade tests that may run meanwhile have roles of their own.)
    for (const char* name : {"a_solved", "loops", "forks", "prints", "reads", "drops"}) {
      const std::string role =
          workbook::Sandbox::role_for(fs::canonical(root / "class" / name).string());
      INFO(name << ": role " << role);
      CHECK(sql.exec("SELECT 1 FROM pg_roles WHERE rolname = " + sql.quote(role)).empty());
    }
    sql.exec0("DROP DATABASE " + victim_db);
    sql.exec0("DROP ROLE workbook_grade_victim");
  }
  // The solved submission's files are intact; no process of any grading user is left.
  CHECK(workbook::read_file(victim_original) ==
        workbook::read_file(SOLUTIONS_DIR "/01_create_db/main.cpp"));
  for (const auto& entry : fs::directory_iterator(out / ".work")) {
    struct stat info {};
    REQUIRE(::stat((entry.path() / "build").c_str(), &info) == 0);
    INFO(entry.path() << " belongs to uid " << info.st_uid);
    CHECK(info.st_uid != 0);
    CHECK(workbook::processes_of(info.st_uid).empty());
  }
  // The 1 GB: kept to the output limit, never in the report.
  CHECK(fs::file_size(out / "junit/prints.xml") < (8u << 20));
  fs::remove_all(root);
}
