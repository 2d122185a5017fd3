#include "junit.hpp"

#include <fmt/core.h>

#include "utf8.hpp"

namespace workbook {
namespace {

std::string seconds_text(double seconds) {
  return fmt::format("{:.3f}", seconds);
}

struct Counts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
};

// The element for a test case that did not pass: <failure> or <error>, with details.
std::string problem_element(const Check& check, const Paths& paths, Counts& counts) {
  const Failure* worst = nullptr;
  for (const auto& failure : check.failures) {
    if (worst == nullptr ||
        (worst->kind == Failure::Kind::assertion && failure.kind != Failure::Kind::assertion)) {
      worst = &failure;
    }
  }
  std::string details;
  for (const auto& failure : check.failures) {
    details += describe_failure(failure, paths, Style{}, 0) + "\n";
  }
  if (!check.out.empty()) details += "stdout:\n" + check.out + "\n";
  if (!check.err.empty()) details += "stderr:\n" + check.err + "\n";
  if (worst == nullptr) {  // failed without a recorded failure (should not happen)
    ++counts.failures;
    return "      <failure type=\"assertion\" message=\"the check failed\"/>\n";
  }
  const bool is_failure = worst->kind == Failure::Kind::assertion;
  (is_failure ? counts.failures : counts.errors)++;
  const char* element = is_failure ? "failure" : "error";
  return std::string("      <") + element + " type=\"" + kind_name(worst->kind) + "\" message=\"" +
         xml_escape(failure_summary(*worst, paths)) + "\">" + xml_escape(details) + "</" + element +
         ">\n";
}

}  // namespace

std::string xml_escape(const std::string& text) {
  const std::string valid = text::valid_utf8(text);  // the repository's one UTF-8 rule
  std::string out;
  out.reserve(valid.size());
  for (const char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows tab, newline and carriage return among the control characters.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

std::string junit_xml(const std::vector<LessonResult>& results, const std::string& name,
                      const Paths& paths) {
  std::string suites;
  Counts total;
  double total_seconds = 0;
  for (const auto& result : results) {
    Counts counts;
    std::string cases;
    const std::string classname = "lesson" + result.lesson.number;
    if ((result.state == LessonResult::State::build_failed ||
         result.state == LessonResult::State::missing) &&
        result.run.checks.empty()) {  // no list of its checks: one test case for the lesson
      const bool build = result.state == LessonResult::State::build_failed;
      const std::string summary =
          build ? "does not compile: " + build_error_summary(*result.build_error, paths)
                : result.problem;
      const std::string details =
          build ? describe_build_error(*result.build_error, paths, Style{}, 0) : result.problem;
      ++counts.tests;
      ++counts.errors;
      cases += "    <testcase classname=\"" + classname + "\" name=\"build\" time=\"0\">\n" +
               "      <error type=\"" + (build ? "build" : "missing") + "\" message=\"" +
               xml_escape(summary) + "\">" + xml_escape(details) + "</error>\n    </testcase>\n";
    } else {
      for (const auto& check : result.run.checks) {
        ++counts.tests;
        cases += "    <testcase classname=\"" + classname + "\" name=\"" + xml_escape(check.name) +
                 "\" time=\"" + seconds_text(check.seconds) + "\"";
        if (check.passed) {
          cases += "/>\n";
        } else {
          cases += ">\n" + problem_element(check, paths, counts) + "    </testcase>\n";
        }
      }
      if (!result.problem.empty() && !result.problem_counted) {  // died, or ran no checks
        ++counts.tests;
        ++counts.errors;
        cases += "    <testcase classname=\"" + classname + "\" name=\"checks\" time=\"0\">\n" +
                 "      <error type=\"crash\" message=\"" + xml_escape(result.problem) + "\">" +
                 xml_escape(result.program_output) + "</error>\n    </testcase>\n";
      }
    }
    suites += "  <testsuite name=\"" + classname + "\" tests=\"" + std::to_string(counts.tests) +
              "\" failures=\"" + std::to_string(counts.failures) + "\" errors=\"" +
              std::to_string(counts.errors) + "\" skipped=\"0\" time=\"" +
              seconds_text(result.seconds) + "\">\n" + "    <properties>\n" +
              "      <property name=\"title\" value=\"" + xml_escape(result.lesson.title) +
              "\"/>\n      <property name=\"folder\" value=\"" +
              xml_escape(paths.show(result.folder)) + "\"/>\n    </properties>\n" + cases +
              "  </testsuite>\n";
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total_seconds += result.seconds;
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" + xml_escape(name) +
         "\" tests=\"" + std::to_string(total.tests) + "\" failures=\"" +
         std::to_string(total.failures) + "\" errors=\"" + std::to_string(total.errors) +
         "\" time=\"" + seconds_text(total_seconds) + "\">\n" + suites + "</testsuites>\n";
}

}  // namespace workbook
