/// @file
/// Errors of the migration engine: MigrationError and SqlSplitError.
#pragma once

#include <string>

#include "orm/errors.hpp"

namespace orm::migrate {

/// A migration could not be prepared or run. Like every orm error, `what()` is one line that
/// names the problem (the file and line when there is one) and the fix.
class MigrationError : public Error {
 public:
  /// Same as orm::Error's constructor.
  using Error::Error;
};

/// A problem found while splitting SQL text into statements (an unterminated quote or comment,
/// a psql command that a revision cannot run, COPY data without its end marker, ...).
class SqlSplitError : public MigrationError {
 public:
  /// `line`: where the problem starts; `reason`: what is wrong and the fix.
  SqlSplitError(int line, const std::string& reason);
  /// The line where the problem starts.
  int line() const noexcept { return line_; }
  /// The problem without the line number.
  const std::string& reason() const noexcept { return reason_; }

 private:
  int line_;
  std::string reason_;
};

}  // namespace orm::migrate
