#include "commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>

#include "hints.hpp"
#include "lines.hpp"
#include "process.hpp"

#include "command_text.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

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

}  // namespace

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
        " Your previous files: " + context.paths.show(backup) + "\n" +
        "To get them back: " + shell_join({"cp", "-a", context.paths.show(backup) + "/.", shown}) +
        "   (then ./workbook check " + lesson.number + ")\n");
  return kOk;
}

}  // namespace workbook
