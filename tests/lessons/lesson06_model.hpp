// The parts of lesson 06's checks that include your models: lesson06_model.cpp reads the models,
// lesson06_model_queries.cpp calls your Your-turn functions of models/genre_queries.hpp;
// lesson06_check.cpp judges what they give. Each is compiled on its own, so that saving a file in
// models/ recompiles the parts that include it and not every check.
#pragma once

#include <string>
#include <vector>

#include "orm/session.hpp"
#include "orm/url.hpp"

// lesson06_model.cpp

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

// lesson06_model_queries.cpp

/// genre_counts(session) of models/genre_queries.hpp (Your turn), as lines "<genre>: <books>";
/// FAILs when it is not written yet or returns something else than std::vector<GenreCount>.
std::vector<std::string> genre_count_lines(orm::Session& session);
/// remove_genre(session, book, genre) of models/genre_queries.hpp (Your turn) on the stored book
/// and genre of these ids; FAILs when it is not written yet or does not return a bool.
bool remove_genre_between(orm::Session& session, int book_id, int genre_id);
