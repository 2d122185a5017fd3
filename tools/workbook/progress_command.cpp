#include "commands.hpp"

#include <algorithm>
#include <filesystem>

#include "command_text.hpp"
#include "process.hpp"

namespace fs = std::filesystem;

namespace workbook {

namespace {

// False when the lesson's check program is still to be built for the first time (a lesson the
// build does not know counts as built: checking it says what is missing).
bool checks_built(const Context& context, const Lesson& lesson) {
  const auto file = context.tree.target_file(targets_of(lesson, Side::lesson).checks);
  return !file || fs::exists(*file);
}

// On a fresh build tree only what the first lessons need is built before the verdict: the lessons
// whose checks are built are checked at once, the others one at a time up to the first that is
// not done. The rest are built afterwards, in the background. Returns every lesson's result, in
// order; `later` gets the lessons left to build.
std::vector<LessonResult> check_first_lessons(Context& context, Checker& checker,
                                              std::vector<Lesson>& later) {
  std::vector<Lesson> now;
  for (const auto& lesson : context.catalog.lessons()) {
    (checks_built(context, lesson) ? now : later).push_back(lesson);
  }
  auto results = checker.check(now, Side::lesson);
  const auto all_passed = [&] {
    return std::all_of(results.begin(), results.end(), [](const auto& r) { return r.passed(); });
  };
  // The first lesson not built is checked too when everything before it is done, or nothing is
  // built at all (a fresh clone: lesson 01).
  while (!later.empty() && !interrupted() && (all_passed() || now.empty())) {
    now.push_back(later.front());
    const auto more = checker.check({later.front()}, Side::lesson);
    results.insert(results.end(), more.begin(), more.end());
    later.erase(later.begin());
  }
  for (const auto& lesson : later) {
    LessonResult result;
    result.lesson = lesson;
    result.state = LessonResult::State::missing;
    result.not_built = true;
    result.problem = "not built yet: ./workbook check " + lesson.number + " builds and checks it";
    results.push_back(result);
  }
  std::vector<LessonResult> ordered;
  for (const auto& lesson : context.catalog.lessons()) {
    for (const auto& result : results) {
      if (result.lesson.number == lesson.number) ordered.push_back(result);
    }
  }
  return ordered;
}

// Starts building `lessons` in the background (nice, under the build lock, so a command started
// meanwhile waits for it rather than running Ninja beside it).
void build_in_background(const Context& context, const std::vector<Lesson>& lessons) {
  std::vector<std::string> argv{"flock",   context.tree.build_dir + "/workbook-tool/build.lock",
                                "nice",    "-n",
                                "10",      "cmake",
                                "--build", context.tree.build_dir};
  for (const auto& lesson : lessons) {
    const LessonTargets targets = targets_of(lesson, Side::lesson);
    for (const auto& target : {targets.program, targets.checks}) {
      argv.push_back("--target");
      argv.push_back(target);
    }
  }
  subprocess::spawn_detached(argv, context.tree.build_dir + "/workbook-tool/background-build.log");
}

}  // namespace

int progress(Context& context, bool watching) {
  if (const auto problem = database_problem()) return report_database(*problem);
  Checker checker(context.tree, context.options);
  std::vector<Lesson> later;
  // A build after many edits takes a while: say what is going on before it starts.
  if (context.options.build) print("Building what changed and checking your lessons ...\n");
  const auto results = context.options.build
                           ? check_first_lessons(context, checker, later)
                           : checker.check(context.catalog.lessons(), Side::lesson);
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
        "  Your app creates its databases, connects, maps Book to a table, versions its schema\n"
        "  with migrations, relates authors, books and genres, and mends a history with two\n"
        "  heads. Try more models and more migrations in lessons/" +
        context.catalog.lessons().back().directory + "; ./workbook docs builds the guide.\n";
    print(out);
    return kOk;
  }
  if (!later.empty()) {
    out += style.dim(later.size() == 1
                         ? "  Lesson " + later.front().number +
                               " is being built in the background; the next ./workbook checks it."
                         : "  Lessons " + later.front().number + "-" + later.back().number +
                               " are being built in the background; the next ./workbook checks "
                               "them.") +
           "\n";
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
  std::fflush(stdout);
  if (!later.empty()) build_in_background(context, later);
  return kNotDone;
}

}  // namespace workbook
