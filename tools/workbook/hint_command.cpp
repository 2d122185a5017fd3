#include "commands.hpp"

#include "hints.hpp"

#include "command_text.hpp"

namespace workbook {

int hint(Context& context, const std::string& key, bool all) {
  const Lesson& lesson = context.lesson(key);
  const Style& style = context.style;
  if (lesson.hints.empty()) {
    print("Lesson " + lesson.number + " has no hints: read " + lesson_path(context, lesson) +
          "/README.md.\n");
    return kOk;
  }
  HintLog log = HintLog::load(context.state_dir + "/hints.json");
  const int total = static_cast<int>(lesson.hints.size());
  const int shown = log.reveal(lesson.number, total, all);
  try {
    log.save();
  } catch (const std::exception&) {  // read-only checkout: hints still show
  }
  std::string out = style.bold("Hints for lesson " + lesson.number + ": " + lesson.title) + "\n\n";
  for (int i = 0; i < shown; ++i) {
    const std::string label = std::to_string(i + 1) + ". ";
    const std::string text = lesson.hints[static_cast<std::size_t>(i)];
    out += "  " + (i + 1 == shown && !all ? style.yellow(label + text) : label + text) + "\n";
  }
  out += "\n";
  if (shown < total) {
    out += "  Hint " + std::to_string(shown) + " of " + std::to_string(total) +
           ". Still stuck? ./workbook hint " + lesson.number +
           " shows the next one (--all: all).\n";
  } else {
    out += "  That is every hint for lesson " + lesson.number +
           ". The lesson text has the rest: " + lesson_path(context, lesson) + "/README.md\n";
  }
  out += "  Check your work: ./workbook check " + lesson.number + "\n";
  print(out);
  return kOk;
}

}  // namespace workbook
