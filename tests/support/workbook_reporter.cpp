// The "workbook" Catch2 reporter: see workbook_reporter.hpp for the record format.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "workbook_reporter.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace testing_support {
namespace {

using Json = nlohmann::ordered_json;

// What Catch2 writes where it knows no expression: an exception escaped the test code after the
// last assertion, or the program crashed there. The location is that last assertion's.
constexpr const char* kUnknownExpression = "{Unknown expression after the reported line}";
// What Catch2 reports for an assertion whose handler was left by an exception it did not handle:
// an assertion that failed inside another assertion's expression (already reported on its own),
// or FAIL()'s message throwing while it was built. Nothing to do with the compile option it names.
constexpr const char* kIncompleteAssertion =
    "Exception translation was disabled by CATCH_CONFIG_FAST_COMPILE";
// Catch2's text for an exception that is not a std::exception (nor a string).
constexpr const char* kUnknownException = "Unknown exception";

// Catch2's placeholder for a value it cannot print, in expansions.
std::string readable_expansion(std::string text) {
  const std::string placeholder = "{?}";
  const std::string readable = "(a value that cannot be printed)";
  for (auto at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + readable.size())) {
    text.replace(at, placeholder.size(), readable);
  }
  return text;
}

Json counts(const Catch::Counts& counts) {
  return {{"passed", counts.passed}, {"failed", counts.failed}};
}

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
    write({{"type", "run"}, {"name", info.name}});
  }

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    StreamingReporterBase::testCaseStarting(info);
    started_ = std::chrono::steady_clock::now();
    failures_in_case_ = 0;
    pending_.reset();
    write({{"type", "case-start"}, {"name", info.name}});
  }

  void assertionStarting(const Catch::AssertionInfo&) override {}

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    const Catch::AssertionResult& result = stats.assertionResult;
    if (result.isOk()) return true;
    std::string message = result.hasMessage() ? result.getMessage() : "";
    // One failure per cause. An assertion left by an exception is followed by that exception's
    // own report (or was preceded by the failed assertion inside it): it is written only when
    // nothing else is, at the end of the test case.
    const bool incomplete = result.getResultType() == Catch::ResultWas::ThrewException &&
                            message == kIncompleteAssertion;
    if (incomplete) {
      message = "an exception was thrown while this check was being evaluated";
    } else if (message == kUnknownException) {
      message = "an exception that is not a std::exception (its type cannot be shown)";
    }
    if (incomplete && failures_in_case_ > 0) return true;
    pending_.reset();

    std::vector<std::string> sections;
    // The first entry of the stack is the test case itself.
    for (std::size_t i = 1; i < m_sectionStack.size(); ++i) {
      sections.push_back(m_sectionStack[i].name);
    }
    std::vector<std::string> info;
    for (const auto& scoped : stats.infoMessages) {
      if (scoped.type == Catch::ResultWas::Info) info.push_back(scoped.message);
    }
    // The expression as written (CHECK_FALSE's without the "!(...)" Catch2 wraps it in) and its
    // values; `negated` says the check wanted it false.
    const bool negated = Catch::isFalseTest(result.m_info.resultDisposition);
    std::string expression =
        result.hasExpression() ? std::string(result.m_info.capturedExpression) : std::string();
    std::string expansion =
        result.hasExpandedExpression() ? readable_expansion(result.getExpandedExpression()) : "";
    if (negated && expansion.rfind('!', 0) == 0) {
      expansion.erase(0, 1);
      if (expansion.size() >= 2 && expansion.front() == '(' && expansion.back() == ')') {
        expansion = expansion.substr(1, expansion.size() - 2);
      }
    }
    // Where Catch2 knows no expression, the line is the last assertion that ran before.
    const bool after_line = expression == kUnknownExpression;
    if (after_line) expression.clear(), expansion.clear();
    const auto where = result.getSourceInfo();
    Json record{{"type", "failure"},
                {"case", currentTestCaseInfo ? currentTestCaseInfo->name : std::string()},
                {"sections", sections},
                {"file", where.file},
                {"line", where.line},
                {"after_line", after_line},
                {"macro", after_line ? std::string() : std::string(result.getTestMacroName())},
                {"expression", expression},
                {"negated", negated},
                {"expansion", expansion},
                {"message", message},
                {"info", info},
                {"kind", failure_kind(result)},
                {"result", result_name(result.getResultType())}};
    if (incomplete) {
      pending_ = std::move(record);
    } else {
      ++failures_in_case_;
      write(record);
    }
    return true;
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    if (pending_) write(*pending_);
    pending_.reset();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started_;
    const auto& info = stats.testInfo;
    write({{"type", "case"},
           {"name", info.name},
           {"file", info.lineInfo.file},
           {"line", info.lineInfo.line},
           {"tags", info.tags},
           {"passed", stats.totals.assertions.allOk()},
           {"assertions", counts(stats.totals.assertions)},
           {"seconds", elapsed.count()},
           {"stdout", stats.stdOut},
           {"stderr", stats.stdErr}});
    StreamingReporterBase::testCaseEnded(stats);
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    write({{"type", "end"},
           {"cases", counts(stats.totals.testCases)},
           {"assertions", counts(stats.totals.assertions)},
           {"aborted", stats.aborting}});
    StreamingReporterBase::testRunEnded(stats);
  }

 private:
  // One record per line. Invalid UTF-8 (a check's output may hold any bytes) becomes U+FFFD,
  // the repository's one rule (tools/support/utf8.hpp).
  void write(const Json& record) {
    stream << record.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace)
           << std::endl;
  }

  std::chrono::steady_clock::time_point started_;
  int failures_in_case_ = 0;
  std::optional<Json> pending_;  // a failure written only if no other comes in its test case
};

}  // namespace

CATCH_REGISTER_REPORTER("workbook", WorkbookReporter)

}  // namespace testing_support
