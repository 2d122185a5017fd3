#include "commands.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "hints.hpp"

#include "command_text.hpp"

namespace workbook {

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

}  // namespace workbook
