#!/bin/sh
# Doxygen's input filter for the pages and the library's headers (FILTER_PATTERNS in Doxyfile.in):
#
#   doxygen_filter.sh <nav-dir> <file>
#
# prints <file> with four repairs, then, for a page of the reading order, its previous/next
# links. Lines are never added or removed before the links, so warnings point at the right line.
# The repairs touch documentation text only (a page's text, a header's `///` comments), never
# code: not code spans, fenced or indented code blocks, or @code ... @endcode.
#
# 1. A code span holding a single quote followed by a non-letter, such as `x['K']`, gets double
#    backticks: Doxygen 1.9.4 reads `...' as a typographic quotation and would print the span as
#    text, mangled.
# 2. An option such as --help (two dashes and a letter, after a space or an opening bracket or
#    quote) is written \--help, Doxygen's escape for two dashes: it would print an en dash.
# 3. In a Markdown table, a number and its unit ("17.8 ms") are joined by a no-break space, so a
#    narrow column does not put the unit on a line of its own.
# 4. In a header's `///` comments, the abbreviations "e.g." and "i.e." are followed by "\ ",
#    Doxygen's mark for a dot that does not end a sentence: the brief description of a comment is
#    its first sentence (JAVADOC_AUTOBRIEF), and would otherwise stop at "e.g.".
#
# <nav-dir> (written by docs/CMakeLists.txt from the reading order) holds pages.tsv,
# "<label><TAB><file>" per page, and <label>.md, the links. A page that has its own
# "Previous:"/"Next:" line (the lesson texts, which also read well on GitHub) keeps that one and
# gets no second.
nav_dir=$1
file=$2

awk -v header="$(case $file in *.hpp | *.h) echo 1 ;; *) echo 0 ;; esac)" '
  # Repairs 2 to 4 on a piece of documentation text.
  function repair(text) {
    if (!is_text || in_code) return text
    done = ""
    while (match(text, /(^|[ \t(\[{"\047])--[A-Za-z]/)) {
      dashes = RSTART + RLENGTH - 3
      done = done substr(text, 1, dashes - 1) "\\--"
      text = substr(text, dashes + 2)
    }
    text = done text
    if (table_row) {
      done = ""
      while (match(text, /[0-9] (ms|s|us|ns|min|KiB|MiB|GiB)([^A-Za-z0-9]|$)/)) {
        done = done substr(text, 1, RSTART) "&nbsp;"
        text = substr(text, RSTART + 2)
      }
      text = done text
    }
    if (header) {
      gsub(/e\.g\.( |$)/, "e.g.\\\\ ", text)
      gsub(/i\.e\.( |$)/, "i.e.\\\\ ", text)
    }
    return text
  }
  !header && /^[ \t]*(```|~~~)/ { fenced = !fenced; print; next }
  fenced { print; next }
  {
    is_text = header ? $0 ~ /^[ \t]*\/\/\// : $0 !~ /^(    |\t)/
    table_row = !header && $0 ~ /^\|/
    if (is_text && $0 ~ /[@\\]code/) in_code = 1
    rest = $0; out = ""
    while (match(rest, /`+/)) {
      ticks = substr(rest, RSTART, RLENGTH)
      before = substr(rest, 1, RSTART - 1)
      rest = substr(rest, RSTART + RLENGTH)
      out = out repair(before)
      stop = index(rest, ticks)
      if (stop == 0) { out = out ticks; continue }
      span = substr(rest, 1, stop - 1)
      rest = substr(rest, stop + length(ticks))
      if (ticks == "`" && span ~ /\047([^A-Za-z0-9_]|$)/) ticks = "``"
      out = out ticks span ticks
    }
    print out repair(rest)
    if (is_text && $0 ~ /[@\\]endcode/) in_code = 0
  }
' "$file" || exit 1

label=$(awk -F '\t' -v page="$file" '$2 == page { print $1; exit }' "$nav_dir/pages.tsv")
if [ -n "$label" ] && ! grep -Eq '^(\*\*)?(Previous|Next):' "$file"; then
  cat "$nav_dir/$label.md"
fi
