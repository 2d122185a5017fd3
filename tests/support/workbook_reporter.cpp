// The "workbook" Catch2 reporter: see workbook_reporter.hpp for the record format.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "workbook_reporter.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace testing_support {
namespace {

// Appends `text` to `out` as a JSON string literal. Invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  const auto size = text.size();
  for (std::size_t i = 0; i < size;) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: copy it when it is well-formed, else emit U+FFFD for one byte.
    std::size_t length = 0;
    unsigned minimum = 0;
    if ((c & 0xe0) == 0xc0)
      length = 2, minimum = 0x80;
    else if ((c & 0xf0) == 0xe0)
      length = 3, minimum = 0x800;
    else if ((c & 0xf8) == 0xf0)
      length = 4, minimum = 0x10000;
    bool valid = length != 0 && i + length <= size;
    unsigned code = valid ? c & (0x7f >> length) : 0;
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      valid = (next & 0xc0) == 0x80;
      code = (code << 6) | (next & 0x3f);
    }
    valid = valid && code >= minimum && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    if (valid) {
      out.append(text, i, length);
      i += length;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  out += '"';
}

// Builds one JSON object: {"key": value, ...}.
class JsonObject {
 public:
  JsonObject& string(const char* key, const std::string& value) {
    append_json_string(key_(key), value);
    return *this;
  }
  JsonObject& number(const char* key, double value) {
    std::ostringstream text;
    text << value;
    key_(key) += text.str();
    return *this;
  }
  JsonObject& integer(const char* key, unsigned long long value) {
    key_(key) += std::to_string(value);
    return *this;
  }
  JsonObject& boolean(const char* key, bool value) {
    key_(key) += value ? "true" : "false";
    return *this;
  }
  JsonObject& strings(const char* key, const std::vector<std::string>& values) {
    auto& out = key_(key);
    out += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i != 0) out += ',';
      append_json_string(out, values[i]);
    }
    out += ']';
    return *this;
  }
  JsonObject& counts(const char* key, const Catch::Counts& counts) {
    key_(key) += "{\"passed\":" + std::to_string(counts.passed) +
                 ",\"failed\":" + std::to_string(counts.failed) + "}";
    return *this;
  }
  std::string str() const { return text_ + "}"; }

 private:
  std::string& key_(const char* key) {
    text_ += text_.size() == 1 ? "" : ",";
    append_json_string(text_, key);
    text_ += ':';
    return text_;
  }
  std::string text_ = "{";
};

const char* result_name(Catch::ResultWas::OfType type) {
  switch (type) {
    case Catch::ResultWas::ExpressionFailed:
      return "ExpressionFailed";
    case Catch::ResultWas::ExplicitFailure:
      return "ExplicitFailure";
    case Catch::ResultWas::ThrewException:
      return "ThrewException";
    case Catch::ResultWas::DidntThrowException:
      return "DidntThrowException";
    case Catch::ResultWas::FatalErrorCondition:
      return "FatalErrorCondition";
    default:
      return "Unknown";
  }
}

// How a failure happened: see the header.
const char* failure_kind(const Catch::AssertionResult& result) {
  switch (result.getResultType()) {
    case Catch::ResultWas::FatalErrorCondition:
      return "crash";
    case Catch::ResultWas::ThrewException: {
      // Inside *_NOTHROW the exception is what the assertion is about; anywhere else (the test
      // body, or the expression of a CHECK) it is an error in the code under test.
      const std::string macro(result.getTestMacroName());
      return macro.find("NOTHROW") != std::string::npos ? "assertion" : "exception";
    }
    default:
      return "assertion";
  }
}

class WorkbookReporter : public Catch::StreamingReporterBase<WorkbookReporter> {
 public:
  explicit WorkbookReporter(const Catch::ReporterConfig& config) : StreamingReporterBase(config) {
    // Collect what the checks print to std::cout / std::cerr per test case.
    m_reporterPrefs.shouldRedirectStdOut = true;
  }

  static std::string getDescription() {
    return "JSON Lines for ./workbook: one record per test case and per failed assertion";
  }
  static std::set<Catch::Verbosity> getSupportedVerbosities() {
    return {Catch::Verbosity::Quiet, Catch::Verbosity::Normal, Catch::Verbosity::High};
  }

  void testRunStarting(const Catch::TestRunInfo& info) override {
    StreamingReporterBase::testRunStarting(info);
    write(JsonObject().string("type", "run").string("name", info.name));
  }

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    StreamingReporterBase::testCaseStarting(info);
    started_ = std::chrono::steady_clock::now();
    write(JsonObject().string("type", "case-start").string("name", info.name));
  }

  void assertionStarting(const Catch::AssertionInfo&) override {}

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    const Catch::AssertionResult& result = stats.assertionResult;
    if (result.isOk()) return true;

    std::vector<std::string> sections;
    // The first entry of the stack is the test case itself.
    for (std::size_t i = 1; i < m_sectionStack.size(); ++i) {
      sections.push_back(m_sectionStack[i].name);
    }
    std::vector<std::string> info;
    for (const auto& message : stats.infoMessages) {
      if (message.type == Catch::ResultWas::Info) info.push_back(message.message);
    }
    const auto where = result.getSourceInfo();
    write(JsonObject()
              .string("type", "failure")
              .string("case", currentTestCaseInfo ? currentTestCaseInfo->name : std::string())
              .strings("sections", sections)
              .string("file", where.file)
              .integer("line", where.line)
              .string("macro", std::string(result.getTestMacroName()))
              .string("expression", result.hasExpression() ? result.getExpression() : "")
              .string("expansion",
                      result.hasExpandedExpression() ? result.getExpandedExpression() : "")
              .string("message", result.hasMessage() ? result.getMessage() : "")
              .strings("info", info)
              .string("kind", failure_kind(result))
              .string("result", result_name(result.getResultType())));
    return true;
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
    const auto& info = stats.testInfo;
    write(JsonObject()
              .string("type", "case")
              .string("name", info.name)
              .string("file", info.lineInfo.file)
              .integer("line", info.lineInfo.line)
              .strings("tags", info.tags)
              .boolean("passed", stats.totals.assertions.allOk())
              .counts("assertions", stats.totals.assertions)
              .number("seconds", elapsed.count())
              .string("stdout", stats.stdOut)
              .string("stderr", stats.stdErr));
    StreamingReporterBase::testCaseEnded(stats);
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    write(JsonObject()
              .string("type", "end")
              .counts("cases", stats.totals.testCases)
              .counts("assertions", stats.totals.assertions)
              .boolean("aborted", stats.aborting));
    StreamingReporterBase::testRunEnded(stats);
  }

 private:
  void write(const JsonObject& record) { stream << record.str() << std::endl; }

  std::chrono::steady_clock::time_point started_;
};

}  // namespace

CATCH_REGISTER_REPORTER("workbook", WorkbookReporter)

}  // namespace testing_support
