#!/usr/bin/env bash
# Times the first `./workbook` on a fresh clone (packages already installed): from the command to
# its verdict (the tool and lesson 01 built, lesson 01 checked). Prints figures; asserts nothing.
#
#   tools/workbook/bench_first_run.sh [RUNS]
#
# Each run clones this checkout's HEAD into a temporary folder and runs ./workbook there. With
# DATABASE_URL set, against that server; without it, as a student's first run does: the clone
# starts its own PostgreSQL (initdb and start, on port WORKBOOK_PGPORT, default 55480), stopped
# after the run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=${1:-1}
if [[ -n "${DATABASE_URL:-}" ]]; then
  server="the one in DATABASE_URL"
else
  export WORKBOOK_PGPORT=${WORKBOOK_PGPORT:-55480}
  server="the clone's own, started by ./workbook on port $WORKBOOK_PGPORT"
fi
echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; server: $server"
for ((i = 1; i <= RUNS; i++)); do
  clone=$(mktemp -d)
  chmod 711 "$clone" # as root, the clone's server runs as postgres and must reach .workbook/pg
  git clone -q "$ROOT" "$clone"
  start=$(date +%s%N)
  TIMEFORMAT='%U %S'
  { time (NO_COLOR=1 "$clone/workbook" >"$clone.out" 2>&1 || true); } 2>"$clone.time"
  times=$(tail -n 1 "$clone.time")
  end=$(date +%s%N)
  # The background build of the other lessons goes on; wait for it before removing the clone.
  flock "$clone/build/dev/workbook-tool/build.lock" true 2>/dev/null || true
  [[ -n "${DATABASE_URL:-}" ]] || "$clone/workbook" db stop >/dev/null 2>&1 || true
  awk -v wall="$(((end - start) / 1000000))" -v cpu="$times" -v run="$i" 'BEGIN {
    split(cpu, t, " ");
    printf "  run %d: first verdict after %.1f s (CPU: user %.1f s, system %.1f s)\n",
           run, wall / 1000, t[1], t[2] }'
  grep -E '^\[[0-9]/[0-9]\]|lessons done' "$clone.out" | sed 's/^/    /'
  rm -rf "$clone" "$clone.out" "$clone.time"
done
