// The code of cluster.hpp, compiled once for every lesson (the library workbook_cluster in
// cmake/Lessons.cmake, which defines WORKBOOK_CHECKOUT_DIR).
#include "workbook/cluster.hpp"

#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

// This checkout's folder; the build (cmake/Lessons.cmake) defines it.
#ifndef WORKBOOK_CHECKOUT_DIR
#define WORKBOOK_CHECKOUT_DIR "."
#endif

namespace workbook {
namespace {

std::string env_value(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// A note on stderr for someone running a lesson program by hand (DATABASE_URL unset: the
// default URL is the one in use), at most once per program.
void note_once(const std::string& text) {
  static bool noted = false;
  if (noted || !env_value("DATABASE_URL").empty()) return;
  noted = true;
  std::fprintf(stderr, "note: %s\n", text.c_str());  // stdio: this may run before main()
}

}  // namespace

std::string detail::url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '/' || c == '.' || c == '_' || c == '~' || c == '-';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string cluster_url(std::string_view name) {
  namespace fs = std::filesystem;
  const std::string configured = env_value("WORKBOOK_PGDIR");
  const fs::path root = fs::absolute(
      configured.empty() ? fs::path(WORKBOOK_CHECKOUT_DIR) / ".workbook/pg" : fs::path(configured));
  const fs::path data = root / "data";
  std::string socket_dir = (root / "sock").lexically_normal().string();
  std::string port = env_value("WORKBOOK_PGPORT");
  if (port.empty()) port = "55432";

  // postmaster.pid: 1 pid, 2 data directory, 3 start time, 4 port, 5 socket directory.
  std::vector<std::string> lines;
  std::ifstream pid_file(data / "postmaster.pid");
  for (std::string line; lines.size() < 5 && std::getline(pid_file, line);) lines.push_back(line);
  if (lines.size() == 5) {
    const long pid = std::strtol(lines[0].c_str(), nullptr, 10);
    const bool alive = pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
    std::error_code ignored;
    const bool ours = fs::equivalent(lines[1], data, ignored) ||
                      fs::equivalent("/proc/" + lines[0] + "/cwd", data, ignored);
    if (alive && ours) {
      if (lines[3] != port && !env_value("WORKBOOK_PGPORT").empty()) {
        note_once("the workbook's PostgreSQL runs on port " + lines[3] +
                  ", not WORKBOOK_PGPORT=" + port + "; using port " + lines[3]);
      }
      port = lines[3];
      socket_dir = lines[4];
    } else if (alive) {
      note_once((data / "postmaster.pid").string() + " belongs to the server of " + lines[1] +
                ", not to this checkout's: start this one's with ./workbook db " + "start");
    }
  }
  return "postgresql://postgres@/" + detail::url_encode(name) +
         "?host=" + detail::url_encode(socket_dir) + "&port=" + port;
}

}  // namespace workbook
