// Do not change this file: it is part of lesson 06's checks (see lesson06_model.hpp). It alone
// includes models/genre_queries.hpp, so that saving that file recompiles only this one.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "lesson06_model.hpp"
#include "lesson_check.hpp"
#include "model_traits.hpp"
#include "models/book.hpp"
#include "models/genre.hpp"
#include "models/genre_queries.hpp"
#include "orm/orm.hpp"

using lesson_check::declared_v;
using lesson_check::fix;

// ---------------------------------------------------------------------------------------------
// Your turn: genre_counts(session) and remove_genre(session, book, genre) when
// models/genre_queries.hpp declares them, else NotWritten. The two are found together (the
// using-directive puts the fallbacks in the global namespace), and the student's function, not a
// template, wins. This part only calls them; lesson06_check.cpp judges what they do.
namespace genre_queries_fallback {
struct NotWritten {};
template <class Session>
NotWritten genre_counts(Session&) {
  return {};
}
template <class Session, class B, class G>
NotWritten remove_genre(Session&, const B&, const G&) {
  return {};
}
}  // namespace genre_queries_fallback
using namespace genre_queries_fallback;

namespace {

template <class Session>
auto counts_from(Session& session) {
  return genre_counts(session);
}

template <class Session, class B, class G>
auto remove_from(Session& session, B& book, G& genre) {
  return remove_genre(session, book, genre);
}

template <class Session>
std::vector<std::string> genre_count_lines_of(Session& session) {
  using Result = decltype(counts_from(session));
  if constexpr (std::is_same_v<Result, NotWritten>) {
    FAIL("models/genre_queries.hpp has no function genre_counts(orm::Session&) yet. "
         << fix("models/genre_queries.hpp", "Your turn"));
  } else if constexpr (!std::is_same_v<Result, std::vector<GenreCount>>) {
    FAIL(
        "genre_counts(session) must return a std::vector<GenreCount> (GenreCount is declared "
        "in models/genre_queries.hpp). "
        << fix("models/genre_queries.hpp", "Your turn"));
  } else {
    std::vector<std::string> lines;
    for (const GenreCount& count : counts_from(session)) {
      lines.push_back(count.genre + ": " + std::to_string(count.books));
    }
    return lines;
  }
  return {};
}

template <class G = Genre>
bool remove_genre_of(orm::Session& session, int book_id, int genre_id) {
  if constexpr (!declared_v<G>) {
    FAIL("Not checked yet: the Genre model is not finished (step 1; see its check).");
  } else {
    std::optional<Book> book = session.get<Book>(book_id);
    std::optional<G> genre = session.get<G>(genre_id);
    if (!book || !genre) {
      FAIL("Book " << book_id << " or genre " << genre_id
                   << " of the checks' library is no longer stored: remove_genre must delete "
                      "the link only. "
                   << fix("models/genre_queries.hpp", "Your turn"));
    }
    using Result = decltype(remove_from(session, *book, *genre));
    if constexpr (std::is_same_v<Result, NotWritten>) {
      FAIL(
          "models/genre_queries.hpp has no function remove_genre(orm::Session&, const Book&, "
          "const Genre&) yet. "
          << fix("models/genre_queries.hpp", "Your turn"));
    } else if constexpr (!std::is_convertible_v<Result, bool>) {
      FAIL(
          "remove_genre(session, book, genre) must return a bool: true when the book had the "
          "genre. "
          << fix("models/genre_queries.hpp", "Your turn"));
    } else {
      return remove_from(session, *book, *genre);
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> genre_count_lines(orm::Session& session) {
  return genre_count_lines_of(session);
}

bool remove_genre_between(orm::Session& session, int book_id, int genre_id) {
  return remove_genre_of(session, book_id, genre_id);
}
