// The part of lesson 06's checks that reads your models (lesson06_model.cpp), and the helpers
// both parts use. It is compiled on its own, so that saving a file in models/ recompiles that
// file and not every check.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "orm/session.hpp"
#include "orm/url.hpp"

/// The first thing wrong with the Genre model (step 1), or "".
std::string genre_problem();
/// The first thing wrong with the BookGenre model (step 2), or "".
std::string link_problem();
/// True when BookGenre declares (book_id, genre_id) unique (step 3).
bool pair_unique();
/// "book_id" or "genre_id" when BookGenre makes that column unique on its own, else "".
std::string link_column_unique_alone();
/// A fresh, empty database of this check with tables made from the models (Author, Book and,
/// when declared, Genre and BookGenre, the latter only `with_links`), like create_all.
orm::DatabaseUrl tables_from_models(const std::string& suffix, bool with_links = true);

/// The Your-turn checks of models/genre_queries.hpp; each FAILs with its first problem.
void check_genre_counts();
void check_genre_counts_questions();
void check_remove_genre();

/// The single number `sql` gives.
int count_of(orm::Session& session, const std::string& sql);
/// The genre and book of every link, "<genre>: <title>", by genre id then book id.
std::vector<std::string> links_in(orm::Session& session);
/// Lines `from` to `from + count` of `lines`, indented for a message ("(nothing)" for none).
std::string indented(const std::vector<std::string>& lines, std::size_t from, std::size_t count);
/// Every line of `lines`, indented for a message.
std::string listed(const std::vector<std::string>& lines);
