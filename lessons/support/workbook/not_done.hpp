// What an unfinished lesson program says instead of crashing. Used by the lessons' starter code;
// you never need to change this file.
#pragma once

#include <iostream>
#include <stdexcept>
#include <string>

// The lesson text every message points to, e.g. "lessons/03_models/README.md"; the build
// (cmake/Lessons.cmake) defines it for each lesson.
#ifndef WORKBOOK_LESSON_TEXT
#define WORKBOOK_LESSON_TEXT "the lesson's README.md"
#endif

namespace workbook {

/// Thrown by a starter's placeholder lines: a piece of the lesson is still to be written.
///
/// `what()` reads "not done yet: <what>, see lessons/NN_name/README.md".
///
/// @code
/// std::string to_string() const {
///   // TODO (step 3): return ...;
///   throw workbook::NotDoneYet("Book::to_string() in models/book.hpp (step 3)");
/// }
/// @endcode
class NotDoneYet : public std::logic_error {
 public:
  explicit NotDoneYet(const std::string& what)
      : std::logic_error("not done yet: " + what + ", see " + WORKBOOK_LESSON_TEXT) {}
};

/// Prints `error.what()` to stderr and returns the exit code of an unfinished program (2).
inline int report(const NotDoneYet& error) {
  std::cerr << error.what() << "\n";
  return 2;
}

}  // namespace workbook
