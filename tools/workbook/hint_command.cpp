#include "commands.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "hints.hpp"

#include "command_text.hpp"

namespace workbook {

namespace {

// A hint step as a heading ("Step 2", "Your turn").
std::string step_heading(const std::string& step) {
  if (step.find_first_not_of("0123456789") == std::string::npos) return "Step " + step;
  std::string heading = step;
  heading[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(heading[0])));
  return heading;
}

}  // namespace

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
    // The last check of the lesson (.workbook/progress.json, save_progress): done, or the step
    // its first failing check belongs to.
    nlohmann::json progress;
    try {
      progress = nlohmann::json::parse(read_file(context.state_dir + "/progress.json"))
                     .value(lesson.number, nlohmann::json::object());
    } catch (const std::exception&) {  // not checked yet: the first step not seen
    }
    if (!all && progress.is_object() && progress.value("done", false) && !steps.empty()) {
      print(style.bold("Hints for lesson " + lesson.number + ": " + lesson.title) +
            "\n\n  Lesson " + lesson.number + " passed every check when it was last checked (" +
            progress.value("checked", std::string("")) +
            "), so no step is waiting for a hint.\n  The hints of one step: ./workbook hint " +
            lesson.number + " STEP (STEP: " + steps + ")\n");
      return kOk;
    }
    if (progress.is_object() && progress.contains("hint_step") &&
        progress["hint_step"].is_string()) {
      chosen = lesson.hint_step(progress["hint_step"].get<std::string>());
    }
  }
  if (chosen == nullptr) {
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

}  // namespace workbook
