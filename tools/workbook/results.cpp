#include "results.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

namespace workbook {
namespace {

Failure::Kind kind_from(const std::string& name) {
  if (name == "exception") return Failure::Kind::exception;
  if (name == "crash") return Failure::Kind::crash;
  if (name == "timeout") return Failure::Kind::timeout;
  if (name == "build") return Failure::Kind::build;
  if (name == "missing") return Failure::Kind::missing;
  return Failure::Kind::assertion;
}

std::vector<std::string> strings(const nlohmann::json& record, const char* key) {
  std::vector<std::string> values;
  if (const auto it = record.find(key); it != record.end() && it->is_array()) {
    for (const auto& value : *it) {
      if (value.is_string()) values.push_back(value.get<std::string>());
    }
  }
  return values;
}

Check& current_check(CheckRun& run, const std::string& name) {
  if (run.checks.empty() || run.checks.back().finished || run.checks.back().name != name) {
    Check check;
    check.name = name;
    run.checks.push_back(check);
  }
  return run.checks.back();
}

}  // namespace

std::string Failure::written() const {
  if (expression.empty()) return {};
  if (macro.empty()) return expression;
  return macro + "( " + expression + " )";
}

int CheckRun::passed() const {
  int count = 0;
  for (const auto& check : checks) count += check.passed ? 1 : 0;
  return count;
}

int CheckRun::failed() const {
  return static_cast<int>(checks.size()) - passed();
}

bool CheckRun::all_passed() const {
  return completed && !checks.empty() && failed() == 0;
}

const Check* CheckRun::first_failing() const {
  for (const auto& check : checks) {
    if (!check.passed) return &check;
  }
  return nullptr;
}

int CheckRun::failures_of(Failure::Kind kind) const {
  int count = 0;
  for (const auto& check : checks) {
    for (const auto& failure : check.failures) count += failure.kind == kind ? 1 : 0;
  }
  return count;
}

const char* kind_name(Failure::Kind kind) {
  switch (kind) {
    case Failure::Kind::assertion:
      return "assertion";
    case Failure::Kind::exception:
      return "exception";
    case Failure::Kind::crash:
      return "crash";
    case Failure::Kind::timeout:
      return "timeout";
    case Failure::Kind::build:
      return "build";
    case Failure::Kind::missing:
      return "missing";
  }
  return "assertion";
}

CheckRun parse_records(const std::string& text) {
  CheckRun run;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object()) break;  // a torn last line
    const std::string type = record.value("type", "");
    if (type == "case-start") {
      Check check;
      check.name = record.value("name", "");
      run.checks.push_back(check);
    } else if (type == "failure") {
      Failure failure;
      failure.kind = kind_from(record.value("kind", ""));
      failure.file = record.value("file", "");
      failure.line = record.value("line", 0);
      failure.macro = record.value("macro", "");
      failure.expression = record.value("expression", "");
      failure.expansion = record.value("expansion", "");
      failure.message = record.value("message", "");
      failure.info = strings(record, "info");
      failure.sections = strings(record, "sections");
      failure.negated = record.value("negated", false);
      failure.after_line = record.value("after_line", false);
      current_check(run, record.value("case", "")).failures.push_back(failure);
    } else if (type == "case") {
      Check& check = current_check(run, record.value("name", ""));
      check.file = record.value("file", "");
      check.line = record.value("line", 0);
      check.passed = record.value("passed", false);
      check.seconds = record.value("seconds", 0.0);
      check.out = record.value("stdout", "");
      check.err = record.value("stderr", "");
      check.finished = true;
    } else if (type == "end") {
      run.completed = true;
    }
  }
  return run;
}

}  // namespace workbook
