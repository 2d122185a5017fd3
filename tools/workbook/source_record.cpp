#include "source_record.hpp"

#include <cstdint>
#include <filesystem>
#include <map>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "lessons.hpp"

namespace fs = std::filesystem;

namespace workbook {
namespace {

std::int64_t ticks(fs::file_time_type time) {
  return static_cast<std::int64_t>(time.time_since_epoch().count());
}

// Every file under `folder` (not in hidden folders), path -> content hash and time.
struct FileState {
  std::string hash;
  std::int64_t time = 0;
};
std::map<std::string, FileState> files_of(const std::string& folder) {
  std::map<std::string, FileState> files;
  std::error_code error;
  if (!fs::is_directory(folder, error)) return files;
  for (auto it = fs::recursive_directory_iterator(folder, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && !name.empty() && name.front() == '.') {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    try {
      files[it->path().string()] = {content_hash(read_file(it->path().string())),
                                    ticks(fs::last_write_time(it->path()))};
    } catch (const std::exception&) {  // unreadable: the build will say so
    }
  }
  return files;
}

void remove_objects(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return;
  for (auto it = fs::recursive_directory_iterator(dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() && it->path().extension() == ".o") fs::remove(it->path(), error);
  }
}

}  // namespace

std::string content_hash(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

StaleSources forget_stale_objects(const std::string& record_path,
                                  const std::vector<LessonSources>& lessons) {
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(read_file(record_path));
  } catch (const std::exception&) {
    record = nlohmann::json::object();
  }
  const bool known = record.is_object() && record.contains("files");
  if (!record.is_object() || !record["files"].is_object())
    record["files"] = nlohmann::json::object();
  const std::int64_t built_at = record.value("built_at", std::int64_t{0});
  const std::int64_t now = ticks(fs::file_time_type::clock::now());

  StaleSources stale;
  for (const auto& lesson : lessons) {
    bool changed = !known;
    for (const auto& [path, state] : files_of(lesson.folder)) {
      const auto it = record["files"].find(path);
      const bool same = it != record["files"].end() && it->is_string() && *it == state.hash;
      if (!same && state.time <= built_at) {
        changed = true;
        if (fs::path(path).filename() == "CMakeLists.txt") stale.cmake_lists = true;
      }
      record["files"][path] = state.hash;
    }
    if (changed) {
      for (const auto& dir : lesson.object_dirs) remove_objects(dir);
      stale.folders.push_back(lesson.folder);
    }
  }
  record["built_at"] = now;
  write_file(record_path, record.dump(1) + "\n");
  return stale;
}

}  // namespace workbook
