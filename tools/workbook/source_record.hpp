// Content, not file times, decides what is rebuilt: a lesson copied over with `cp -a` or unpacked
// from an archive keeps old times, which Ninja alone would take for "nothing changed".
#pragma once

#include <string>
#include <vector>

namespace workbook {

/// One lesson's sources and the object files built from them.
struct LessonSources {
  std::string folder;                    ///< the lesson folder (absolute)
  std::vector<std::string> object_dirs;  ///< folders whose *.o files are built from it
};

/// What forget_stale_objects did.
struct StaleSources {
  std::vector<std::string> folders;  ///< lesson folders whose objects were removed
  bool cmake_lists = false;          ///< a CMakeLists.txt changed: configure the build again
};

/// Compares each lesson folder's files with the record in `record_path` (a hash of each file's
/// content and the time of the last build). A file whose content changed (or that is new) while
/// its time is not newer than the last build is invisible to Ninja: its lesson's object files are
/// removed, so Ninja compiles them again. Then records the current contents and the time now.
/// Without a record every lesson counts as changed.
StaleSources forget_stale_objects(const std::string& record_path,
                                  const std::vector<LessonSources>& lessons);

/// A 64-bit FNV-1a hash of `bytes`, as hex (for change detection, not security).
std::string content_hash(const std::string& bytes);

}  // namespace workbook
