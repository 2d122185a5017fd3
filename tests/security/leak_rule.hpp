// The rule the password matrix uses to find a password, or a piece of one, in what a program
// printed (tests/security/password_matrix_test.cpp; the rule's own tests are there too).
//
// A program's output may hold a word that equals a piece of the password for an innocent reason:
// with the password "postgres" the user is often "postgres" too, and "books" is in "hello_books".
// So every run has a twin: the same program, arguments, URL form and failure, with twin(secret)
// in place of the secret. twin() changes every letter, digit and non-ASCII character and keeps
// everything else, and keeps each character's class (digits stay digits, hex letters stay hex
// letters, case stays, UTF-8 lengths stay), so the twin run takes the same path and prints the
// same words, except where it prints its own secret.
//
// The rule: a *fragment* of a secret S, in one spelling s(S) (as typed, percent-encoded, escaped
// for key=value), is a window of 4 bytes s(S)[i, i+4) that differs from s(twin(S))[i, i+4): it
// holds at least one character that twin() changes. A run *leaks* S when a fragment of any of its
// spellings occurs more often in the run's stdout and stderr than in its twin run's. Any leak of 4
// or more characters that holds a letter, digit or non-ASCII character contains such a window;
// runs of punctuation only ("@/:%") are not counted, since URL syntax prints them anyway.
#pragma once

#include <string>
#include <vector>

namespace leak_rule {

/// `secret` with every letter, digit and non-ASCII character replaced as described above.
std::string twin(const std::string& secret);

/// The fragments of `spelling`: its 4-byte windows that differ from `twin_spelling`'s at the same
/// place (the two spell a secret and its twin the same way, so they are equally long).
std::vector<std::string> fragments(const std::string& spelling, const std::string& twin_spelling);

/// How often `piece` occurs in `text`, overlapping occurrences included.
std::size_t occurrences(const std::string& text, const std::string& piece);

/// The fragments of `spelling` that `output` holds more often than `twin_output`: empty when the
/// run did not leak it.
std::vector<std::string> leaks(const std::string& spelling, const std::string& twin_spelling,
                               const std::string& output, const std::string& twin_output);

}  // namespace leak_rule
