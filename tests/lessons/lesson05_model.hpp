// The part of lesson 05's checks that reads your models (lesson05_model.cpp). It is compiled on
// its own, so that saving models/author.hpp or models/book.hpp recompiles that file and not
// every check.
#pragma once

#include <string>

/// What models/author.hpp still lacks (step 1), in a few words, or "".
std::string author_missing();
/// Step 1's check: Author's table, columns and to_string(); FAILs with the first problem.
void check_author_model();
/// The first thing wrong with Book's link to its author (step 2), or "".
std::string book_author_problem();
/// True when the Book model has a column `name`.
bool book_model_has_column(const std::string& name);
