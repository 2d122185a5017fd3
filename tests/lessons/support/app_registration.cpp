// Do not change this file: it is part of the checks of the lessons that
// tests/lessons/CMakeLists.txt lists (lesson_check::app_registration). It alone includes your
// app/app.hpp, so that saving that file recompiles only this one of the checks' files.
#include <exception>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "lesson_check.hpp"

lesson_check::Registration lesson_check::app_registration(const std::vector<std::string>& tables) {
  Registration found;
  try {
    const orm::App app = create_app(orm::TestConfig{});
    for (const auto& table : tables) {
      if (app.metadata().find(table) == nullptr) found.missing.push_back(table);
    }
  } catch (const std::exception& e) {
    found.error = e.what();
  } catch (...) {
    found.error = "an exception that is not a std::exception";
  }
  return found;
}
