#include "hints.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "lessons.hpp"

namespace workbook {

HintLog HintLog::load(const std::string& path) {
  HintLog log;
  log.path_ = path;
  std::ifstream in(path);
  if (!in) return log;
  const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return log;
  for (const auto& [lesson, count] : json.items()) {
    if (count.is_number_integer()) log.revealed_[lesson] = std::max(0, count.get<int>());
  }
  return log;
}

int HintLog::reveal(const std::string& lesson, int available, bool all) {
  int& count = revealed_[lesson];
  count = all ? available : std::min(count + 1, available);
  return count;
}

int HintLog::revealed(const std::string& lesson) const {
  const auto it = revealed_.find(lesson);
  return it == revealed_.end() ? 0 : it->second;
}

void HintLog::forget(const std::string& lesson) {
  // The lesson's own count and its steps' ("03:2", "03:your turn").
  for (auto it = revealed_.begin(); it != revealed_.end();) {
    const bool of_lesson = it->first == lesson || it->first.rfind(lesson + ":", 0) == 0;
    it = of_lesson ? revealed_.erase(it) : std::next(it);
  }
}

void HintLog::save() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [lesson, count] : revealed_) json[lesson] = count;
  write_file(path_, json.dump(2) + "\n");
}

}  // namespace workbook
