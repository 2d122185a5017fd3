#include "checker.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "grade_sandbox.hpp"
#include "orm/database.hpp"
#include "orm/errors.hpp"
#include "orm/url.hpp"
#include "source_record.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

// The most of a sandboxed check program's results file that is read (its checks' messages).
constexpr std::size_t kMaxResultsBytes = 64 << 20;

std::vector<std::string> nonempty_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::string first_line(const std::string& text) {
  const auto lines = nonempty_lines(text);
  return lines.empty() ? std::string() : lines.front();
}

// A test name as Catch2 reads it from --input-file: its special characters escaped.
std::string test_spec(const std::string& name) {
  std::string spec;
  for (char c : name) {
    if (c == '\\' || c == '"' || c == ',' || c == '[' || c == ']' || c == '~' || c == '*') {
      spec += '\\';
    }
    spec += c;
  }
  return spec;
}

}  // namespace

LessonTargets targets_of(const Lesson& lesson, Side side) {
  const std::string stem = (side == Side::lesson ? "lesson" : "solution") + lesson.number;
  return {stem, "check_" + stem, ""};
}

std::string database_url() {
  const char* value = std::getenv("DATABASE_URL");
  return value != nullptr ? value : "";
}

std::optional<std::string> database_problem() {
  if (database_url().empty()) {
    // Never a guessed server: the workbook's own cluster may run on another port or socket.
    return std::string(
        "DATABASE_URL is not set: run the checks through ./workbook (it sets DATABASE_URL to the "
        "server it runs), or set it to the URL ./workbook db url prints");
  }
  try {
    // The checks make their own databases through the server's maintenance database.
    orm::Database db(orm::DatabaseUrl::parse(database_url()).with_database("postgres"));
    db.connection();
    return std::nullopt;
  } catch (const orm::Error& e) {
    return std::string(e.what());
  } catch (const std::exception& e) {
    return "cannot connect to PostgreSQL: " + std::string(e.what());
  }
}

std::string relative_to(const std::string& path, const std::string& base) {
  if (base.empty()) return path;
  const std::string prefix = base.back() == '/' ? base : base + "/";
  return path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : path;
}

void parallel_for(std::size_t count, std::size_t jobs, const std::function<void(std::size_t)>& fn) {
  std::size_t next = 0;
  std::mutex mutex;
  auto worker = [&] {
    for (;;) {
      std::size_t index;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (next == count) return;
        index = next++;
      }
      fn(index);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < std::max<std::size_t>(1, std::min(jobs, count)); ++i) {
    threads.emplace_back(worker);
  }
  for (auto& thread : threads) thread.join();
}

FileLock::FileLock(const std::string& path, const std::string& waiting) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  if (!waiting.empty()) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s\n", waiting.c_str());
  }
  ::flock(fd_, LOCK_EX);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

Checker::Checker(BuildTree tree, CheckerOptions options)
    : tree_(std::move(tree)), options_(options) {}

void Checker::confine(ProcessSpec& spec) const {
  if (options_.sandbox != nullptr) options_.sandbox->confine(spec);
}

void Checker::follow_contents(const std::vector<LessonTargets>& targets) {
  std::vector<LessonSources> lessons;
  for (const auto& target : targets) {
    LessonSources sources{target.folder, {}};
    if (const auto program = tree_.target_file(target.program)) {
      sources.object_dirs.push_back(fs::path(*program).parent_path().string() + "/CMakeFiles");
    }
    if (const auto checks = tree_.target_file(target.checks)) {
      sources.object_dirs.push_back(fs::path(*checks).parent_path().string() + "/CMakeFiles/" +
                                    target.checks + ".dir");
    }
    if (!sources.folder.empty()) lessons.push_back(sources);
  }
  const StaleSources stale = forget_stale_objects(state_dir() + "/sources.json", lessons);
  if (stale.cmake_lists) {  // a CMakeLists.txt with an old time: Ninja would not configure again
    ProcessSpec configure;
    configure.argv = {"cmake", "-S", tree_.source_dir, "-B", tree_.build_dir};
    configure.merge_output = true;
    run_process(configure);  // a failure shows in the build that follows
  }
}

void Checker::follow_contents_of(const std::vector<Lesson>& lessons) {
  std::vector<LessonTargets> targets;
  for (const auto& lesson : lessons) {
    for (const Side side : {Side::lesson, Side::solution}) {
      LessonTargets target = targets_of(lesson, side);
      target.folder = folder_of(lesson, side);
      if (!target.folder.empty() && tree_.target_file(target.program)) targets.push_back(target);
    }
  }
  follow_contents(targets);
}

std::string Checker::folder_of(const Lesson& lesson, Side side) const {
  const std::string& root = side == Side::lesson ? tree_.lessons_dir : tree_.solutions_dir;
  return root.empty() ? std::string() : root + "/" + lesson.directory;
}

std::vector<std::string> Checker::own_dirs() const {
  return {tree_.lessons_dir, tree_.solutions_dir};
}

std::string Checker::state_dir() const {
  if (options_.sandbox != nullptr) return options_.sandbox->state_dir();
  const std::string dir = tree_.build_dir + "/workbook-tool";
  fs::create_directories(dir);
  return dir;
}

std::vector<std::optional<BuildError>> Checker::build(const std::vector<LessonTargets>& targets) {
  std::vector<std::optional<BuildError>> errors(targets.size());
  if (targets.empty()) return errors;
  std::vector<std::string> names;
  for (const auto& target : targets) {
    names.push_back(target.program);
    names.push_back(target.checks);
  }
  // Keep going, so one lesson that does not compile does not stop the others.
  const std::vector<std::string> argv = tree_.build_command(names, true);

  FileLock lock(state_dir() + "/build.lock");
  // A sandbox's lessons are a copy that rewrites only files whose content changed (so their
  // times are new): Ninja sees every change, and the tool never deletes in the submission's tree.
  if (options_.sandbox == nullptr) follow_contents(targets);
  ProcessSpec spec;
  spec.argv = argv;
  spec.directory = tree_.build_dir;
  spec.merge_output = true;
  confine(spec);
  const ProcessResult result = run_process(spec);
  write_file(state_dir() + "/build.log", result.out);
  if (result.ok()) return errors;

  // Which lesson each failed step belongs to. With -k 0 everything else was built, so a lesson
  // without a failed step of its own built fine, unless a step shared by all lessons failed
  // (the orm library, the test harness, CMake itself).
  const auto steps = failed_steps(result.out);
  std::optional<BuildError> shared;
  for (const auto& step : steps) {
    bool owned = false;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      std::vector<std::string> prefixes;
      for (const auto& target : {targets[i].program, targets[i].checks}) {
        if (const auto file = tree_.target_file(target)) {
          const std::string relative = relative_to(*file, tree_.build_dir);
          prefixes.push_back(relative);
          if (target == targets[i].program) {
            prefixes.push_back(fs::path(relative).parent_path().string() + "/");
          }
        }
      }
      if (step_belongs_to(step, {targets[i].program}, prefixes)) {
        owned = true;
        if (!errors[i]) errors[i] = first_error(step.lines, own_dirs());
      }
    }
    if (!owned && !shared) shared = first_error(step.lines, own_dirs());
  }
  if (steps.empty()) {  // CMake or Ninja failed before building anything
    if (const auto cmake = cmake_errors(result.out); !cmake.empty()) {
      shared = first_error(cmake);
    } else if (!result.started) {
      shared = BuildError{{}, 0, 0, result.error, {result.error}, {}, 0};
    } else {
      shared = first_error(nonempty_lines(result.out));
    }
  }
  for (auto& error : errors) {
    if (!error && shared) error = shared;
  }
  return errors;
}

std::optional<BuildError> Checker::build_target(const std::string& target,
                                                const std::string& folder) {
  // Held by the lessons' background build after a first ./workbook, for a minute or two.
  FileLock lock(state_dir() + "/build.lock",
                "Waiting for another build of the lessons to finish (the first ./workbook builds "
                "the lessons in the background) ...");
  follow_contents({{target, "check_" + target, folder}});
  ProcessSpec spec;
  spec.argv = tree_.build_command({target}, false);
  spec.directory = tree_.build_dir;
  spec.merge_output = true;
  const ProcessResult result = run_process(spec);
  write_file(state_dir() + "/build.log", result.out);
  if (result.ok()) return std::nullopt;
  const auto steps = failed_steps(result.out);
  if (const FailedStep* step = step_for_lesson(steps, folder, {target})) {
    return first_error(step->lines, own_dirs());
  }
  if (const auto cmake = cmake_errors(result.out); !cmake.empty()) return first_error(cmake);
  if (!result.started) return BuildError{{}, 0, 0, result.error, {result.error}, {}, 0};
  return first_error(nonempty_lines(result.out));
}

CheckRun Checker::run_checks(const std::string& program, const std::string& results_stem,
                             std::string& program_output, std::string& problem) {
  // The names of all checks, so that a crash in one does not hide the others.
  ProcessSpec list;
  list.argv = {program, "--list-test-names-only"};
  list.directory = fs::path(program).parent_path().string();
  list.timeout_seconds = 60;
  confine(list);
  const ProcessResult listed = run_process(list);
  // Catch2 exits with the number of checks it listed.
  if (!listed.started || listed.signal != 0 || listed.timed_out || listed.out.empty()) {
    problem = "the check program " + fs::path(program).filename().string() + " does not start: " +
              (listed.started ? first_line(listed.err + listed.out) : listed.error);
    if (problem.back() == ' ') problem += "(no output)";
    return {};
  }
  const std::vector<std::string> names = nonempty_lines(listed.out);
  const std::size_t shards = std::max<std::size_t>(1, std::min(options_.shards, names.size()));
  if (shards == 1) return run_group(program, names, results_stem, false, program_output, problem);

  // Several processes, each with every shards-th check (each has its own test database).
  std::vector<std::vector<std::string>> groups(shards);
  for (std::size_t i = 0; i < names.size(); ++i) groups[i % shards].push_back(names[i]);
  std::vector<CheckRun> runs(shards);
  std::vector<std::string> outputs(shards), problems(shards);
  parallel_for(shards, shards, [&](std::size_t k) {
    runs[k] = run_group(program, groups[k], results_stem + "." + std::to_string(k), true,
                        outputs[k], problems[k]);
  });
  CheckRun total;
  total.completed = true;
  std::map<std::string, Check> by_name;
  for (std::size_t k = 0; k < shards; ++k) {
    total.completed = total.completed && runs[k].completed;
    program_output += outputs[k];
    if (problem.empty()) problem = problems[k];
    for (auto& check : runs[k].checks) by_name.emplace(check.name, std::move(check));
  }
  for (const auto& name : names) {  // in the program's order
    const auto it = by_name.find(name);
    if (it == by_name.end()) continue;
    total.checks.push_back(std::move(it->second));
    by_name.erase(it);
  }
  for (auto& [name, check] : by_name) total.checks.push_back(std::move(check));
  return total;
}

CheckRun Checker::run_group(const std::string& program, const std::vector<std::string>& names,
                            const std::string& results_stem, bool select,
                            std::string& program_output, std::string& problem) {
  CheckRun total;
  std::set<std::string> seen;
  for (int attempt = 0;; ++attempt) {
    const std::string results =
        (options_.sandbox != nullptr ? options_.sandbox->results_dir() : state_dir()) + "/" +
        results_stem + ".jsonl";
    std::error_code ignored;
    fs::remove(results, ignored);
    ProcessSpec spec;
    spec.argv = {program, "--reporter", "workbook", "--out", results};
    if (select || attempt > 0) {  // this group's checks, or those a crashed run did not reach
      std::string wanted;
      for (const auto& name : names) {
        if (!seen.count(name)) wanted += test_spec(name) + "\n";
      }
      const std::string names_file = state_dir() + "/" + results_stem + ".names";
      write_file(names_file, wanted);
      spec.argv.push_back("--input-file");
      spec.argv.push_back(names_file);
    }
    spec.directory = fs::path(program).parent_path().string();
    spec.timeout_seconds = options_.timeout_seconds;
    confine(spec);
    const ProcessResult result = run_process(spec);
    program_output += result.out + result.err;
    if (!result.started) {
      problem = result.error;
      return total;
    }

    std::string text;
    if (options_.sandbox != nullptr) {
      try {
        text = options_.sandbox->read_written(results, kMaxResultsBytes);
      } catch (const std::exception&) {  // none, or not a plain file: no results
      }
    } else if (fs::exists(results)) {
      text = read_file(results);
    }
    CheckRun run = parse_records(text);
    const bool clean_exit = !result.timed_out && result.signal == 0 && run.completed;
    // The check that was running when the program died or hung.
    if (!clean_exit && !run.checks.empty() && !run.checks.back().finished) {
      Check& check = run.checks.back();
      Failure failure;
      if (result.timed_out) {
        failure.kind = Failure::Kind::timeout;
        failure.message = "did not finish within " + std::to_string(options_.timeout_seconds) +
                          " seconds and was stopped";
      } else {
        failure.kind = Failure::Kind::crash;
        failure.message =
            result.signal != 0
                ? "the check program crashed (" + subprocess::signal_name(result.signal) + ")"
                : "the check program exited in the middle of this check (exit code " +
                      std::to_string(result.exit_code) + ")";
      }
      check.failures.push_back(failure);
      check.finished = true;
      check.passed = false;
    }
    for (auto& check : run.checks) {
      for (auto& failure : check.failures) {
        if (failure.kind == Failure::Kind::crash && failure.signal == 0) {
          failure.signal = result.signal;
        }
      }
    }
    std::size_t fresh = 0;
    for (auto& check : run.checks) {
      if (seen.insert(check.name).second) ++fresh;
      total.checks.push_back(std::move(check));
    }
    if (result.cancelled) {
      problem = "interrupted";
      return total;
    }
    if (clean_exit) {
      if (result.exit_code != 0 && total.failed() == 0) {
        problem = "the check program exited with code " + std::to_string(result.exit_code) +
                  " although every check passed";
        return total;
      }
      total.completed = true;
      return total;
    }
    const bool all_seen = std::all_of(names.begin(), names.end(),
                                      [&](const std::string& name) { return seen.count(name); });
    if (fresh == 0 || all_seen) {
      if (all_seen && fresh > 0) {
        total.completed = true;  // every check ran, over several runs
      } else if (run.checks.empty()) {
        problem = result.timed_out ? "the check program did not finish within " +
                                         std::to_string(options_.timeout_seconds) + " seconds"
                  : result.signal != 0 ? "the check program crashed before its first check (" +
                                             subprocess::signal_name(result.signal) + ")"
                                       : "the check program wrote no results (exit code " +
                                             std::to_string(result.exit_code) +
                                             "): " + first_line(result.err + result.out);
      }
      return total;
    }
  }
}

std::vector<LessonResult> Checker::check(const std::vector<Lesson>& lessons, Side side) {
  std::vector<LessonResult> results(lessons.size());
  std::vector<LessonTargets> to_build;
  std::vector<std::size_t> built_index;

  for (std::size_t i = 0; i < lessons.size(); ++i) {
    LessonResult& result = results[i];
    result.lesson = lessons[i];
    result.side = side;
    result.folder = folder_of(lessons[i], side);
    const LessonTargets targets = targets_of(lessons[i], side);
    if (result.folder.empty()) {
      result.problem = "this build has no solutions (WORKBOOK_SOLUTIONS_DIR is empty)";
    } else if (!fs::exists(result.folder + "/CMakeLists.txt")) {
      result.problem = relative_to(result.folder, tree_.source_dir) +
                       "/CMakeLists.txt is missing; restore the lesson: ./workbook reset " +
                       lessons[i].number;
    } else if (!tree_.target_file(targets.program)) {
      result.problem = "the build has no target " + targets.program +
                       "; run ./workbook setup to configure it again";
    } else if (!tree_.target_file(targets.checks)) {
      result.problem =
          "lesson " + lessons[i].number + " has no checks (no target " + targets.checks + ")";
      result.no_checks = true;
    } else {
      to_build.push_back({targets.program, targets.checks, result.folder});
      built_index.push_back(i);
      continue;
    }
    result.state = LessonResult::State::missing;
  }

  std::vector<std::optional<BuildError>> errors(to_build.size());
  if (options_.build) errors = build(to_build);

  std::string log;
  if (options_.build && !to_build.empty()) {
    try {
      log = read_file(state_dir() + "/build.log");
    } catch (const std::exception&) {  // no log: no warnings to show
    }
  }
  std::vector<std::size_t> runnable;
  for (std::size_t k = 0; k < built_index.size(); ++k) {
    LessonResult& result = results[built_index[k]];
    result.warnings = warnings_in(log, result.folder);
    if (errors[k]) {
      result.state = LessonResult::State::build_failed;
      result.build_error = errors[k];
    } else {
      runnable.push_back(built_index[k]);
    }
  }

  parallel_for(runnable.size(), options_.jobs, [&](std::size_t k) {
    LessonResult& result = results[runnable[k]];
    const LessonTargets targets = targets_of(result.lesson, side);
    const auto started = std::chrono::steady_clock::now();
    result.run = run_checks(*tree_.target_file(targets.checks), targets.checks,
                            result.program_output, result.problem);
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!result.problem.empty() && result.run.checks.empty()) {
      result.state = LessonResult::State::crashed;
    } else if (result.run.all_passed() && result.problem.empty()) {
      result.state = LessonResult::State::passed;
    } else if (result.run.checks.empty()) {
      result.state = LessonResult::State::crashed;
      result.problem = "the check program ran no checks";
    } else if (result.run.failures_of(Failure::Kind::crash) > 0 ||
               result.run.failures_of(Failure::Kind::timeout) > 0 || !result.problem.empty()) {
      result.state = LessonResult::State::crashed;
    } else {
      result.state = LessonResult::State::failed;
    }
  });
  return results;
}

}  // namespace workbook
