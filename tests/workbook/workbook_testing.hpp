// Helpers the workbook tool's tests share (label workbook).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "results.hpp"

namespace workbook_testing {

/// How many times `needle` occurs in `text`.
inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

/// The check called `name` in `run`; fails the test when there is none.
inline const workbook::Check& check_named(const workbook::CheckRun& run, const std::string& name) {
  for (const auto& check : run.checks) {
    if (check.name == name) return check;
  }
  FAIL("no check named '" << name << "' in the results");
  throw std::logic_error("unreachable");
}

}  // namespace workbook_testing
