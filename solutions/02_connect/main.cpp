// Lesson 02: the hello_books program connects to its database and says where it is.
#include <exception>
#include <iostream>
#include <string>

#include "app/app.hpp"
#include "orm/orm.hpp"
#include "workbook/not_done.hpp"

int main() {
  try {
    orm::App app = create_app();
    // TODO (step 4): connect, then say where the app is connected. Replace the line below with
    //     const std::string version = app.db().server_version();  // connects, asks the server
    //     std::cout << "hello_books is connected to " << app.database_url().masked() << "\n";
    //     std::cout << "database: " << app.database_url().database() << "\n";
    //     std::cout << "server: PostgreSQL " << version << "\n";
    // masked() prints the URL with its password hidden.
    const std::string version = app.db().server_version();  // connects, asks the server
    std::cout << "hello_books is connected to " << app.database_url().masked() << "\n";
    std::cout << "database: " << app.database_url().database() << "\n";
    std::cout << "server: PostgreSQL " << version << "\n";
  } catch (const workbook::NotDoneYet& e) {
    return workbook::report(e);
  } catch (const std::exception& e) {  // orm errors: one line, no password
    std::cerr << "hello_books: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
