// Lesson 07: hello_books as the pull left it: lesson 06's program, with your Book.isbn and Sam's
// Author.born_year in the models. You change no code in this lesson: its work is in
// migrations/versions/ and answers.txt (see README.md). `./workbook run 07 db ...` runs the
// migration commands.
#include <cstddef>
#include <iostream>
#include <optional>
#include <vector>

#include "app/app.hpp"
#include "models/author.hpp"
#include "models/book.hpp"
#include "orm/cli.hpp"
#include "orm/orm.hpp"
#include "workbook/command.hpp"
#include "workbook/not_done.hpp"

namespace {

// An example author and the titles of their books.
struct ExampleAuthor {
  const char* name;
  std::vector<const char*> titles;
};

const std::vector<ExampleAuthor> kExampleAuthors = {
    {"Ursula K. Le Guin", {"A Wizard of Earthsea", "The Dispossessed"}},
    {"Octavia E. Butler", {"Kindred"}},
};

// When there are no authors yet: adds every example author with their books, and says how many.
void add_example_authors(orm::Session& session) {
  if (session.query<Author>().count() > 0) return;
  std::size_t book_count = 0;
  for (const ExampleAuthor& example : kExampleAuthors) {
    Author author;
    author.name = example.name;
    for (const char* title : example.titles) {
      Book book;
      book.title = title;
      session.append(author_books, author, book);
      ++book_count;
    }
  }
  session.commit();
  std::cout << "Added " << kExampleAuthors.size() << " authors and " << book_count << " books.\n";
}

// Every author, by id, as to_string() shows them, each followed by the titles of their books
// (four spaces in front of each), or by "    (no books)".
void list_authors_with_their_books(orm::Session& session) {
  const std::vector<Author> authors = session.query<Author>().order_by(&Author::id).all();
  const auto books_of = session.load_each(author_books, authors);
  for (std::size_t i = 0; i < authors.size(); ++i) {
    std::cout << authors[i].to_string() << "\n";
    if (books_of[i].empty()) std::cout << "    (no books)\n";
    for (const Book& book : books_of[i]) std::cout << "    " << book.title << "\n";
  }
}

// Every book, by id, one line each: "<title>: <author's name>", or "<title>: (no author)".
void list_books_with_their_author(orm::Session& session) {
  const std::vector<Book> books = session.query<Book>().order_by(&Book::id).all();
  const auto author_of = session.load_each(book_author, books);
  for (std::size_t i = 0; i < books.size(); ++i) {
    std::cout << books[i].title << ": " << (author_of[i] ? author_of[i]->name : "(no author)")
              << "\n";
  }
}

// What the program does without a command.
int add_and_list(orm::App& app) {
  try {
    orm::Session session = app.session();
    add_example_authors(session);
    std::cout << "Authors and their books:\n";
    list_authors_with_their_books(session);
    std::cout << "Books and their authors:\n";
    list_books_with_their_author(session);
    return 0;
  } catch (const workbook::NotDoneYet& e) {
    return workbook::report(e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  orm::cli::Program program;
  program.name = workbook::command_name("hello_books");  // "./workbook run 07" from ./workbook
  program.description = "hello_books: a small library of books (lesson 07: merge conflicts)";
  program.create_app = [] { return create_app(); };
  program.run = add_and_list;
  program.migrations_dir = HELLO_BOOKS_MIGRATIONS_DIR;  // this lesson's migrations/ folder
  return orm::cli::run(program, argc, argv);
}
