#!/usr/bin/env bash
# Prints how many students `./workbook grade` grades per minute on this machine: a class of N
# copies of the solved lessons (default 6), graded once to warm the build trees up, then again
# after one lesson file of each copy changed (a resubmission), and a third time unchanged.
# Usage: tools/workbook/bench_grade.sh [N] [JOBS] [LESSONS]   (WORKBOOK_PGPORT as for ./workbook)
# LESSONS: the lessons graded, as for `grade --lessons` (default 01,02,03,04: the issue's target).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
COUNT=${1:-6}
JOBS=${2:-2}
LESSONS=${3:-01,02,03,04}
# One folder, so that each run grades the same paths with the same users (grade.hpp).
WORK=/var/tmp/hello_books_bench_grade
rm -rf "$WORK"
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
chmod 711 "$WORK" # the grading users pass through to grades/.work; the class stays private

for i in $(seq "$COUNT"); do
  mkdir -p "$WORK/class/student$i"
  cp -r "$ROOT/lessons" "$WORK/class/student$i/"
  for lesson in "$ROOT"/solutions/*/; do
    cp -r "$lesson". "$WORK/class/student$i/lessons/$(basename "$lesson")/"
  done
done
chmod 700 "$WORK/class"

# grade LABEL: one timed run over the class; prints its figure.
grade() {
  local start end seconds
  start=$(date +%s.%N)
  "$ROOT/workbook" grade "$WORK/class" --out "$WORK/grades" --jobs "$JOBS" --lessons "$LESSONS" >"$WORK/$1.log" 2>&1 ||
    { tail -n 20 "$WORK/$1.log" >&2; echo "grading failed (log above)" >&2; exit 1; }
  end=$(date +%s.%N)
  seconds=$(echo "$end - $start" | bc -l)
  printf '%-34s %7.1f s  %5.2f students/min\n' "$1" "$seconds" "$(echo "$COUNT * 60 / $seconds" | bc -l)"
}

echo "bench_grade: $COUNT students, lessons $LESSONS, --jobs $JOBS, $(nproc) cores, as $(id -un); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
grade "first grade (cold build trees)"
for i in $(seq "$COUNT"); do echo "// resubmitted" >>"$WORK/class/student$i/lessons/03_models/models/book.hpp"; done
grade "resubmitted (one file changed each)"
grade "unchanged (warm)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
