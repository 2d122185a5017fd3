#include "lessons.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace workbook {
namespace {

std::vector<std::string> string_list(const nlohmann::json& object, const char* key,
                                     const std::string& where) {
  std::vector<std::string> values;
  const auto it = object.find(key);
  if (it == object.end()) return values;
  if (!it->is_array()) throw std::runtime_error(where + ": \"" + key + "\" must be a list");
  for (const auto& value : *it) {
    if (!value.is_string()) {
      throw std::runtime_error(where + ": \"" + key + "\" must list strings");
    }
    values.push_back(value.get<std::string>());
  }
  return values;
}

// "hints": plain strings (one step without a name), or {"step": NAME, "hints": [...]} groups.
std::vector<HintStep> hint_steps(const nlohmann::json& object, const std::string& where) {
  std::vector<HintStep> steps;
  const auto it = object.find("hints");
  if (it == object.end()) return steps;
  if (!it->is_array()) throw std::runtime_error(where + ": \"hints\" must be a list");
  for (const auto& value : *it) {
    if (value.is_string()) {
      if (steps.empty() || !steps.back().step.empty()) steps.emplace_back();
      steps.back().hints.push_back(value.get<std::string>());
    } else if (value.is_object() && value.contains("step") && value["step"].is_string()) {
      HintStep step;
      step.step = value["step"].get<std::string>();
      step.hints = string_list(value, "hints", where + ", hints of step " + step.step);
      if (step.step.empty() || step.hints.empty()) {
        throw std::runtime_error(where + ": a hint step needs a \"step\" name and \"hints\"");
      }
      steps.push_back(std::move(step));
    } else {
      throw std::runtime_error(
          where + ": \"hints\" must list strings or {\"step\": ..., \"hints\": [...]}");
    }
  }
  return steps;
}

// "Your turn" -> "yourturn": how step names are compared.
std::string step_key(const std::string& name) {
  std::string key;
  for (const char c : name) {
    if (c != ' ' && c != '-' && c != '_') {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return key;
}

std::string required_string(const nlohmann::json& object, const char* key,
                            const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw std::runtime_error(where + ": \"" + key + "\" is missing or not a string");
  }
  return it->get<std::string>();
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

Catalog Catalog::load(const std::string& path) {
  return parse(read_file(path), path);
}

Catalog Catalog::parse(const std::string& text, const std::string& origin) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw std::runtime_error(origin + " is not valid JSON");
  const auto list = json.find("lessons");
  if (!json.is_object() || list == json.end() || !list->is_array()) {
    throw std::runtime_error(origin + ": expected {\"lessons\": [ ... ]}");
  }
  Catalog catalog;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& entry = (*list)[i];
    const std::string where = origin + ", lesson " + std::to_string(i + 1);
    if (!entry.is_object()) throw std::runtime_error(where + ": expected an object");
    Lesson lesson;
    lesson.number = required_string(entry, "number", where);
    lesson.directory = required_string(entry, "directory", where);
    lesson.title = required_string(entry, "title", where);
    lesson.program = required_string(entry, "program", where);
    lesson.summary = entry.value("summary", "");
    lesson.crash_hint = entry.value("crash_hint", "");
    lesson.edit = string_list(entry, "edit", where);
    lesson.generated = string_list(entry, "generated", where);
    lesson.hint_steps = hint_steps(entry, where);
    if (const auto hints = entry.find("compile_hints"); hints != entry.end()) {
      if (!hints->is_array())
        throw std::runtime_error(where + ": \"compile_hints\" must be a list");
      for (const auto& hint : *hints) {
        CompileHint compile_hint;
        compile_hint.when = string_list(hint, "when", where + ", compile_hints");
        compile_hint.say = hint.is_object() ? hint.value("say", "") : "";
        if (compile_hint.when.empty() || compile_hint.say.empty()) {
          throw std::runtime_error(where + ": a compile hint needs \"when\" and \"say\"");
        }
        lesson.compile_hints.push_back(std::move(compile_hint));
      }
    }
    for (const auto& step : lesson.hint_steps) {
      lesson.hints.insert(lesson.hints.end(), step.hints.begin(), step.hints.end());
    }
    catalog.lessons_.push_back(lesson);
  }
  return catalog;
}

std::string Lesson::compile_hint(const std::string& message) const {
  for (const auto& hint : compile_hints) {
    if (std::all_of(hint.when.begin(), hint.when.end(), [&](const std::string& text) {
          return message.find(text) != std::string::npos;
        })) {
      return hint.say;
    }
  }
  return {};
}

const HintStep* Lesson::hint_step(const std::string& name) const {
  for (const auto& step : hint_steps) {
    if (!step.step.empty() && step_key(step.step) == step_key(name)) return &step;
  }
  return nullptr;
}

const Lesson* Catalog::find(const std::string& key) const {
  for (const auto& lesson : lessons_) {
    if (key == lesson.number || key == lesson.directory) return &lesson;
    // "3" for "03"
    if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos &&
        lesson.number.find_first_not_of("0123456789") == std::string::npos &&
        std::stoul(key) == std::stoul(lesson.number)) {
      return &lesson;
    }
  }
  return nullptr;
}

std::string Catalog::numbers() const {
  std::string text;
  for (std::size_t i = 0; i < lessons_.size(); ++i) {
    if (i > 0) text += i + 1 == lessons_.size() ? " or " : ", ";
    text += lessons_[i].number;
  }
  return text;
}

Catalog Catalog::only(const std::vector<std::string>& keys) const {
  for (const auto& key : keys) {
    if (find(key) == nullptr) {
      throw std::invalid_argument("there is no lesson '" + key + "': use " + numbers() +
                                  " (./workbook list shows them)");
    }
  }
  Catalog selected;
  for (const auto& lesson : lessons_) {
    for (const auto& key : keys) {
      if (find(key) == &lesson) {
        selected.lessons_.push_back(lesson);
        break;
      }
    }
  }
  return selected;
}

BuildTree BuildTree::load(const std::string& build_dir) {
  const std::string path = build_dir + "/workbook-tool.json";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error(path +
                             " is missing: the build is not configured; run ./workbook setup");
  }
  const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    throw std::runtime_error(path +
                             " is broken: run ./workbook setup (or delete the build folder)");
  }
  BuildTree tree;
  tree.build_dir = json.value("build_dir", build_dir);
  tree.source_dir = json.value("source_dir", "");
  tree.lessons_dir = json.value("lessons_dir", "");
  tree.solutions_dir = json.value("solutions_dir", "");
  tree.lessons_json = json.value("lessons_json", tree.source_dir + "/lessons/lessons.json");
  tree.ninja = json.value("ninja", "");
  if (const auto targets = json.find("targets"); targets != json.end() && targets->is_object()) {
    for (const auto& [name, file] : targets->items()) {
      if (file.is_string()) tree.targets[name] = file.get<std::string>();
    }
  }
  return tree;
}

std::vector<std::string> BuildTree::build_command(const std::vector<std::string>& targets,
                                                  bool keep_going) const {
  std::vector<std::string> argv;
  if (!ninja.empty()) {
    argv = {ninja};
  } else {
    argv = {"cmake", "--build", build_dir, "--target"};
  }
  argv.insert(argv.end(), targets.begin(), targets.end());
  if (keep_going) {
    if (ninja.empty()) argv.push_back("--");
    argv.insert(argv.end(), {"-k", "0"});
  }
  return argv;
}

std::optional<std::string> BuildTree::target_file(const std::string& name) const {
  const auto it = targets.find(name);
  if (it == targets.end()) return std::nullopt;
  return it->second;
}

}  // namespace workbook
