#include "commands.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "hints.hpp"
#include "junit.hpp"
#include "process.hpp"
#include "todo_diff.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

// ---------------------------------------------------------------------------------------------
// Small helpers

void print(const std::string& text) {
  std::fputs(text.c_str(), stdout);
}

void error_line(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "error: %s\n", message.c_str());
}

std::string pad_right(const std::string& text, std::size_t width) {
  // Titles are ASCII; count bytes.
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string lesson_path(const Context& context, const Lesson& lesson) {
  return context.paths.show(context.tree.lessons_dir + "/" + lesson.directory);
}

std::string files_to_edit(const Context& context, const Lesson& lesson) {
  std::string text;
  for (const auto& file : lesson.edit) {
    text += (text.empty() ? "" : ", ") + lesson_path(context, lesson) + "/" + file;
  }
  return text.empty() ? lesson_path(context, lesson) : text;
}

// Reports an unreachable database: one line and the fix. Returns kNoDatabase.
int report_database(const std::string& problem) {
  error_line("the checks need PostgreSQL, and " + problem);
  return kNoDatabase;
}

// The state of a lesson in a few words, for the lesson list.
std::string state_words(const LessonResult& result) {
  switch (result.state) {
    case LessonResult::State::passed:
      return "done";
    case LessonResult::State::failed:
      return std::to_string(result.run.passed()) + "/" + std::to_string(result.run.checks.size()) +
             " checks pass";
    case LessonResult::State::build_failed:
      return "does not compile";
    case LessonResult::State::crashed:
      return "checks crashed";
    case LessonResult::State::missing:
      return result.no_checks ? "no checks yet" : "missing";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// The progress file (.workbook/progress.json): the last known state of each lesson, for `list`.

void save_progress(const Context& context, const std::vector<LessonResult>& results) {
  const std::string path = context.state_dir + "/progress.json";
  nlohmann::json json = nlohmann::json::object();
  try {
    json = nlohmann::json::parse(read_file(path));
    if (!json.is_object()) json = nlohmann::json::object();
  } catch (const std::exception&) {  // missing or broken: start again
  }
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&now));
  for (const auto& result : results) {
    if (result.side != Side::lesson) continue;
    json[result.lesson.number] = {
        {"state", state_words(result)}, {"done", result.passed()}, {"checked", when}};
  }
  try {
    write_file(path, json.dump(2) + "\n");
  } catch (const std::exception&) {  // a read-only checkout: progress is only a convenience
  }
}

// After a reset the last known state of the lesson no longer holds.
void forget_progress(const Context& context, const std::string& number) {
  const std::string path = context.state_dir + "/progress.json";
  try {
    auto json = nlohmann::json::parse(read_file(path));
    if (json.is_object() && json.erase(number) > 0) write_file(path, json.dump(2) + "\n");
  } catch (const std::exception&) {  // no progress file: nothing to forget
  }
}

// ---------------------------------------------------------------------------------------------
// Showing results

// The first failure of a check, or nullptr.
const Failure* first_failure(const Check& check) {
  return check.failures.empty() ? nullptr : &check.failures.front();
}

std::string check_line(const Style& style, const Check& check) {
  return "  " + (check.passed ? style.pass_mark() : style.fail_mark()) + " " + check.name + "\n";
}

// A failing check with its failures: all of them (verbose) or the first.
std::string describe_check(const Context& context, const Check& check, bool all_failures) {
  const Style& style = context.style;
  std::string out = "  " + style.fail_mark() + " " + style.bold(check.name) + "\n";
  const std::size_t count =
      all_failures ? check.failures.size() : std::min<std::size_t>(1, check.failures.size());
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += "\n";
    out += describe_failure(check.failures[i], context.paths, style, 4);
  }
  if (!all_failures && check.failures.size() > 1) {
    out += style.dim("    (" + plural(static_cast<int>(check.failures.size()) - 1, "more failure") +
                     " in this check)") +
           "\n";
  }
  if (all_failures && !check.out.empty()) out += "    output:\n" + indent_lines(check.out, 6, 20);
  if (all_failures && !check.err.empty()) out += "    errors:\n" + indent_lines(check.err, 6, 20);
  return out;
}

// What went wrong with a lesson that did not pass: the first (or every) failing check, the
// compile error, or why the checks could not run.
std::string describe_problem(const Context& context, const LessonResult& result, bool verbose) {
  const Style& style = context.style;
  std::string out;
  switch (result.state) {
    case LessonResult::State::passed:
      break;
    case LessonResult::State::build_failed: {
      const BuildError& error = *result.build_error;
      out += "  " + style.red("It does not compile yet") +
             (error.file.empty() ? "" : " (" + context.paths.show(error.file) + ")") + ":\n\n";
      out += describe_build_error(error, context.paths, style, 4);
      out += "\n" +
             style.dim("  The whole build log: " + context.paths.show(context.tree.build_dir) +
                       "/workbook-tool/build.log") +
             "\n";
      break;
    }
    case LessonResult::State::missing:
      out += "  " + style.red(result.problem) + "\n";
      break;
    case LessonResult::State::failed:
    case LessonResult::State::crashed: {
      const int total = static_cast<int>(result.run.checks.size());
      if (total > 0) {
        out += "  " + std::to_string(result.run.passed()) + " of " + plural(total, "check") +
               " pass" + (verbose ? "." : ". The first that fails:") + "\n\n";
      }
      if (verbose) {
        for (const auto& check : result.run.checks) {
          if (check.passed) out += check_line(style, check);
        }
        for (const auto& check : result.run.checks) {
          if (!check.passed) out += "\n" + describe_check(context, check, true);
        }
      } else if (const Check* check = result.run.first_failing()) {
        out += describe_check(context, *check, false);
      }
      if (!result.problem.empty()) {
        out += "\n  " + style.red(result.problem) + "\n";
        if (!result.program_output.empty()) {
          out += "  What the check program printed:\n" +
                 indent_lines(result.program_output, 4, verbose ? 40 : 12);
        }
      }
      break;
    }
  }
  return out;
}

// The next step for a lesson that is not done, ending with the command to run again.
std::string next_steps(const Context& context, const LessonResult& result,
                       const std::string& rerun) {
  const Style& style = context.style;
  const Lesson& lesson = result.lesson;
  std::string out = "\n" + style.bold("Next:") + "\n";
  const std::string text = lesson_path(context, lesson) + "/README.md";
  if (result.side == Side::solution) {
    out +=
        "  The solution fails its checks: fix solutions/" + lesson.directory + " or the checks.\n";
  } else if (result.state == LessonResult::State::build_failed) {
    const BuildError& error = *result.build_error;
    out +=
        "  fix     " +
        (error.file.empty() ? files_to_edit(context, lesson)
                            : context.paths.show(error.file) +
                                  (error.line > 0 ? ", line " + std::to_string(error.line) : "")) +
        "\n";
    out += "  read    " + text + "\n";
  } else if (result.state == LessonResult::State::missing) {
    out += "  restore ./workbook reset " + lesson.number + "   (puts the lesson's starter back)\n";
  } else {
    out += "  edit    " + files_to_edit(context, lesson) + "\n";
    out += "  read    " + text + "\n";
  }
  if (result.side == Side::lesson && !lesson.hints.empty()) {
    out += "  stuck?  ./workbook hint " + lesson.number + "\n";
  }
  out += "  rerun   " + style.bold(rerun) + "\n";
  return out;
}

std::string lesson_heading(const Context& context, const LessonResult& result) {
  const std::string who = result.side == Side::solution ? "Solution " : "Lesson ";
  return context.style.bold(who + result.lesson.number + ": " + result.lesson.title) + "  " +
         context.style.dim("(" +
                           (result.side == Side::solution ? "solutions/" + result.lesson.directory
                                                          : lesson_path(context, result.lesson)) +
                           ")") +
         "\n";
}

int exit_code_of(const LessonResult& result) {
  switch (result.state) {
    case LessonResult::State::passed:
      return kOk;
    case LessonResult::State::failed:
      return kNotDone;
    case LessonResult::State::build_failed:
      return kBuildFailed;
    case LessonResult::State::crashed:
    case LessonResult::State::missing:
      return kCrashed;
  }
  return kNotDone;
}

// ---------------------------------------------------------------------------------------------
// git, for `reset`

struct GitResult {
  bool ok;
  std::string out;
  std::string err;
};

GitResult git(const Context& context, std::vector<std::string> args) {
  args.insert(args.begin(), "git");
  ProcessSpec spec;
  spec.argv = args;
  spec.directory = context.tree.source_dir;
  const ProcessResult result = run_process(spec);
  return {result.ok(), result.out, result.started ? result.err : result.error};
}

// The commit a lesson's starter comes from: WORKBOOK_STARTER_REF, else origin/HEAD (where the
// workbook was cloned from), else HEAD.
std::string starter_ref(const Context& context) {
  if (const char* ref = std::getenv("WORKBOOK_STARTER_REF"); ref != nullptr && *ref != '\0') {
    return ref;
  }
  if (git(context, {"rev-parse", "--verify", "-q", "origin/HEAD^{commit}"}).ok) {
    return "origin/HEAD";
  }
  return "HEAD";
}

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", std::localtime(&now));
  return text;
}

bool ask(const std::string& question) {
  print(question);
  std::fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

// ---------------------------------------------------------------------------------------------
// grade

std::string cache_value(const std::string& build_dir, const std::string& key) {
  try {
    for (const auto& line : split_lines(read_file(build_dir + "/CMakeCache.txt"))) {
      if (line.rfind(key + ":", 0) == 0) {
        const auto eq = line.find('=');
        return eq == std::string::npos ? "" : line.substr(eq + 1);
      }
    }
  } catch (const std::exception&) {
  }
  return "\x01";  // no cache, or no such entry
}

std::string safe_name(const std::string& text) {
  std::string name;
  for (char c : text)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return name.empty() ? "student" : name;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Context Context::load(const std::string& build_dir) {
  Context context;
  context.tree = BuildTree::load(fs::absolute(build_dir).lexically_normal().string());
  context.catalog = Catalog::load(context.tree.lessons_json);
  context.style = Style::detect();
  context.paths.source_dir = context.tree.source_dir;
  context.paths.lessons_dir = context.tree.lessons_dir;
  context.state_dir = context.tree.source_dir + "/.workbook";
  if (const char* timeout = std::getenv("WORKBOOK_CHECK_TIMEOUT"); timeout != nullptr) {
    context.options.timeout_seconds = std::max(1, std::atoi(timeout));
  }
  return context;
}

const Lesson& Context::lesson(const std::string& key) const {
  if (const Lesson* lesson = catalog.find(key)) return *lesson;
  throw std::invalid_argument("there is no lesson '" + key + "': use " + catalog.numbers() +
                              " (./workbook list shows them)");
}

int progress(Context& context, bool watching) {
  if (const auto problem = database_problem()) return report_database(*problem);
  Checker checker(context.tree, context.options);
  const auto results = checker.check(context.catalog.lessons(), Side::lesson);
  if (interrupted()) return kInterrupted;
  save_progress(context, results);

  const Style& style = context.style;
  const int total = static_cast<int>(results.size());
  const int done = static_cast<int>(
      std::count_if(results.begin(), results.end(), [](const auto& r) { return r.passed(); }));
  const LessonResult* next = nullptr;
  for (const auto& result : results) {
    if (!result.passed()) {
      next = &result;
      break;
    }
  }

  std::size_t width = 0;
  for (const auto& result : results) width = std::max(width, result.lesson.title.size());
  std::string out =
      style.bold("hello_books workbook") + "\n\n  " + progress_bar(done, total, 24, style) + "\n\n";
  for (const auto& result : results) {
    const bool is_next = &result == next;
    std::string status = state_words(result);
    status = result.passed() ? style.green(status) : is_next ? style.yellow(status) : status;
    out += "  " + (result.passed() ? style.pass_mark() : style.fail_mark()) + " " +
           result.lesson.number + "  " + pad_right(result.lesson.title, width) + "  " + status +
           (is_next ? style.yellow(style.unicode ? "   ◀ next" : "   <- next") : "") + "\n";
  }
  out += "\n";

  if (next == nullptr) {
    out +=
        style.green(style.bold("All " + std::to_string(total) + " lessons are done. Well done!")) +
        "\n"
        "  Your app creates its databases, connects, maps Book to a table and versions its\n"
        "  schema with migrations. Try more models and more migrations in lessons/" +
        context.catalog.lessons().back().directory + "; ./workbook docs builds the guide.\n";
    print(out);
    return kOk;
  }
  out += lesson_heading(context, *next) + describe_problem(context, *next, false);
  out += next_steps(context, *next, watching ? "save a file: the checks run again" : "./workbook") +
         style.dim("          (every check of lesson " + next->lesson.number +
                   ", with all failures: ./workbook check " + next->lesson.number + ")") +
         "\n";
  if (!watching) {
    out += style.dim("  Tip: ./workbook watch checks again each time you save a file.") + "\n";
  }
  print(out);
  return kNotDone;
}

int check(Context& context, const std::string& key, bool solution) {
  const Lesson& lesson = context.lesson(key);
  if (const auto problem = database_problem()) return report_database(*problem);
  // One lesson: its checks run in a few processes at once (each has its own database).
  CheckerOptions options = context.options;
  options.shards = std::min(4u, std::max(2u, std::thread::hardware_concurrency() + 1));
  Checker checker(context.tree, options);
  const Side side = solution ? Side::solution : Side::lesson;
  const auto results = checker.check({lesson}, side);
  if (interrupted()) return kInterrupted;
  const LessonResult& result = results.front();
  if (!solution) save_progress(context, results);

  const Style& style = context.style;
  std::string out = lesson_heading(context, result) + "\n";
  const std::string rerun = "./workbook check " + lesson.number + (solution ? " --solution" : "");
  if (result.passed()) {
    for (const auto& check : result.run.checks) out += check_line(style, check);
    out += "\n" +
           style.green(style.bold(
               "All " + plural(static_cast<int>(result.run.checks.size()), "check") +
               " pass: " + (solution ? "solution " : "lesson ") + lesson.number + " is done.")) +
           "\n";
    if (!solution) out += "  Next: ./workbook (your progress and the next lesson)\n";
  } else {
    out += describe_problem(context, result, true) + next_steps(context, result, rerun);
  }
  print(out);
  return exit_code_of(result);
}

int list(Context& context) {
  const Style& style = context.style;
  nlohmann::json progress = nlohmann::json::object();
  try {
    progress = nlohmann::json::parse(read_file(context.state_dir + "/progress.json"));
  } catch (const std::exception&) {
  }
  std::size_t width = 0;
  for (const auto& lesson : context.catalog.lessons()) width = std::max(width, lesson.title.size());
  std::string out = style.bold("The lessons") + "  " +
                    style.dim("(state as of the last ./workbook or ./workbook check)") + "\n\n";
  for (const auto& lesson : context.catalog.lessons()) {
    std::string state = "not checked yet";
    bool done = false;
    if (progress.is_object() && progress.contains(lesson.number) &&
        progress[lesson.number].is_object()) {
      const auto& entry = progress[lesson.number];
      state = entry.value("state", state);
      done = entry.value("done", false);
    }
    out += "  " + (done ? style.pass_mark() : style.fail_mark()) + " " + lesson.number + "  " +
           pad_right(lesson.title, width) + "  " + (done ? style.green(state) : state) + "\n";
    out += "        " +
           style.dim(lesson_path(context, lesson) + "/README.md; edit " +
                     files_to_edit(context, lesson)) +
           "\n";
  }
  out +=
      "\nCheck them all: ./workbook    one lesson: ./workbook check NN    a hint: "
      "./workbook hint NN\n";
  print(out);
  return kOk;
}

// A hint step as the student types it ("2", "your-turn") and as a heading ("Step 2",
// "Your turn").
std::string step_argument(const std::string& step) {
  std::string word = step;
  std::replace(word.begin(), word.end(), ' ', '-');
  return word;
}
std::string step_heading(const std::string& step) {
  if (step.find_first_not_of("0123456789") == std::string::npos) return "Step " + step;
  std::string heading = step;
  heading[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(heading[0])));
  return heading;
}

int hint(Context& context, const std::string& key, const std::string& step_name, bool all) {
  const Lesson& lesson = context.lesson(key);
  const Style& style = context.style;
  if (lesson.hint_steps.empty()) {
    print("Lesson " + lesson.number + " has no hints: read " + lesson_path(context, lesson) +
          "/README.md.\n");
    return kOk;
  }
  std::string steps;  // "1, 2 or your-turn"
  for (std::size_t i = 0; i < lesson.hint_steps.size(); ++i) {
    if (lesson.hint_steps[i].step.empty()) continue;
    if (!steps.empty()) steps += i + 1 == lesson.hint_steps.size() ? " or " : ", ";
    steps += step_argument(lesson.hint_steps[i].step);
  }
  HintLog log = HintLog::load(context.state_dir + "/hints.json");
  const auto log_key = [&](const HintStep& step) {
    return step.step.empty() ? lesson.number : lesson.number + ":" + step.step;
  };
  const auto count = [](const HintStep& step) { return static_cast<int>(step.hints.size()); };

  // The step: the one asked for, else the first with hints not seen yet.
  const HintStep* chosen = nullptr;
  if (!step_name.empty()) {
    chosen = lesson.hint_step(step_name);
    if (chosen == nullptr) {
      throw std::invalid_argument(
          "lesson " + lesson.number + " has no hints for step '" + step_name + "': " +
          (steps.empty()
               ? "its hints have no steps, ./workbook hint " + lesson.number + " shows them"
               : "use " + steps));
    }
  } else {
    for (const auto& step : lesson.hint_steps) {
      if (log.revealed(log_key(step)) < count(step)) {
        chosen = &step;
        break;
      }
    }
    if (chosen == nullptr) chosen = &lesson.hint_steps.back();
  }

  std::string out = style.bold("Hints for lesson " + lesson.number + ": " + lesson.title) + "\n\n";
  const auto show = [&](const HintStep& step, int shown, bool mark_newest) {
    // Under a step's heading the hints are indented one more level; a hint's later lines (code)
    // line up with its first.
    const std::string pad = step.step.empty() ? "  " : "    ";
    if (!step.step.empty()) out += "  " + style.bold(step_heading(step.step)) + "\n";
    for (int i = 0; i < shown; ++i) {
      const std::string label = std::to_string(i + 1) + ". ";
      std::string text = step.hints[static_cast<std::size_t>(i)];
      const std::string continuation = "\n" + pad + std::string(label.size(), ' ');
      for (auto at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) {
        text.replace(at, 1, continuation);
      }
      const std::string line = label + text;
      out += pad + (mark_newest && i + 1 == shown ? style.yellow(line) : line) + "\n";
    }
  };
  const std::string text = lesson_path(context, lesson) + "/README.md";
  if (all) {
    for (const auto& step : lesson.hint_steps) {
      show(step, log.reveal(log_key(step), count(step), true), false);
    }
    out += "\n  That is every hint for lesson " + lesson.number +
           ". The lesson text has the rest: " + text + "\n";
  } else {
    const int total = count(*chosen);
    const int shown = log.reveal(log_key(*chosen), total, false);
    show(*chosen, shown, true);
    out += "\n";
    const std::string command = "./workbook hint " + lesson.number +
                                (chosen->step.empty() ? "" : " " + step_argument(chosen->step));
    const std::string which = chosen->step.empty() ? "Hint" : step_heading(chosen->step) + ": hint";
    if (shown < total) {
      out += "  " + which + " " + std::to_string(shown) + " of " + std::to_string(total) +
             ". Still stuck? " + command + " shows the next one.\n";
    } else if (chosen->step.empty()) {
      out += "  That is every hint for lesson " + lesson.number +
             ". The lesson text has the rest: " + text + "\n";
    } else {
      out += "  That is every hint for " + step_heading(chosen->step) +
             ". The lesson text has the rest: " + text + "\n";
    }
    if (!steps.empty()) {
      out += "  Hints for another step: ./workbook hint " + lesson.number +
             " STEP (STEP: " + steps + ")\n";
    }
  }
  try {
    log.save();
  } catch (const std::exception&) {  // read-only checkout: hints still show
  }
  out += "  Check your work: ./workbook check " + lesson.number + "\n";
  print(out);
  return kOk;
}

int watch(Context& context) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) {
    error_line("cannot watch files (inotify is not available); run ./workbook after each save");
    return kUsage;
  }
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;
  std::map<int, std::string> folders;
  auto add = [&](const std::string& folder) {
    const int wd = ::inotify_add_watch(fd, folder.c_str(), mask);
    if (wd >= 0) folders[wd] = folder;
  };
  const std::string root = context.tree.lessons_dir;
  add(root);
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    if (!it->is_directory()) continue;
    if (it->path().filename().string().front() == '.') {
      it.disable_recursion_pending();
      continue;
    }
    add(it->path().string());
  }
  // Editors write swap and backup files; only real saves count.
  auto counts = [](const std::string& name) {
    return !name.empty() && name.front() != '.' && name.back() != '~' && name != "4913" &&
           name.rfind("#", 0) != 0;
  };
  // Waits for a save; false when the user pressed Ctrl-C.
  auto wait_for_save = [&]() {
    bool changed = false;
    char buffer[16 * 1024];
    for (;;) {
      if (interrupted()) return false;
      pollfd entry{fd, POLLIN, 0};
      // After a first change, wait until things are quiet for a moment (editors save in steps).
      const int ready = ::poll(&entry, 1, changed ? 250 : 500);
      if (ready == 0 && changed) return true;
      if (ready <= 0) continue;
      const ssize_t length = ::read(fd, buffer, sizeof buffer);
      for (ssize_t at = 0; at < length;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        const std::string name = event->len > 0 ? event->name : "";
        if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO)) &&
            folders.count(event->wd) && counts(name)) {
          add(folders[event->wd] + "/" + name);
        }
        if (counts(name)) changed = true;
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  };

  for (;;) {
    if (context.style.color) print("\x1b[2J\x1b[H");  // a clean screen for each run
    progress(context, true);
    print("\n" +
          context.style.dim("Watching " + context.paths.show(root) +
                            "/ for saved files; press Ctrl-C to stop.") +
          "\n");
    std::fflush(stdout);
    if (!wait_for_save()) break;
    print("\nA file changed: checking again ...\n");
    std::fflush(stdout);
  }
  ::close(fd);
  print("\nStopped watching.\n");
  return kOk;
}

int reset(Context& context, const std::string& key, bool yes) {
  const Lesson& lesson = context.lesson(key);
  const std::string folder = context.tree.lessons_dir + "/" + lesson.directory;
  const std::string shown = lesson_path(context, lesson);
  const std::string relative = relative_to(folder, context.tree.source_dir);
  if (relative == folder) {
    error_line("the lessons (" + context.tree.lessons_dir + ") are not inside the project at " +
               context.tree.source_dir + ", so git cannot restore them");
    return kUsage;
  }
  if (!git(context, {"rev-parse", "--git-dir"}).ok) {
    error_line(context.tree.source_dir +
               " is not a git checkout, so there is no starter to restore; clone the workbook "
               "again to get the starter");
    return kUsage;
  }
  const std::string ref = starter_ref(context);
  if (!git(context, {"rev-parse", "--verify", "-q", ref + "^{commit}"}).ok) {
    error_line("'" + ref + "' is not a commit here; fix or unset WORKBOOK_STARTER_REF");
    return kUsage;
  }
  // The starter's files: "mode type hash\tpath".
  const GitResult tree = git(context, {"ls-tree", "-r", "--full-tree", ref, "--", relative + "/"});
  std::map<std::string, bool> starter;  // path relative to the lesson folder -> executable
  for (const auto& line : split_lines(tree.out)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string path = line.substr(tab + 1);
    starter[relative_to(path, relative)] = line.rfind("100755", 0) == 0;
  }
  if (starter.empty()) {
    error_line(shown + " is not in " + ref + ", so there is no starter to restore");
    return kUsage;
  }

  // What differs from the starter.
  std::map<std::string, std::string> contents;
  std::vector<std::string> changes;
  for (const auto& [path, executable] : starter) {
    const GitResult blob = git(context, {"show", ref + ":" + relative + "/" + path});
    if (!blob.ok) {
      error_line("git cannot read " + relative + "/" + path + " from " + ref + ": " + blob.err);
      return kUsage;
    }
    contents[path] = blob.out;
    const std::string file = folder + "/" + path;
    if (!fs::exists(file)) {
      changes.push_back("  deleted    " + path);
    } else if (read_file(file) != blob.out) {
      changes.push_back("  changed    " + path);
    }
  }
  if (fs::is_directory(folder)) {
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      if (!entry.is_directory() && !starter.count(relative_to(entry.path().string(), folder))) {
        changes.push_back("  added      " + relative_to(entry.path().string(), folder));
      }
    }
  }
  if (changes.empty()) {
    print(shown + " is already the starter (as in " + ref + "): nothing to reset.\n");
    return kOk;
  }
  std::sort(changes.begin(), changes.end());

  // A new folder for each backup, even for two resets within a second.
  std::string backup = context.state_dir + "/backup/" + timestamp() + "-" + lesson.directory;
  for (int n = 2; fs::exists(backup); ++n) {
    backup = context.state_dir + "/backup/" + timestamp() + "-" + lesson.directory + "-" +
             std::to_string(n);
  }
  std::string out = "Reset lesson " + lesson.number + " (" + shown + ") to its starter from " +
                    ref + ". Your files that differ:\n";
  for (const auto& change : changes) out += change + "\n";
  print(out);
  if (!yes) {
    if (::isatty(STDIN_FILENO) != 1) {
      error_line(
          "reset replaces your work, so it asks first; to reset without a question: "
          "./workbook reset " +
          lesson.number + " --yes");
      return kUsage;
    }
    if (!ask("Replace lesson " + lesson.number +
             " with its starter (a copy of your files goes to " +
             context.paths.show(context.state_dir) + "/backup/ first)? [y/N] ")) {
      print("Nothing changed.\n");
      return kOk;
    }
  }
  try {
    if (fs::exists(folder)) {
      fs::create_directories(fs::path(backup).parent_path());
      fs::copy(folder, backup, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
      for (const auto& entry : fs::directory_iterator(folder)) fs::remove_all(entry.path());
    }
    for (const auto& [path, text] : contents) {
      write_file(folder + "/" + path, text);
      if (starter[path]) {
        fs::permissions(folder + "/" + path,
                        fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                        fs::perm_options::add);
      }
    }
  } catch (const std::exception& e) {
    error_line(std::string("reset stopped halfway: ") + e.what() + "; your files are in " +
               context.paths.show(backup));
    return kUsage;
  }
  HintLog log = HintLog::load(context.state_dir + "/hints.json");
  log.forget(lesson.number);
  try {
    log.save();
  } catch (const std::exception&) {
  }
  forget_progress(context, lesson.number);
  if (!lesson.generated.empty()) {
    print(
        "Note: the databases keep what your commands did (tables, applied revisions); to start "
        "them afresh: ./workbook db reset, then ./workbook run 01\n");
  }
  print(context.style.green("Lesson " + lesson.number + " is back to its starter.") +
        " Your previous files: " + context.paths.show(backup) + "\n");
  return kOk;
}

int run(Context& context, const std::string& key, const std::vector<std::string>& args) {
  const Lesson& lesson = context.lesson(key);
  const auto target = targets_of(lesson, Side::lesson).program;
  const auto file = context.tree.target_file(target);
  if (!file) {
    error_line("the build has no program for lesson " + lesson.number + " (" + target + "); is " +
               lesson_path(context, lesson) + "/CMakeLists.txt there? ./workbook reset " +
               lesson.number + " restores it");
    return kBuildFailed;
  }
  Checker checker(context.tree, context.options);
  const std::string folder = context.tree.lessons_dir + "/" + lesson.directory;
  if (const auto error = context.options.build ? checker.build_target(target, folder)
                                               : std::optional<BuildError>()) {
    std::string out =
        context.style.red("Lesson " + lesson.number + "'s program does not compile:") + "\n\n" +
        describe_build_error(*error, context.paths, context.style, 4) +
        "\nFix it, then run again: ./workbook run " + lesson.number;
    for (const auto& arg : args) out += " " + shell_join({arg});
    print(out + "\n");
    return kBuildFailed;
  }
  std::vector<std::string> argv{*file};
  argv.insert(argv.end(), args.begin(), args.end());
  // How the student runs this program, for the advice it prints ("./workbook run 04 db
  // upgrade"); lessons/support/workbook/command.hpp reads it.
  ::setenv("WORKBOOK_COMMAND", ("./workbook run " + lesson.number).c_str(), 1);
  std::fflush(stdout);
  error_line(exec_program(argv));
  return kCrashed;
}

int grade(Context& context, const std::string& path, const std::string& junit,
          const std::string& grade_build_dir) {
  const Style& style = context.style;
  std::error_code error;
  const fs::path student = fs::canonical(path, error);
  if (error || !fs::is_directory(student)) {
    error_line("there is no folder " + path + " to grade: give the path of a student's checkout");
    return kUsage;
  }
  const std::string lessons = (student / "lessons").string();
  if (!fs::is_directory(lessons)) {
    error_line(student.string() + " has no lessons/ folder: give the root of a student's checkout");
    return kUsage;
  }
  if (const auto problem = database_problem()) return report_database(*problem);

  const std::string build_dir =
      grade_build_dir.empty()
          ? context.tree.source_dir + "/build/grade-" + safe_name(student.filename().string())
          : fs::absolute(grade_build_dir).lexically_normal().string();
  print(style.bold("Grading " + student.string()) +
        "\n  build tree: " + context.paths.show(build_dir) + "\n");
  std::fflush(stdout);

  // A build tree of the instructor's project whose lessons come from the student's folder.
  if (cache_value(build_dir, "WORKBOOK_LESSONS_DIR") != lessons ||
      !fs::exists(build_dir + "/build.ninja")) {
    ProcessSpec configure;
    configure.argv = {"cmake",
                      "-S",
                      context.tree.source_dir,
                      "-B",
                      build_dir,
                      "-G",
                      "Ninja",
                      "-DCMAKE_BUILD_TYPE=Debug",
                      "-DWORKBOOK_LESSONS_DIR=" + lessons,
                      "-DWORKBOOK_SOLUTIONS_DIR=",
                      "-DWORKBOOK_DOCS=OFF",
                      "-DWORKBOOK_BENCH=OFF"};
    configure.merge_output = true;
    const ProcessResult result = run_process(configure);
    fs::create_directories(build_dir);
    write_file(build_dir + "/configure.log", result.out);
    if (!result.ok()) {
      error_line("cmake could not configure the grading build; see " + build_dir +
                 "/configure.log");
      for (const auto& line : cmake_errors(result.out))
        std::fprintf(stderr, "  %s\n", line.c_str());
      return kBuildFailed;
    }
  }
  Context graded = context;
  try {
    graded.tree = BuildTree::load(build_dir);
  } catch (const std::exception& e) {
    error_line(e.what());
    return kBuildFailed;
  }
  graded.paths.lessons_dir = lessons;
  print("  building and checking " + std::to_string(context.catalog.lessons().size()) +
        " lessons ...\n\n");
  std::fflush(stdout);

  Checker checker(graded.tree, context.options);
  const auto results = checker.check(context.catalog.lessons(), Side::lesson);
  if (interrupted()) return kInterrupted;

  // The table: one row per check.
  int lessons_passed = 0, checks_passed = 0, checks_total = 0;
  std::string out;
  for (const auto& result : results) {
    lessons_passed += result.passed() ? 1 : 0;
    std::string verdict = state_words(result);
    if (result.state == LessonResult::State::passed) verdict = "pass";
    out += style.bold("lesson " + result.lesson.number + "  " + result.lesson.title) + "  " +
           (result.passed() ? style.green(verdict) : style.red(verdict)) + "\n";
    if (result.state == LessonResult::State::build_failed) {
      ++checks_total;
      out += "  " + style.red("FAIL") +
             "  build: " + build_error_summary(*result.build_error, graded.paths) + "\n";
    } else if (result.state == LessonResult::State::missing) {
      ++checks_total;
      out += "  " + style.red("FAIL") + "  " + result.problem + "\n";
    }
    for (const auto& check : result.run.checks) {
      ++checks_total;
      checks_passed += check.passed ? 1 : 0;
      out += "  " + (check.passed ? style.green("pass") : style.red("FAIL")) + "  " + check.name +
             "\n";
      if (const Failure* failure = first_failure(check); failure && !check.passed) {
        out += "        " + style.dim(failure_summary(*failure, graded.paths)) + "\n";
      }
    }
    if (!result.problem.empty() && result.state != LessonResult::State::missing) {
      ++checks_total;
      out += "  " + style.red("FAIL") + "  " + result.problem + "\n";
    }
    out += "\n";
  }
  const bool all = lessons_passed == static_cast<int>(results.size());
  out += style.bold("Result: ") +
         (all ? style.green("every lesson passes") : style.red("not every lesson passes")) + ": " +
         std::to_string(lessons_passed) + "/" + std::to_string(results.size()) + " lessons, " +
         std::to_string(checks_passed) + "/" + std::to_string(checks_total) + " checks.\n";
  if (!junit.empty()) {
    try {
      write_file(junit, junit_xml(results, student.string(), graded.paths));
      out += "JUnit XML: " + junit + "\n";
    } catch (const std::exception& e) {
      print(out);
      error_line(std::string(e.what()) + ": choose another --junit file");
      return kUsage;
    }
  }
  print(out);
  return all ? kOk : kNotDone;
}

int verify_starter(Context& context, const std::string& key) {
  const Lesson& lesson = context.lesson(key);
  if (const auto problem = database_problem()) return report_database(*problem);
  Checker checker(context.tree, context.options);
  const auto result = checker.check({lesson}, Side::lesson).front();
  const int by_assertion = result.run.failures_of(Failure::Kind::assertion);
  const std::string shown = lesson_path(context, lesson);
  if (result.state == LessonResult::State::failed && by_assertion > 0) {
    print("ok: the checks of lesson " + lesson.number + " fail on the starter in " + shown + " (" +
          std::to_string(result.run.failed()) + " of " +
          plural(static_cast<int>(result.run.checks.size()), "check") + " fail; " +
          plural(by_assertion, "failed assertion") + ").\n");
    for (const auto& check : result.run.checks) {
      if (!check.passed && !check.failures.empty()) {
        print("  " + check.name + "\n    " +
              failure_summary(check.failures.front(), context.paths) + "\n");
      }
    }
    return kOk;
  }
  std::string why;
  switch (result.state) {
    case LessonResult::State::passed:
      why = "every check passes on " + shown +
            ": either the checks cannot fail, or the folder holds a solution rather than the "
            "starter (this test checks the starters as committed)";
      break;
    case LessonResult::State::failed:
      why =
          "its checks fail only by exceptions, never by an assertion: a check should say what "
          "it expected";
      break;
    case LessonResult::State::build_failed:
      why = "the starter does not compile: " +
            build_error_summary(*result.build_error, context.paths);
      break;
    case LessonResult::State::crashed:
    case LessonResult::State::missing:
      why = "the checks did not run to their end: " +
            (result.problem.empty() ? std::string("a check crashed or hung") : result.problem);
      break;
  }
  print(describe_problem(context, result, true));
  error_line("lesson " + lesson.number + "'s starter is not failing its checks cleanly: " + why);
  return kNotDone;
}

int verify_diffs(Context& context) {
  if (context.tree.solutions_dir.empty()) {
    error_line("this build has no solutions (WORKBOOK_SOLUTIONS_DIR is empty)");
    return kUsage;
  }
  int problems = 0;
  for (const auto& lesson : context.catalog.lessons()) {
    const std::string lesson_dir = context.tree.lessons_dir + "/" + lesson.directory;
    const std::string solution_dir = context.tree.solutions_dir + "/" + lesson.directory;
    const auto found = compare_folders(lesson_dir, solution_dir, lesson.generated);
    if (found.empty()) {
      print("ok: " + lesson.number + " " + lesson.directory +
            ": the solution changes only lines under TODO comments\n");
      continue;
    }
    for (const auto& problem : found) {
      ++problems;
      std::string where = relative_to(lesson_dir, context.tree.source_dir);
      if (!problem.file.empty()) where += "/" + problem.file;
      if (problem.line > 0) where += ":" + std::to_string(problem.line);
      print("FAIL: " + where + ": " + problem.message + "\n");
      for (const auto& line : problem.hunk) print("    " + line + "\n");
    }
  }
  if (problems > 0) {
    error_line(plural(problems, "difference") +
               " between lessons and solutions outside TODO places: put a TODO comment right "
               "above each place the student changes, and keep it in the solution");
    return kNotDone;
  }
  return kOk;
}

}  // namespace workbook
