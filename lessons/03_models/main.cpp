// Lesson 03: hello_books creates the books table from the app's models, adds the two example books
// when the table is empty, and lists every book.
#include <exception>
#include <iostream>
#include <vector>

#include "app/app.hpp"
#include "models/book.hpp"
#include "orm/orm.hpp"
#include "workbook/not_done.hpp"

namespace {

// The classic tutorial's example books; the second has no description (NULL).
std::vector<Book> example_books() {
  Book ocean;
  ocean.title = "Ocean Book";
  ocean.description = "watr 4evr";
  Book sky;
  sky.title = "Sky Book";
  return {ocean, sky};
}

}  // namespace

int main() {
  try {
    orm::App app = create_app();
    if (app.metadata().find(orm::table_info<Book>().name) == nullptr) {
      throw workbook::NotDoneYet("register Book in create_app(), app/app.cpp (step 4)");
    }
    orm::create_all(app.db(), app.metadata());  // CREATE TABLE books, unless it exists
    orm::Session session = app.session();

    if (session.query<Book>().count() == 0) {
      std::vector<Book> books = example_books();
      // TODO (step 5): save the example books through the session, all in one go, make that
      // permanent, then say how many were added: "Added 2 books."
      throw workbook::NotDoneYet("save the example books in main.cpp (step 5)");
    }

    // TODO (step 6): load every book through the session, in id order (a table keeps no order
    // of its own), and print it, one line each, as the model describes itself.
    throw workbook::NotDoneYet("list the books in main.cpp (step 6)");
  } catch (const workbook::NotDoneYet& e) {
    return workbook::report(e);
  } catch (const orm::ModelError& e) {  // the model is not finished yet
    return workbook::report(
        workbook::NotDoneYet(std::string("the Book model in models/book.hpp (") + e.what() + ")"));
  } catch (const std::exception& e) {  // orm errors: one line, no password
    std::cerr << "hello_books: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
