// Uses the installed orm: a header and a function of the static library (the URL parser and its
// password masking), so that the build proves both the include path and the link line.
#include <iostream>

#include <orm/orm.hpp>

int main() {
  const auto url = orm::DatabaseUrl::parse("postgresql://reader:secret@db.example:5433/books");
  std::cout << "orm " << ORM_VERSION << ": " << url.masked() << "\n";
  return 0;
}
