// Do not change this file: it belongs to the troubleshooting page's tests (ctest label docs).
//
// The page docs/troubleshooting.md quotes program messages. These helpers take a failing run's
// one stderr line, replace this run's variable parts (addresses, names, ids) by what the page
// shows, and require the page to quote the result on a line of its own.
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lesson_check.hpp"

namespace quoted_messages {

/// The page's text (TROUBLESHOOTING_PAGE is its path).
inline const std::string& page() {
  static const std::string text = [] {
    std::ifstream in(TROUBLESHOOTING_PAGE);
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
  }();
  return text;
}

/// A part of this run's output and what the page shows in its place.
using Replacement = std::pair<std::string, std::string>;

inline std::string replace_all(std::string text, const std::vector<Replacement>& replacements) {
  for (const auto& [actual, shown] : replacements) {
    if (actual.empty() || actual == shown) continue;
    for (std::size_t at = text.find(actual); at != std::string::npos;
         at = text.find(actual, at + shown.size())) {
      text.replace(at, actual.size(), shown);
    }
  }
  return text;
}

/// The page quotes `line` on a line of its own.
inline bool page_quotes(const std::string& line) {
  return page().find("\n" + line + "\n") != std::string::npos;
}

/// Requires `run` to fail with a one-line message on stderr that the page quotes, once this
/// run's parts are replaced.
inline void require_quoted(const lesson_check::ProgramRun& run,
                           const std::vector<Replacement>& replacements) {
  INFO(run.describe());
  REQUIRE(run.exit_code != 0);
  const auto lines = run.err_lines();
  REQUIRE(lines.size() == 1);
  const std::string shown = replace_all(lines.front(), replacements);
  INFO("the page (docs/troubleshooting.md) should quote this line:\n" << shown);
  CHECK(page_quotes(shown));
}

}  // namespace quoted_messages
