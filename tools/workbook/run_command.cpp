#include "commands.hpp"

#include <cstdlib>

#include "process.hpp"

#include "command_text.hpp"

namespace workbook {

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
        (lesson.compile_hint(error->message).empty()
             ? ""
             : "\nLikely: " + lesson.compile_hint(error->message) + "\n") +
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

}  // namespace workbook
