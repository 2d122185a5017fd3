// The part of lesson 04's checks that reads your Book model (lesson04_model.cpp). It is compiled
// on its own, so that saving models/book.hpp recompiles that small file and not every check.
#pragma once

#include <string>
#include <vector>

/// Book's columns as models/book.hpp declares them, in their order.
std::vector<std::string> book_model_columns();
