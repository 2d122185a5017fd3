#!/bin/sh
# Doxygen's input filter for the pages (FILTER_PATTERNS in Doxyfile.in):
#
#   page_filter.sh <nav-dir> <page.md>
#
# prints the page, then its previous/next links. <nav-dir> (written by docs/CMakeLists.txt from
# the reading order) holds pages.tsv, "<label><TAB><file>" per page, and <label>.md, the links.
#
# One repair on the way: a code span holding a single quote followed by a non-letter, such as
# `x['K']`, gets double backticks. Doxygen 1.9.4 reads `...' as a typographic quotation and would
# print the span as text, mangled. Line numbers stay the same, so warnings point at the right line.
nav_dir=$1
page=$2

awk '
  /^[ \t]*(```|~~~)/ { fenced = !fenced; print; next }
  fenced { print; next }
  {
    rest = $0; out = ""
    while (match(rest, /`+/)) {
      ticks = substr(rest, RSTART, RLENGTH)
      out = out substr(rest, 1, RSTART - 1)
      rest = substr(rest, RSTART + RLENGTH)
      stop = index(rest, ticks)
      if (stop == 0) { out = out ticks; continue }
      span = substr(rest, 1, stop - 1)
      rest = substr(rest, stop + length(ticks))
      if (ticks == "`" && span ~ /\047([^A-Za-z0-9_]|$)/) ticks = "``"
      out = out ticks span ticks
    }
    print out rest
  }
' "$page" || exit 1

label=$(awk -F '\t' -v page="$page" '$2 == page { print $1; exit }' "$nav_dir/pages.tsv")
if [ -n "$label" ]; then
  cat "$nav_dir/$label.md"
fi
