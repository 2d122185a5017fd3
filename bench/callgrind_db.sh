#!/usr/bin/env bash
# Where the instructions of each `db` command go, counted by callgrind (repeatable, unlike
# timings on a busy machine): the whole process; opening connections (PQconnectdb: over TCP with
# scram-sha-256 that is mostly the client's PBKDF2; the workbook's own cluster uses peer
# authentication on its socket, with no password to hash); loading the shared libraries (the
# dynamic linker); and the rest, the command's own work.
#
#   bench/callgrind_db.sh [build/release]
#
# Uses the projects and databases of the last `./workbook bench` (build/release/bench-projects).
set -euo pipefail

BUILD=$(cd "${1:-$(dirname "$0")/../build/release}" && pwd)
PROJECTS="$BUILD/bench-projects/ours"
APP="$BUILD/bench/bench_hello_books"
FLOOR="$BUILD/bench/bench_db_floor"
[[ -d "$PROJECTS/many" ]] || { echo "error: run ./workbook bench first (no $PROJECTS)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "error: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
DATABASE_URL=$(cd "$(dirname "$0")/.." && ./workbook db url hello_books_bench_db_ours)
export DATABASE_URL
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

reset_database() {
  /usr/lib/postgresql/15/bin/psql -X -q "$DATABASE_URL" \
    -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" 2>/dev/null
}

# count <label> <folder> <command...>: total instructions, and those in PQconnectdb.
count() {
  local label=$1 folder=$2
  shift 2
  (cd "$folder" && valgrind --tool=callgrind --callgrind-out-file="$OUT/profile" "$@" \
    >/dev/null 2>"$OUT/log")
  local total callers connect calls linker
  total=$(grep -o 'Collected : [0-9]*' "$OUT/log" | grep -o '[0-9]*$')
  # The caller lines of PQconnectdb: "<inclusive> (..%)  < caller (Nx) [...]".
  callers=$(callgrind_annotate --tree=caller --inclusive=yes "$OUT/profile" |
    awk '/^$/ {block = ""} / < / {block = block $0 "\n"} /\* +\?\?\?:PQconnectdb \[/ {printf "%s", block}')
  connect=$(awk '{gsub(",", "", $1); n += $1} END {print n + 0}' <<<"$callers")
  calls=$(grep -o '([0-9]*x)' <<<"$callers" | tr -dc '0-9\n' | awk '{n += $1} END {print n + 0}')
  linker=$(callgrind_annotate --inclusive=yes "$OUT/profile" |
    awk '/rtld.c:_dl_start \[/ && !n++ {gsub(",", "", $1); print $1}')
  printf '%-27s %4.0fM instructions: %4.0fM opening %d connection(s), %3.0fM loading libraries, %3.0fM the rest\n' \
    "$label" "$(bc -l <<<"$total / 10^6")" "$(bc -l <<<"$connect / 10^6")" "$calls" \
    "$(bc -l <<<"${linker:-0} / 10^6")" "$(bc -l <<<"($total - $connect - ${linker:-0}) / 10^6")"
}

reset_database
count "db upgrade (1 revision)" "$PROJECTS/one" "$APP" db upgrade
count "db current" "$PROJECTS/one" "$APP" db current
count "db migrate (no change)" "$PROJECTS/one" "$APP" db migrate -m "no change"
reset_database
count "db upgrade (100 revisions)" "$PROJECTS/many" "$APP" db upgrade
count "floor: connect, SELECT 1" "$PROJECTS" "$FLOOR" "SELECT 1"
