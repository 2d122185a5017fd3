// Lesson 06: hello_books with genres. `./workbook run 06` alone adds the example authors and
// their books when there are no authors yet (as in lesson 05), the example genres and their books
// when there are no genres yet, then lists every genre with its books and every book with its
// genres; `./workbook run 06 db ...` runs the migration commands, as in lessons 04 and 05.
#include <cstddef>
#include <iostream>
#include <optional>
#include <vector>

#include "app/app.hpp"
#include "models/author.hpp"
#include "models/book.hpp"
#include "models/book_genre.hpp"
#include "models/genre.hpp"
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

// When there are no authors yet: adds every example author with their books (lesson 05).
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

// An example genre and the titles of its books. A book may be in several genres (Kindred), a
// genre may have no book yet (Poetry).
struct ExampleGenre {
  const char* name;
  std::vector<const char*> titles;
};

const std::vector<ExampleGenre> kExampleGenres = {
    {"Fantasy", {"A Wizard of Earthsea", "Kindred"}},
    {"Science fiction", {"The Dispossessed"}},
    {"Historical fiction", {"Kindred"}},
    {"Poetry", {}},
};

// When there are no genres yet: adds every example genre, links it to its books, and says how
// many genres and links were added.
void add_example_genres(orm::Session& session) {
  // TODO (step 6): only when the table genres is empty, store every example genre, in the order
  // above (Poetry too, although no book has it yet), and link it to each of its books that is
  // stored (find them by title) through the relationship, as Flask's genre.books.append(book)
  // does: one row of book_genres per link. The relationship comes first: declare it in
  // models/book_genre.hpp, under its TODO (step 6). Make it permanent, then say what was added:
  // "Added 4 genres and 4 links."
  if (session.query<Genre>().count() > 0) return;
  std::size_t link_count = 0;
  for (const ExampleGenre& example : kExampleGenres) {
    Genre genre;
    genre.name = example.name;
    session.add(genre);
    for (const char* title : example.titles) {
      std::optional<Book> book = session.query<Book>().filter_by(&Book::title, title).first();
      if (!book) continue;
      session.append(genre_books, genre, *book);
      ++link_count;
    }
  }
  session.commit();
  std::cout << "Added " << kExampleGenres.size() << " genres and " << link_count << " links.\n";
}

// Every genre, by id, by its name alone, each followed by the titles of its books (four spaces in
// front of each, in the order the relationship gives them), or by "    (no books)".
void list_genres_with_their_books(orm::Session& session) {
  // TODO (step 7): load the genres in id order, then the books of all of them from ONE more
  // query, not one per genre, and print them as the comment above says.
  const std::vector<Genre> genres = session.query<Genre>().order_by(&Genre::id).all();
  const auto books_of = session.load_each(genre_books, genres);
  for (std::size_t i = 0; i < genres.size(); ++i) {
    std::cout << genres[i].name << "\n";
    if (books_of[i].empty()) std::cout << "    (no books)\n";
    for (const Book& book : books_of[i]) std::cout << "    " << book.title << "\n";
  }
}

// Every book, by id, one line each: "<title>: <its genres' names, separated by ", ">", or
// "<title>: (no genres)".
void list_books_with_their_genres(orm::Session& session) {
  // TODO (step 7): load the books in id order, then the genres of all of them from one more
  // query (the relationship seen from the book's side), and print them as the comment above
  // says.
  const std::vector<Book> books = session.query<Book>().order_by(&Book::id).all();
  const auto genres_of = session.load_each(book_genres, books);
  for (std::size_t i = 0; i < books.size(); ++i) {
    std::cout << books[i].title << ":";
    if (genres_of[i].empty()) std::cout << " (no genres)";
    for (std::size_t k = 0; k < genres_of[i].size(); ++k) {
      std::cout << (k == 0 ? " " : ", ") << genres_of[i][k].name;
    }
    std::cout << "\n";
  }
}

// What the program does without a command.
int add_and_list(orm::App& app) {
  try {
    orm::Session session = app.session();
    add_example_authors(session);
    add_example_genres(session);
    std::cout << "Genres and their books:\n";
    list_genres_with_their_books(session);
    std::cout << "Books and their genres:\n";
    list_books_with_their_genres(session);
    return 0;
  } catch (const workbook::NotDoneYet& e) {
    return workbook::report(e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  orm::cli::Program program;
  program.name = workbook::command_name("hello_books");  // "./workbook run 06" from ./workbook
  program.description = "hello_books: a small library of books (lesson 06: many to many)";
  program.create_app = [] { return create_app(); };
  program.run = add_and_list;
  program.migrations_dir = HELLO_BOOKS_MIGRATIONS_DIR;  // this lesson's migrations/ folder
  return orm::cli::run(program, argc, argv);
}
