#include "render.hpp"

#include <unistd.h>

#include <clocale>
#include <cstdlib>
#include <sstream>

namespace workbook {
namespace {

bool has_utf8_locale() {
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') {
      const std::string text = value;
      return text.find("UTF-8") != std::string::npos || text.find("utf8") != std::string::npos ||
             text.find("UTF8") != std::string::npos || text.find("utf-8") != std::string::npos;
    }
  }
  return false;
}

std::string paint(bool on, const char* code, const std::string& text) {
  return on ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

Style Style::detect() {
  Style style;
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::string(term) == "dumb";
  const char* no_color = std::getenv("NO_COLOR");
  style.color = terminal && !dumb && (no_color == nullptr || *no_color == '\0');
  style.unicode = terminal && has_utf8_locale();
  return style;
}

std::string Style::bold(const std::string& text) const {
  return paint(color, "1", text);
}
std::string Style::dim(const std::string& text) const {
  return paint(color, "2", text);
}
std::string Style::red(const std::string& text) const {
  return paint(color, "31", text);
}
std::string Style::green(const std::string& text) const {
  return paint(color, "32", text);
}
std::string Style::yellow(const std::string& text) const {
  return paint(color, "33", text);
}
std::string Style::pass_mark() const {
  return green(unicode ? "✓" : "[x]");
}
std::string Style::fail_mark() const {
  return red(unicode ? "✗" : "[ ]");
}

std::string progress_bar(int done, int total, int width, const Style& style) {
  const int filled = total > 0 ? done * width / total : 0;
  std::string bar;
  for (int i = 0; i < width; ++i) {
    if (style.unicode) {
      bar += i < filled ? "█" : "░";
    } else {
      bar += i < filled ? '#' : '-';
    }
  }
  bar = style.green(bar.substr(0, style.unicode ? filled * 3 : filled)) +
        bar.substr(style.unicode ? filled * 3 : filled);
  if (!style.unicode) bar = "[" + bar + "]";
  return bar + "  " + std::to_string(done) + "/" + std::to_string(total) + " lessons done";
}

std::string Paths::show(const std::string& path) const {
  if (!lessons_dir.empty()) {
    const std::string prefix = lessons_dir.back() == '/' ? lessons_dir : lessons_dir + "/";
    if (path.rfind(prefix, 0) == 0) return "lessons/" + path.substr(prefix.size());
  }
  return relative_to(path, source_dir);
}

std::string indent_lines(const std::string& text, int indent, std::size_t max_lines) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const auto lines = lines_of(text);
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < max_lines; ++i) {
    out += lines[i].empty() ? "\n" : pad + lines[i] + "\n";
  }
  if (lines.size() > max_lines) {
    out += pad + "... (" + std::to_string(lines.size() - max_lines) + " more lines)\n";
  }
  return out;
}

std::string plural(int count, const std::string& word) {
  return std::to_string(count) + " " + word + (count == 1 ? "" : "s");
}

bool split_comparison(const std::string& expression, const std::string& expansion,
                      std::string& actual, std::string& expected) {
  // Only plain `a == b` checks: one == in what was written and one in the values.
  if (count_of(expression, "==") != 1 || expression.find("!=") != std::string::npos) return false;
  for (const std::string separator : {"\n==\n", " == "}) {
    if (count_of(expansion, separator) == 1 && count_of(expansion, "==") == 1) {
      const auto at = expansion.find(separator);
      actual = expansion.substr(0, at);
      expected = expansion.substr(at + separator.size());
      return true;
    }
  }
  return false;
}

bool expected_and_actual(const Failure& failure, std::string& expected, std::string& actual) {
  if (!failure.negated &&
      split_comparison(failure.expression, failure.expansion, actual, expected)) {
    return true;
  }
  if (failure.expansion == "true" || failure.expansion == "false") {  // a single truth value
    expected = failure.negated ? "false" : "true";
    actual = failure.expansion;
    return true;
  }
  return false;
}

namespace {

// "at lessons/...:12", or for a failure Catch2 knows no expression of, "after ...:12" (the last
// assertion that ran before it).
std::string location(const Failure& failure, const Paths& paths) {
  return (failure.after_line ? "after " : "at ") + paths.show(failure.file) + ":" +
         std::to_string(failure.line);
}

}  // namespace

std::string describe_failure(const Failure& failure, const Paths& paths, const Style& style,
                             int indent, bool with_info, bool check_locations) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out;
  const bool in_lessons =
      !paths.lessons_dir.empty() && failure.file.rfind(paths.lessons_dir, 0) == 0;
  if (!failure.file.empty() && (check_locations || in_lessons)) {
    out += pad + style.dim(location(failure, paths)) + "\n";
  }
  if (!failure.sections.empty()) {
    std::string path;
    for (const auto& section : failure.sections) path += (path.empty() ? "" : " / ") + section;
    out += pad + "in: " + path + "\n";
  }
  const std::string written = failure.written();
  switch (failure.kind) {
    case Failure::Kind::assertion: {
      if (!written.empty()) out += pad + "failed:   " + style.bold(written) + "\n";
      std::string actual, expected;
      if (expected_and_actual(failure, expected, actual)) {
        out += pad + "expected: " + style.green(expected) + "\n";
        out += pad + "actual:   " + style.red(actual) + "\n";
      } else if (!failure.expansion.empty() && failure.expansion != failure.expression) {
        const auto lines = lines_of(failure.expansion);
        out += pad + "values:   " + (lines.empty() ? "" : style.red(lines.front())) + "\n";
        for (std::size_t i = 1; i < lines.size() && i < 20; ++i) {
          out += pad + "          " + style.red(lines[i]) + "\n";
        }
        if (failure.negated) out += pad + "          (this must not hold)\n";
      }
      if (!failure.message.empty()) {
        // FAIL("...")'s text, or what a *_NOTHROW caught.
        const bool threw = failure.macro.find("NOTHROW") != std::string::npos;
        const auto lines = lines_of(failure.message);
        out += pad +
               (threw             ? "threw:    "
                : written.empty() ? "failed:   "
                                  : "message:  ") +
               style.red(lines.empty() ? "" : lines.front()) + "\n";
        for (std::size_t i = 1; i < lines.size() && i < 20; ++i) {
          out += pad + "          " + lines[i] + "\n";
        }
      }
      break;
    }
    case Failure::Kind::exception:
      if (!written.empty()) out += pad + "while:    " + written + "\n";
      out += pad + "error:    " + style.red("the check stopped: " + failure.message) + "\n";
      break;
    case Failure::Kind::crash:
      out += pad + "crashed:  " + style.red(failure.message) + "\n";
      if (!written.empty()) out += pad + "after:    " + written + "\n";
      break;
    case Failure::Kind::timeout:
      out += pad + "stopped:  " + style.red(failure.message) + "\n";
      break;
    case Failure::Kind::build:
    case Failure::Kind::missing:
      out += pad + "not run:  " + style.red(failure.message) + "\n";
      break;
  }
  if (with_info) {
    for (const auto& info : failure.info) out += indent_lines(info, indent);
  }
  return out;
}

std::string failure_cause(const Failure& failure) {
  std::string text = std::string(kind_name(failure.kind)) + "\n" + failure.expression + "\n" +
                     failure.expansion + "\n" + failure.message;
  for (const auto& info : failure.info) text += "\n" + info;
  return text;
}

std::string failure_summary(const Failure& failure, const Paths& paths) {
  std::string where = failure.file.empty() ? ""
                      : failure.after_line ? " (" + location(failure, paths) + ")"
                                           : " (" + paths.show(failure.file) + ":" +
                                                 std::to_string(failure.line) + ")";
  std::string text;
  switch (failure.kind) {
    case Failure::Kind::assertion: {
      text = failure.written();
      std::string actual, expected;
      if (expected_and_actual(failure, expected, actual)) {
        text += ": expected " + expected + ", actual " + actual;
      } else if (!failure.expansion.empty() && failure.expansion != failure.expression) {
        text += ": " + failure.expansion + (failure.negated ? " (must not hold)" : "");
      }
      if (!failure.message.empty()) {
        const bool threw = failure.macro.find("NOTHROW") != std::string::npos;
        text += text.empty() ? failure.message : (threw ? ": threw " : ": ") + failure.message;
      }
      break;
    }
    case Failure::Kind::exception:
      text = "exception: " + failure.message;
      break;
    case Failure::Kind::crash:
      text = "crashed: " + failure.message;
      break;
    case Failure::Kind::timeout:
      text = "stopped: " + failure.message;
      break;
    case Failure::Kind::build:
    case Failure::Kind::missing:
      text = failure.message;
      break;
  }
  // One line: newlines become spaces.
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  return text + where;
}

std::string build_error_summary(const BuildError& error, const Paths& paths) {
  std::string text;
  if (!error.fix_file().empty()) {
    text = paths.show(error.fix_file()) + ":" + std::to_string(error.fix_line()) + ": ";
  }
  text += error.message.empty() ? "the build failed" : error.message;
  if (!error.own_file.empty()) text += " (reported in " + paths.show(error.file) + ")";
  return text;
}

std::string describe_build_error(const BuildError& error, const Paths& paths, const Style& style,
                                 int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out;
  for (std::string line : error.excerpt) {
    // Absolute paths to the student's files read better as lessons/...
    if (!paths.lessons_dir.empty()) {
      const std::string prefix =
          paths.lessons_dir.back() == '/' ? paths.lessons_dir : paths.lessons_dir + "/";
      for (auto at = line.find(prefix); at != std::string::npos; at = line.find(prefix)) {
        line.replace(at, prefix.size(), "lessons/");
      }
    }
    if (!paths.source_dir.empty()) {
      const std::string prefix = paths.source_dir + "/";
      for (auto at = line.find(prefix); at != std::string::npos; at = line.find(prefix)) {
        line.erase(at, prefix.size());
      }
    }
    const bool is_error = line.find(": error: ") != std::string::npos ||
                          line.find(": fatal error: ") != std::string::npos;
    out += pad + (is_error ? style.red(line) : line) + "\n";
  }
  if (!error.own_file.empty()) {
    out += "\n" + pad + "The error is reported in " + paths.show(error.file) +
           ", code you do not change; your line " +
           style.bold(paths.show(error.own_file) + ":" + std::to_string(error.own_line)) +
           " leads there: fix it there.\n";
  }
  return out;
}

}  // namespace workbook
