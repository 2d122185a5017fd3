// Lesson 04: hello_books with its db commands. The migrations now own the schema:
//     ./workbook run 04 db init                          once: makes the migrations folder
//     ./workbook run 04 db migrate -m "adds Book model"  after each model change: a revision
//     ./workbook run 04 db upgrade                       applies the revisions to the database
// and `./workbook run 04` alone adds the example books when the table is empty and lists every
// book.
#include <iostream>
#include <vector>

#include "app/app.hpp"
#include "models/book.hpp"
#include "orm/cli.hpp"
#include "orm/orm.hpp"
#include "workbook/command.hpp"
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

// What the program does without a command. No create_all here: the tables come from
// `db upgrade`.
int add_and_list_books(orm::App& app) {
  orm::Session session = app.session();
  if (session.query<Book>().count() == 0) {
    std::vector<Book> books = example_books();
    session.add_all(books);
    session.commit();
    std::cout << "Added " << books.size() << " books.\n";
  }
  for (const Book& book : session.query<Book>().order_by(&Book::id).all()) {
    std::cout << book.to_string() << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  orm::cli::Program program;
  program.name = workbook::command_name("hello_books");  // "./workbook run 04" from ./workbook
  program.description = "hello_books: a small library of books (lesson 04: migrations)";
  program.create_app = [] { return create_app(); };
  program.run = add_and_list_books;
  program.migrations_dir = HELLO_BOOKS_MIGRATIONS_DIR;  // this lesson's migrations/ folder
  // TODO (step 1): hand the command line to the library's command runner. It runs the program
  // itself (add_and_list_books) when there is no command, and the migration commands for
  // `db ...`; what it returns is the program's exit code.
  (void)argc;
  (void)argv;
  return workbook::report(
      workbook::NotDoneYet("hand the command line to the db commands, main.cpp (step 1)"));
}
