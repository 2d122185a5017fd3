// bench_db_floor: the least a `db` command can cost as a whole process, the raw floor of the
// `db` rows of `./workbook bench`: start a program linked with libpqxx, connect to DATABASE_URL,
// run each SQL text given in its own transaction, exit.
//
// Each text goes to the server as one message, one round trip: PostgreSQL runs the statements of
// one such message as a single transaction (an implicit BEGIN ... COMMIT around them).
//
//   DATABASE_URL=postgresql://... bench_db_floor "SELECT revision FROM migration_history" ...

#include <pqxx/pqxx>

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  const char* url = std::getenv("DATABASE_URL");
  if (url == nullptr || argc < 2) {
    std::cerr << "usage: DATABASE_URL=postgresql://... bench_db_floor SQL...\n";
    return 2;
  }
  try {
    pqxx::connection connection{url};
    pqxx::nontransaction tx{connection};
    for (int i = 1; i < argc; ++i) tx.exec(argv[i]);
  } catch (const std::exception& e) {
    std::cerr << "bench_db_floor: " << e.what();
    return 1;
  }
  return 0;
}
