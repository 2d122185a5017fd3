// workbook-url: connection URLs for ./workbook, parsed and masked by the orm library.
//
//   workbook-url mask     [--database NAME]   the URL with its password masked
//   workbook-url describe [--database NAME]   the same, or "*** (why it is not valid)": for
//   messages workbook-url show     [--database NAME]   the URL with its password: for handing to
//   programs
//
// The URL is read from standard input (a final newline is dropped), never from the command line,
// where other users of the machine could read it. --database NAME replaces the database part.
// Exit codes: 0 done, 1 the URL is not valid (the reason on stderr, repeating nothing of the
// URL after its scheme), 2 usage.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "orm/errors.hpp"
#include "orm/url.hpp"

namespace {

int usage() {
  std::cerr << "usage: workbook-url mask|describe|show [--database NAME] < url\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  if (command != "mask" && command != "describe" && command != "show") return usage();
  std::optional<std::string> database;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--database" && i + 1 < argc) {
      database = argv[++i];
    } else {
      return usage();
    }
  }

  std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (!text.empty() && text.back() == '\n') text.pop_back();
  try {
    orm::DatabaseUrl url = orm::DatabaseUrl::parse(text);
    if (database) url = url.with_database(*database);
    std::cout << (command == "show" ? url.uri_with_password() : url.masked()) << "\n";
    return 0;
  } catch (const orm::ConfigError& e) {
    if (command == "describe") {
      std::cout << "*** (" << e.what() << ")\n";
      return 0;
    }
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
