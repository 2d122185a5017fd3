#!/bin/sh
# Doxygen's source filter for the solutions' listings (FILTER_SOURCE_PATTERNS in Doxyfile.in):
#
#   solution_filter.sh <file>
#
# prints a solution file without the starter's TODO comments, which a finished solution keeps
# (the lesson's starter and solution differ only where the student works): a `// TODO` line and
# the plain `//` comment lines right below it.
awk '
  /^[ \t]*\/\/ *TODO/ { in_todo = 1; next }
  in_todo && /^[ \t]*\/\/([^\/]|$)/ { next }
  { in_todo = 0; print }
' "$1"
