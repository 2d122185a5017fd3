#include "commands.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "command_text.hpp"

namespace fs = std::filesystem;

namespace workbook {

Context Context::load(const std::string& build_dir) {
  Context context;
  context.tree = BuildTree::load(fs::absolute(build_dir).lexically_normal().string());
  context.catalog = Catalog::load(context.tree.lessons_json);
  context.style = Style::detect();
  context.paths.source_dir = context.tree.source_dir;
  context.paths.lessons_dir = context.tree.lessons_dir;
  context.state_dir = context.tree.source_dir + "/.workbook";
  if (const char* timeout = std::getenv("WORKBOOK_CHECK_TIMEOUT"); timeout != nullptr) {
    context.options.timeout_seconds = std::max(1, std::atoi(timeout));
  }
  return context;
}

const Lesson& Context::lesson(const std::string& key) const {
  if (const Lesson* lesson = catalog.find(key)) return *lesson;
  return catalog.only({key}).lessons().front();  // throws: names the lessons there are
}

}  // namespace workbook
