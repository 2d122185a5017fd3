// `./workbook hint NN`: the lesson's hints (from lessons.json), one more each time.
#pragma once

#include <map>
#include <string>

namespace workbook {

/// How many hints of each lesson (or of each step of a lesson, keyed "03:2") the student has
/// seen, kept in .workbook/hints.json.
///
/// `./workbook hint 03 [STEP]` shows the hints of a step seen so far plus the next one; `--all`
/// shows all of them. The order is the order in lessons.json, from a nudge to the code.
///
/// @code
/// auto seen = workbook::HintLog::load(".workbook/hints.json");
/// int shown = seen.reveal("03", lesson.hints.size(), /*all=*/false);  // 1, then 2, ...
/// seen.save();
/// @endcode
class HintLog {
 public:
  /// Reads the log at `path` (an empty log when the file is missing or unreadable).
  static HintLog load(const std::string& path);

  /// Reveals one more hint of `lesson` (or all of them) and returns how many are now revealed:
  /// 1 the first time, one more each call, never more than `available`.
  int reveal(const std::string& lesson, int available, bool all);
  /// How many hints of `lesson` were revealed.
  int revealed(const std::string& lesson) const;
  /// Forgets what was revealed for `lesson` and its steps (after `./workbook reset`).
  void forget(const std::string& lesson);

  /// Writes the log back. Throws std::runtime_error when the file cannot be written.
  void save() const;

 private:
  std::string path_;
  std::map<std::string, int> revealed_;
};

}  // namespace workbook
