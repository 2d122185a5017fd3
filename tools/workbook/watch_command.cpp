#include "commands.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "command_text.hpp"

namespace fs = std::filesystem;

namespace workbook {

int watch(Context& context) {
  const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0) {
    error_line("cannot watch files (inotify is not available); run ./workbook after each save");
    return kUsage;
  }
  const uint32_t mask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;
  std::map<int, std::string> folders;
  auto add = [&](const std::string& folder) {
    const int wd = ::inotify_add_watch(fd, folder.c_str(), mask);
    if (wd >= 0) folders[wd] = folder;
  };
  const std::string root = context.tree.lessons_dir;
  add(root);
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    if (!it->is_directory()) continue;
    if (it->path().filename().string().front() == '.') {
      it.disable_recursion_pending();
      continue;
    }
    add(it->path().string());
  }
  // Editors write swap and backup files; only real saves count.
  auto counts = [](const std::string& name) {
    return !name.empty() && name.front() != '.' && name.back() != '~' && name != "4913" &&
           name.rfind("#", 0) != 0;
  };
  // Waits for a save; false when the user pressed Ctrl-C.
  auto wait_for_save = [&]() {
    bool changed = false;
    char buffer[16 * 1024];
    for (;;) {
      if (interrupted()) return false;
      pollfd entry{fd, POLLIN, 0};
      // After a first change, wait until things are quiet for a moment (editors save in steps).
      const int ready = ::poll(&entry, 1, changed ? 250 : 500);
      if (ready == 0 && changed) return true;
      if (ready <= 0) continue;
      const ssize_t length = ::read(fd, buffer, sizeof buffer);
      for (ssize_t at = 0; at < length;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        const std::string name = event->len > 0 ? event->name : "";
        if ((event->mask & IN_ISDIR) && (event->mask & (IN_CREATE | IN_MOVED_TO)) &&
            folders.count(event->wd) && counts(name)) {
          add(folders[event->wd] + "/" + name);
        }
        if (counts(name)) changed = true;
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  };

  for (;;) {
    if (context.style.color) print("\x1b[2J\x1b[H");  // a clean screen for each run
    progress(context, true);
    print("\n" +
          context.style.dim("Watching " + context.paths.show(root) +
                            "/ for saved files; press Ctrl-C to stop.") +
          "\n");
    std::fflush(stdout);
    if (!wait_for_save()) break;
    print("\nA file changed: checking again ...\n");
    std::fflush(stdout);
  }
  ::close(fd);
  print("\nStopped watching.\n");
  return kOk;
}

}  // namespace workbook
