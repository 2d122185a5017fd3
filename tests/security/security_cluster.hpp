// The security tests' own PostgreSQL cluster (test_cluster.sh, started by the ctest fixture
// security_cluster): where it listens and how to log in as its superuser.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "orm/url.hpp"

namespace security_cluster {

/// The text of a file, without the final newline.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// The cluster in SECURITY_CLUSTER_DIR: its TCP port on 127.0.0.1 and the superuser's password.
struct Cluster {
  std::string directory = SECURITY_CLUSTER_DIR;
  std::string port = read_text(std::filesystem::path(directory) / "port");
  std::string password = read_text(std::filesystem::path(directory) / "password");

  /// The superuser postgres on `database`.
  orm::DatabaseUrl admin(const std::string& database = "postgres") const {
    return orm::DatabaseUrl::parse("postgresql://postgres:" + password + "@127.0.0.1:" + port +
                                   "/" + database);
  }
};

}  // namespace security_cluster
