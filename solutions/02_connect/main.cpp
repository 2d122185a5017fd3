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
    // TODO (step 4): connect, then say where the app is connected, in the three lines that
    // step 5 of the lesson text shows: the URL (never with its password), the database's name
    // and the server's version. Ask the server first: only a program that has really reached
    // it may say it is connected.
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
