// JUnit XML for `./workbook grade --junit FILE` (read by CI servers and learning platforms).
#pragma once

#include <string>
#include <vector>

#include "checker.hpp"
#include "render.hpp"

namespace workbook {

/// The results as JUnit XML: one <testsuite> per lesson ("lesson01"), one <testcase> per check.
/// A failed assertion is a <failure type="assertion">; an exception, a crash or a hang is an
/// <error type="exception|crash|timeout">. A lesson that does not compile has one testcase
/// "build" with <error type="build"> and the compiler's first error; a missing lesson one with
/// <error type="missing">. `name` names the whole run (e.g. the graded folder).
///
/// @code
/// workbook::write_file("grade.xml", workbook::junit_xml(results, "alice", paths));
/// @endcode
std::string junit_xml(const std::vector<LessonResult>& results, const std::string& name,
                      const Paths& paths);

/// `text` with &, <, >, " and ' escaped, and the characters XML 1.0 forbids dropped.
std::string xml_escape(const std::string& text);

}  // namespace workbook
