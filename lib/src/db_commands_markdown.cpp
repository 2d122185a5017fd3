// Writes the `db` commands' Markdown table (orm::cli::db_commands_markdown) to a file, for the
// docs: `orm_db_commands_markdown PROGRAM FILE`.
#include <fstream>
#include <iostream>

#include "orm/cli.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: orm_db_commands_markdown PROGRAM FILE\n";
    return 2;
  }
  std::ofstream out(argv[2], std::ios::binary);
  out << orm::cli::db_commands_markdown(argv[1]);
  out.close();
  if (!out) {
    std::cerr << "error: cannot write " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
