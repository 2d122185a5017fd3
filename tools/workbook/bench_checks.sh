#!/usr/bin/env bash
# Times what a student waits for: `./workbook check NN` right after saving an edit to one file
# (content-based rebuild + the lesson's checks), and `./workbook` (every lesson's checks) on a
# warm build. Prints figures; it asserts nothing.
#
#   DATABASE_URL=$(./workbook db url hello_books_development) \
#     tools/workbook/bench_checks.sh [BUILD_DIR] [RUNS]
#
# BUILD_DIR (default build/dev) must have workbook-tool built. The timings run on a copy of the
# lessons with every solution copied over its lesson (so every check passes, as for a student
# who is done), in a build tree of its own configured with the dev preset
# (<BUILD_DIR>/workbook-bench/build). An edit appends a comment line to the file, so its contents
# change (the build goes by contents, not times); the file is put back afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build/dev}" && pwd)
RUNS=${2:-5}
TOOL="$BUILD/tools/workbook/workbook-tool"
WORK="$BUILD/workbook-bench"
COPY="$WORK/solved"
TREE="$WORK/build"

[[ -x "$TOOL" ]] || { echo "error: $TOOL is missing: cmake --build $BUILD --target workbook-tool" >&2; exit 1; }
[[ -n "${DATABASE_URL:-}" ]] || { echo "error: set DATABASE_URL (./workbook db url prints it)" >&2; exit 1; }

# The solved copy; files are rewritten only when their content changed (keeps the build warm).
mkdir -p "$COPY"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -r "$ROOT/lessons" "$staging/"
for solution in "$ROOT"/solutions/[0-9]*/; do cp -r "$solution". "$staging/lessons/$(basename "$solution")/"; done
(cd "$staging" && find lessons -type f) | while read -r file; do
  if ! cmp -s "$staging/$file" "$COPY/$file"; then mkdir -p "$(dirname "$COPY/$file")"; cp "$staging/$file" "$COPY/$file"; fi
done

echo "Preparing the build tree $TREE (the first time builds everything) ..."
if [[ ! -f "$TREE/build.ninja" ]]; then
  (cd "$ROOT" && cmake --preset dev -B "$TREE" -DWORKBOOK_LESSONS_DIR="$COPY/lessons" \
    -DWORKBOOK_SOLUTIONS_DIR= -DWORKBOOK_DOCS=OFF -DWORKBOOK_BENCH=OFF) >"$WORK/configure.log" 2>&1 ||
    { echo "error: configuring failed; see $WORK/configure.log" >&2; exit 1; }
fi
"$TOOL" --build-dir "$TREE" >"$WORK/first.log" 2>&1 ||
  { echo "error: the solved copy does not pass; see $WORK/first.log" >&2; exit 1; }

now() { date +%s%N; }
# stats NAME TIMES...: min, median and max in seconds.
stats() {
  local name=$1
  shift
  printf '%s\n' "$@" | sort -n | awk -v name="$name" '
    { t[NR] = $1 / 1e9 }
    END { printf "  %-46s min %5.2f s   median %5.2f s   max %5.2f s   (%d runs)\n",
                 name, t[1], t[int((NR + 1) / 2)], t[NR], NR }'
}

echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "After saving an edit to one file, ./workbook check NN: the rebuild it needs + the lesson's checks"
lessons=$(sed -n 's/.*"directory": *"\([^"]*\)".*/\1/p' "$ROOT/lessons/lessons.json")
for directory in $lessons; do
  number=${directory%%_*}
  for file in $(cd "$COPY/lessons/$directory" && find . -name '*.cpp' -o -name '*.hpp' | sort); do
    path="$COPY/lessons/$directory/$file"
    original=$(mktemp)
    cp "$path" "$original"
    times=()
    for ((i = 0; i < RUNS; i++)); do
      printf '// edit %s\n' "$i" >>"$path"
      start=$(now)
      "$TOOL" --build-dir "$TREE" check "$number" >/dev/null ||
        { cp "$original" "$path"; echo "error: check $number failed after editing $file" >&2; exit 1; }
      times+=($(($(now) - start)))
    done
    cp "$original" "$path"
    rm -f "$original"
    stats "check $number after saving ${file#./}" "${times[@]}"
  done
  "$TOOL" --build-dir "$TREE" check "$number" >/dev/null # back to the unedited build
done

echo "Warm build, nothing changed"
for directory in $lessons; do
  number=${directory%%_*}
  times=()
  for ((i = 0; i < RUNS; i++)); do
    start=$(now)
    "$TOOL" --build-dir "$TREE" check "$number" >/dev/null
    times+=($(($(now) - start)))
  done
  stats "check $number" "${times[@]}"
done
times=()
for ((i = 0; i < RUNS; i++)); do
  start=$(now)
  "$TOOL" --build-dir "$TREE" >/dev/null
  times+=($(($(now) - start)))
done
stats "./workbook (all lessons' checks)" "${times[@]}"
