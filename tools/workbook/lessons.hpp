// The lessons (from lessons/lessons.json) and the build tree that builds them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace workbook {

/// The hints of one step of a lesson, from a nudge to the code (lessons.json:
/// `{"step": "2", "hints": [...]}`).
struct HintStep {
  std::string step;                ///< "2", "your turn"; empty when the hints name no step
  std::vector<std::string> hints;  ///< in the order they are revealed
};

/// What a compiler error most likely means in a lesson (lessons.json: `{"when": [...], "say":
/// "..."}`), e.g. a name used in main.cpp that another file of the lesson must declare.
struct CompileHint {
  std::vector<std::string> when;  ///< texts the error's message must all contain
  std::string say;                ///< what to do, naming the file
};

/// One lesson, as lessons/lessons.json describes it.
struct Lesson {
  std::string number;     ///< "01"
  std::string directory;  ///< "01_create_db"
  std::string title;
  std::string program;            ///< the lesson's program, e.g. "create_databases"
  std::vector<std::string> edit;  ///< the files the student edits, relative to the lesson folder
  std::vector<std::string> generated;  ///< folders the student's commands create (e.g. migrations)
  std::string summary;
  std::vector<std::string> hints;    ///< every hint, step after step
  std::vector<HintStep> hint_steps;  ///< the same hints by step
  /// "crash_hint": what most likely makes this lesson's code crash, and where to look; shown
  /// with a crash (optional).
  std::string crash_hint;
  /// "compile_hints": what some compiler errors most likely mean here (optional).
  std::vector<CompileHint> compile_hints;

  /// The step called `name` ("2", "your-turn": case, spaces and hyphens do not matter), or
  /// nullptr.
  const HintStep* hint_step(const std::string& name) const;
  /// The advice of the first compile hint whose texts `message` all contains, or "".
  std::string compile_hint(const std::string& message) const;
};

/// Every lesson, in order.
///
/// @code
/// auto catalog = workbook::Catalog::load("lessons/lessons.json");
/// const Lesson* lesson = catalog.find("3");   // "3", "03" and "03_models" all work
/// @endcode
class Catalog {
 public:
  /// Reads lessons.json. Throws std::runtime_error naming the file and the problem.
  static Catalog load(const std::string& path);
  /// Parses the text of a lessons.json; `origin` names it in error messages.
  static Catalog parse(const std::string& text, const std::string& origin);

  const std::vector<Lesson>& lessons() const { return lessons_; }
  /// The lesson called `key`: its number ("3" or "03") or its folder ("03_models").
  const Lesson* find(const std::string& key) const;
  /// "01, 02, 03 or 04", for messages.
  std::string numbers() const;
  /// The same catalog with only the lessons called `keys` (numbers or folders), in catalog order.
  /// Throws std::invalid_argument naming a key that is no lesson and the lessons there are.
  Catalog only(const std::vector<std::string>& keys) const;

 private:
  std::vector<Lesson> lessons_;
};

/// What the tool needs to know about one CMake build tree: written by tools/workbook's
/// CMakeLists.txt into <build>/workbook-tool.json at configure time.
struct BuildTree {
  std::string build_dir;      ///< absolute
  std::string source_dir;     ///< the project's root
  std::string lessons_dir;    ///< where the lessons are built from (WORKBOOK_LESSONS_DIR)
  std::string solutions_dir;  ///< where the solutions are built from ("" when none)
  std::string lessons_json;   ///< the catalog
  std::map<std::string, std::string> targets;  ///< target name -> file it builds
  std::string ninja;  ///< Ninja, when it builds the tree ("": another generator)

  /// Reads <build_dir>/workbook-tool.json. Throws std::runtime_error (with the fix) when the
  /// file is missing or broken.
  static BuildTree load(const std::string& build_dir);

  /// The command that builds `targets`, to run in build_dir: Ninja itself when it builds the
  /// tree (it starts some 30 ms sooner than `cmake --build`, which a check waits for on every
  /// run), else `cmake --build`. `keep_going`: build all that can be built (-k 0).
  std::vector<std::string> build_command(const std::vector<std::string>& targets,
                                         bool keep_going) const;

  /// The file target `name` builds, or nullopt when there is no such target.
  std::optional<std::string> target_file(const std::string& name) const;
};

/// Reads a whole file. Throws std::runtime_error naming the file when it cannot.
std::string read_file(const std::string& path);
/// Writes a whole file (creating its folder). Throws std::runtime_error naming the file.
void write_file(const std::string& path, const std::string& text);

}  // namespace workbook
