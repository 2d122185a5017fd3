// Do not change this file: it checks your work on lesson 07 (label lesson07). Run it with
// ./workbook check 07.
//
// It reads your answers.txt and your migrations folder, and runs your program's db commands on
// fresh, empty databases of its own: from base, from your branch and from Sam's branch to the
// merge revision and on to head, down to base and up again. Your files and your
// hello_books_development database are never changed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lesson_check.hpp"
#include "orm/migrate.hpp"
#include "orm/orm.hpp"
#include "test_database.hpp"

using lesson_check::command_text;
using lesson_check::fix;
using lesson_check::kCommand;
using lesson_check::Program;
using lesson_check::ProgramRun;
using lesson_check::rerun;

namespace {

namespace fs = std::filesystem;
using orm::migrate::Revision;
using orm::migrate::ScriptDirectory;

const fs::path kLesson = LESSON_DIR;
const fs::path kMigrations = kLesson / "migrations";
const fs::path kAnswers = kLesson / "answers.txt";

// The revisions the lesson's story is about (the starter's files; the student never changes
// their ids).
const std::string kBranchPoint = "63301ece1ac3";  // lesson 06's newest revision
const std::string kYours = "67c69459d7e5";        // adds isbn to Book (your branch)
const std::string kSams = "9fea3bc4b144";         // adds born year to Author (Sam's branch)
const std::string kIncoming = "71f51f328ca4";     // fills in born years (incoming/, Your turn)
const fs::path kIncomingFile = kLesson / "incoming" / "71f51f328ca4_fills_in_born_years.sql";

// A fresh, empty database for this check, and the program on it.
Program on_empty_database(const std::string& suffix) {
  lesson_check::require_server();
  return Program{testing_support::scratch_database(suffix)};
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string file_name(const Revision& revision) {
  return revision.path.filename().string();
}

// The migrations folder, read. Fails (once per cause) when it cannot be read.
ScriptDirectory scripts() {
  try {
    return ScriptDirectory::load(kMigrations, kCommand);
  } catch (const std::exception& e) {
    FAIL("Your migrations folder cannot be read: "
         << e.what()
         << "\nThe starter's folder had every file this lesson needs: if you deleted or broke "
            "one, get it back with git (git checkout -- "
         << LESSON_PATH "/migrations), then run " << rerun());
  }
  throw std::logic_error("not reached: FAIL throws");
}

// The merge revisions (two or more parents).
std::vector<const Revision*> merges(const ScriptDirectory& folder) {
  std::vector<const Revision*> found;
  for (const auto& revision : folder.revisions()) {
    if (revision.down_revisions.size() > 1) found.push_back(&revision);
  }
  return found;
}

std::set<std::string> parents_of(const Revision& revision) {
  return {revision.down_revisions.begin(), revision.down_revisions.end()};
}

std::string joined(const std::vector<const Revision*>& revisions) {
  std::string text;
  for (const Revision* revision : revisions) {
    text += (text.empty() ? "" : ", ") + orm::migrate::describe(*revision);
  }
  return text.empty() ? "(none)" : text;
}

// The story's two branch revisions are applied (yours on your database, Sam's on the staging
// server): neither may be missing or follow anything but the branch point.
void require_branches_untouched(const ScriptDirectory& folder) {
  for (const std::string& id : {kYours, kSams}) {
    const Revision* revision = folder.find(id);
    if (revision == nullptr) {
      FAIL("Revision " << id
                       << " (one of the two branches of the story) is no longer in "
                          "migrations/versions. It is applied on a database already, so its "
                          "file must stay: get it back with git (git checkout -- " LESSON_PATH
                          "/migrations/versions), then run "
                       << rerun());
    }
    if (revision->down_revisions != std::vector<std::string>{kBranchPoint}) {
      FAIL(file_name(*revision)
           << " now says 'Revises: " << orm::migrate::join_revisions(revision->down_revisions)
           << "'; it must keep 'Revises: " << kBranchPoint
           << "'. Both branch revisions are applied already (yours on your database, Sam's on the "
              "staging server), so they must not move: put the line back (git checkout "
              "-- " LESSON_PATH "/migrations/versions/"
           << file_name(*revision) << ") and join the branches with a merge revision (" << kCommand
           << " db merge -m \"merges isbn and born year\"). "
           << fix("migrations/versions/", "step 4"));
    }
  }
}

// The merge revision of step 4: the one whose parents are the two branch revisions. The
// `primary` check explains its absence; the others wait for it.
const Revision& step4_merge(const ScriptDirectory& folder, bool primary = false) {
  require_branches_untouched(folder);
  for (const Revision* merge : merges(folder)) {
    if (parents_of(*merge) == std::set<std::string>{kYours, kSams}) return *merge;
  }
  if (!primary) {
    FAIL(
        "Not checked yet: no merge revision joins your revision and Sam's yet (see the check "
        "\"step 4: a merge revision joins your branch and Sam's\").");
  }
  const auto heads = folder.heads();
  std::string also;
  for (const Revision* merge : merges(folder)) {
    also += "\n    " + file_name(*merge) + " merges " +
            orm::migrate::join_revisions(merge->down_revisions);
  }
  FAIL("No merge revision joins the two branches yet: the folder's heads are "
       << joined(heads) << "."
       << (also.empty() ? "" : "\nThe merge revisions there join other revisions:" + also)
       << "\nA merge revision follows both " << kYours << " (yours) and " << kSams
       << " (Sam's): make it with " << kCommand
       << " db merge -m \"merges isbn and born year\" (step 4 in " LESSON_TEXT "), then run "
       << rerun() << " (stuck? ./workbook hint 07 4)");
  throw std::logic_error("not reached: FAIL throws");
}

// Runs a command that must succeed.
ProgramRun require_success(const Program& program, const std::vector<std::string>& arguments,
                           const std::string& what, const std::string& part) {
  const ProgramRun run = program(arguments);
  if (run.exit_code != 0) {
    FAIL("`" << command_text(arguments) << "` failed " << what << ".\n"
             << run.describe() << "Read the error (" << part << " in " LESSON_TEXT
             << "), fix what it names in " LESSON_PATH "/migrations/versions, then run "
             << rerun());
  }
  return run;
}

// The revision ids recorded in a database's migration_history.
std::set<std::string> applied(const orm::DatabaseUrl& url) {
  orm::Database db(url);
  orm::Session session(db);
  std::set<std::string> ids;
  for (const auto& row : session.execute("SELECT revision FROM migration_history")) {
    ids.insert(row[0].as<std::string>());
  }
  return ids;
}

std::string ids_text(const std::set<std::string>& ids) {
  std::string text;
  for (const auto& id : ids) text += (text.empty() ? "" : ", ") + id;
  return text.empty() ? "(none)" : text;
}

// answers.txt: `name = value` lines (the value's first word, in lower case); `#` starts a
// comment line.
std::map<std::string, std::string> read_answers() {
  std::map<std::string, std::string> answers;
  std::istringstream in(read_text(kAnswers));
  std::string line;
  auto trim = [](std::string text) {
    const auto begin = text.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return std::string();
    const auto end = text.find_last_not_of(" \t\r");
    return text.substr(begin, end - begin + 1);
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    // The first word: "67c69459d7e5 (head)" as db heads prints it counts as the id.
    std::string value = trim(line.substr(equals + 1));
    value = value.substr(0, value.find_first_of(" \t"));
    std::transform(value.begin(), value.end(), value.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    answers[trim(line.substr(0, equals))] = value;
  }
  return answers;
}

// The Your turn's revision in migrations/versions, or nullptr with `problem` set.
const Revision* incoming_in(const ScriptDirectory& folder, std::string& problem) {
  const Revision* revision = folder.find(kIncoming);
  if (revision == nullptr) {
    problem = "Sam's second revision, " + kIncomingFile.filename().string() +
              ", is not in migrations/versions yet: copy it there from " LESSON_PATH "/incoming/";
  }
  return revision;
}

}  // namespace

TEST_CASE("the workbook's PostgreSQL server answers", "[lesson07]") {
  lesson_check::require_server();
}

TEST_CASE("step 3: answers.txt names the branch point, your head, Sam's head and the rows",
          "[lesson07]") {
  if (!fs::exists(kAnswers)) {
    FAIL(LESSON_PATH
         "/answers.txt is missing: get the starter's back with git (git checkout -- " LESSON_PATH
         "/answers.txt), then step 3. Then run "
         << rerun());
  }
  const ScriptDirectory folder = scripts();
  const Revision* yours = folder.find(kYours);
  if (yours == nullptr || folder.find(kSams) == nullptr) require_branches_untouched(folder);
  const auto answers = read_answers();
  struct Question {
    std::string name;
    std::string expected;
    std::string wrong;  // what to look at when the answer is wrong
  };
  const std::vector<Question> questions = {
      {"branch_point", kBranchPoint,
       "it is the revision both branches revise: the line of `" + std::string(kCommand) +
           " db history` marked (branchpoint)"},
      {"database_head", kYours,
       "it is the head your development database is at: of the two heads `db heads` prints, "
       "the one migration_history has a row for (`db current` says it too)"},
      {"missing_head", kSams,
       "it is the head your database lacks: the other line of `db heads`, the one no row of "
       "migration_history names"},
      {"history_rows", std::to_string(folder.lineage({yours}).size()),
       "count the rows of migration_history in hello_books_development (SELECT count(*) FROM "
       "migration_history;) after step 0, before step 5"},
  };
  std::string problems;
  for (const auto& question : questions) {
    const auto found = answers.find(question.name);
    if (found == answers.end()) {
      problems +=
          "    the line `" + question.name + " =` is missing: put it back (the starter has it)\n";
    } else if (found->second.empty()) {
      problems += "    " + question.name + " is empty\n";
    } else if (found->second != question.expected) {
      problems += "    " + question.name + " = " + found->second +
                  " is not right: " + question.wrong + "\n";
    }
  }
  if (!problems.empty()) {
    FAIL(LESSON_PATH "/answers.txt does not state what the folder and your database say yet:\n"
         << problems
         << "Revision ids as `db heads` prints them (12 hex digits). Do steps 0 to 2 first (the "
            "database must be at your revision only). "
         << fix("answers.txt", "step 3"));
  }
}

TEST_CASE("step 4: a merge revision joins your branch and Sam's", "[lesson07]") {
  const ScriptDirectory folder = scripts();
  const Revision& merge = step4_merge(folder, true);
  // Heads that follow the merge (Sam's second revision, moved or merged) and Sam's second
  // revision itself are the Your turn's: its checks explain them.
  for (const Revision* head : folder.heads()) {
    const auto before = folder.lineage({head});
    if (head->id == kIncoming || std::find(before.begin(), before.end(), &merge) != before.end()) {
      continue;
    }
    FAIL("After the merge the folder must have one head; it has "
         << joined(folder.heads()) << ". " << file_name(*head)
         << " does not follow the merge revision: did you make another revision before the "
            "merge, or keep a second merge of other revisions? Delete that file from "
            "migrations/versions. "
         << fix("migrations/versions/", "step 4"));
  }
  if (!merge.upgrade.empty() || !merge.downgrade.empty()) {
    FAIL(file_name(merge)
         << " has SQL in it. The two branches change different tables (books.isbn, "
            "authors.born_year), so the merge has nothing to reconcile: its sections stay empty, "
            "as db merge wrote them. "
         << fix("migrations/versions/" + file_name(merge), "step 4"));
  }
}

TEST_CASE("step 5: a database on either branch upgrades to the merge revision", "[lesson07]") {
  const ScriptDirectory folder = scripts();
  const Revision& merge = step4_merge(folder);
  struct Start {
    std::string id;
    std::string whose;
  };
  for (const Start& start : {Start{kYours, "yours (your development database)"},
                             Start{kSams, "Sam's (his database, the staging server)"}}) {
    const Program program = on_empty_database("from_" + start.id.substr(0, 6));
    require_success(program, {"db", "upgrade", start.id},
                    "on an empty database, up to the branch revision " + start.id, "step 5");
    require_success(program, {"db", "upgrade", merge.id},
                    "on a database at the branch revision " + start.whose, "step 5");
    const auto ids = applied(program.database);
    const auto needed = folder.lineage({&merge});
    std::set<std::string> expected;
    for (const Revision* revision : needed) expected.insert(revision->id);
    if (ids != expected) {
      FAIL("A database at " << start.whose << " branch revision must reach the merge revision "
                            << merge.id << " with every revision before it applied, once: "
                            << ids_text(expected) << ". It has " << ids_text(ids) << ". "
                            << fix("migrations/versions/" + file_name(merge), "step 5"));
    }
    testing_support::drop_scratch_database(program.database.database());
  }
}

TEST_CASE("step 6: the history goes from base to head, down to base and up again, as the models",
          "[lesson07]") {
  const ScriptDirectory folder = scripts();
  step4_merge(folder);
  if (folder.heads().size() != 1) {
    FAIL(
        "Not checked yet: the folder has two heads again, Sam's second revision and the merge "
        "(see the check \"your turn: the history is one line after the merge: Sam's revision "
        "follows it\").");
  }
  const Program program = on_empty_database("roundtrip");
  require_success(program, {"db", "upgrade"}, "on an empty database", "step 6");
  const ProgramRun check = program({"db", "check"});
  if (check.exit_code != 0) {
    FAIL("After `" << kCommand
                   << " db upgrade` on an empty database, db check finds differences from the "
                      "models:\n"
                   << check.describe()
                   << "The merge joins the two branches and changes no table. Did a file in "
                      "migrations/versions or models/ change? git diff shows it: put it back, "
                      "then run "
                   << rerun());
  }
  require_success(program, {"db", "downgrade", "base"}, "from head", "step 6");
  const auto left = lesson_check::tables_of(program.database);
  if (left != std::vector<std::string>{"migration_history"}) {
    std::string names;
    for (const auto& name : left) names += " " + name;
    FAIL("After `" << kCommand
                   << " db downgrade base` only migration_history may be left; there are:" << names
                   << ". " << fix("migrations/versions/", "step 6"));
  }
  require_success(program, {"db", "upgrade"}, "after db downgrade base", "step 6");
  const ProgramRun roundtrip = program({"db", "check", "--roundtrip"});
  if (roundtrip.exit_code != 0) {
    FAIL("`" << kCommand << " db check --roundtrip` fails:\n"
             << roundtrip.describe() << fix("migrations/versions/", "step 6"));
  }
}

TEST_CASE("your turn: Sam's second revision is in migrations/versions, unchanged but for Revises",
          "[lesson07]") {
  const ScriptDirectory folder = scripts();
  step4_merge(folder);  // the Your turn starts after step 4
  std::string problem;
  const Revision* incoming = incoming_in(folder, problem);
  if (incoming == nullptr) {
    FAIL(problem << " (Your turn in " LESSON_TEXT "). Then run " << rerun()
                 << " (stuck? ./workbook hint 07 your-turn)");
  }
  // Every line but the Revises: line as Sam wrote it.
  auto without_revises = [](const std::string& text) {
    std::string kept;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("-- Revises:", 0) != 0) kept += line + "\n";
    }
    return kept;
  };
  if (without_revises(read_text(incoming->path)) != without_revises(read_text(kIncomingFile))) {
    FAIL(file_name(*incoming)
         << " differs from Sam's file in " LESSON_PATH
            "/incoming/ in more than its Revises: "
            "line. It is Sam's revision: keep its id, message and SQL as he wrote them (copy it "
            "again from incoming/), and change only the line that says what it follows. "
         << fix("migrations/versions/" + file_name(*incoming), "Your turn"));
  }
}

TEST_CASE("your turn: the history is one line after the merge: Sam's revision follows it",
          "[lesson07]") {
  const ScriptDirectory folder = scripts();
  const Revision& merge = step4_merge(folder);
  std::string problem;
  const Revision* incoming = incoming_in(folder, problem);
  if (incoming == nullptr) {
    FAIL("Not checked yet: " << problem
                             << " (see the check \"your turn: Sam's second revision is in "
                                "migrations/versions, unchanged but for Revises\").");
  }
  const auto all_merges = merges(folder);
  if (all_merges.size() > 1) {
    std::string extra;
    for (const Revision* other : all_merges) {
      if (other->id != merge.id) extra += " " + file_name(*other);
    }
    FAIL("There is a second merge revision:"
         << extra
         << ". Sam's new revision is applied nowhere yet, so it can move instead: delete that "
            "file and make Sam's revision follow the current head, so the history stays one "
            "the history stays one line. "
         << fix("migrations/versions/" + file_name(*incoming), "Your turn"));
  }
  if (incoming->down_revisions != std::vector<std::string>{merge.id}) {
    FAIL(file_name(*incoming)
         << " says 'Revises: " << orm::migrate::join_revisions(incoming->down_revisions)
         << "'. The folder's heads are " << joined(folder.heads())
         << ". Sam's revision must follow the newest revision, the merge revision " << merge.id
         << ", so that the folder has one head and the history is one line again. "
         << fix("migrations/versions/" + file_name(*incoming), "Your turn"));
  }
  const auto heads = folder.heads();
  if (heads.size() != 1 || heads.front()->id != kIncoming) {
    FAIL("After the re-parenting the folder must have one head, Sam's revision "
         << kIncoming << "; it has " << joined(heads)
         << ". Is there a revision after it that does not belong to the lesson? "
         << fix("migrations/versions/", "Your turn"));
  }
}

TEST_CASE(
    "your turn: a database at the merge upgrades to Sam's revision, which fills in born years",
    "[lesson07]") {
  const ScriptDirectory folder = scripts();
  const Revision& merge = step4_merge(folder);
  const auto heads = folder.heads();
  if (folder.find(kIncoming) == nullptr || heads.size() != 1 || heads.front()->id != kIncoming) {
    FAIL(
        "Not checked yet: Sam's second revision is not the one head of the folder yet (see the "
        "check \"your turn: the history is one line after the merge: Sam's revision follows "
        "it\").");
  }
  const Program program = on_empty_database("turn");
  require_success(program, {"db", "upgrade", merge.id}, "on an empty database", "Your turn");
  {
    orm::Database db(program.database);
    orm::Session session(db);
    session.execute("INSERT INTO authors (name) VALUES ('Ursula K. Le Guin'), ('Nobody Known')");
    session.commit();
  }
  const ProgramRun up = require_success(program, {"db", "upgrade"},
                                        "on a database at the merge revision", "Your turn");
  const auto ids = applied(program.database);
  if (ids.count(kIncoming) == 0) {
    FAIL("`" << kCommand << " db upgrade` on a database at the merge revision must apply Sam's "
             << kIncoming << ". It applied:\n"
             << up.describe() << fix("migrations/versions/", "Your turn"));
  }
  orm::Database db(program.database);
  orm::Session session(db);
  const auto born = session.execute(
      "SELECT count(*) FROM authors WHERE name = 'Ursula K. Le Guin' AND born_year = 1929");
  if (born[0][0].as<int>() != 1) {
    FAIL(
        "After Sam's revision, Ursula K. Le Guin's born_year must be 1929, as his SQL sets it. "
        "Copy his file again from " LESSON_PATH "/incoming/ and change only its Revises: line. "
        << fix("migrations/versions/", "Your turn"));
  }
}
