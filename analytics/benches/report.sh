#!/usr/bin/env bash
# End-to-end benchmark of the nightly report on a seeded registry (not a timed test; run by
# hand, report the numbers with the machine's load average).
#
#   analytics/benches/report.sh [PATIENTS] [REPEATS]      (defaults: 100000 patients, 3 repeats)
#
# Seeds BENCH_DIR/registry_<PATIENTS>.sqlite once (`registry seed --seed 1`), then runs
# `analytics report --timings` REPEATS times under /usr/bin/time and prints, per run, the load
# stage, its rows/s (rows read / load seconds), the whole report's wall time and peak RSS;
# then the best of each.
set -euo pipefail
PATIENTS=${1:-100000}
REPEATS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-report}
WORK=${BENCH_DIR:-/tmp/analytics-bench}
mkdir -p "$WORK"
DB=$WORK/registry_${PATIENTS}.sqlite
OUT=$WORK/report_${PATIENTS}

cargo build --release -p registry -p analytics --quiet
BIN=$CARGO_TARGET_DIR/release
[ -f "$DB" ] || "$BIN/registry" seed --db "$DB" --patients "$PATIENTS" --seed 1
echo "database: $DB ($(du -h "$DB" | cut -f1)); load average: $(cut -d' ' -f1-3 /proc/loadavg)"

best_load=999999; best_wall=999999; best_rss=999999999
for run in $(seq "$REPEATS"); do
  "/usr/bin/time" -f '%e %M' -o "$WORK/time.txt" \
    "$BIN/analytics" report --db "$DB" --out "$OUT" --timings 2> "$WORK/timings.txt"
  read -r wall rss_kb < "$WORK/time.txt"
  rows=$(sed -n 's/.*(\([0-9]*\) rows read.*/\1/p' "$WORK/timings.txt")
  load=$(awk '$1 == "load" { print $2 }' "$WORK/timings.txt")
  rate=$(awk -v r="$rows" -v s="$load" 'BEGIN { printf "%.2f", r / s / 1e6 }')
  printf 'run %d: load %.3f s (%s rows, %s M rows/s), report %.2f s wall, peak RSS %d MiB\n' \
    "$run" "$load" "$rows" "$rate" "$wall" $((rss_kb / 1024))
  best_load=$(awk -v a="$load" -v b="$best_load" 'BEGIN { print (a < b) ? a : b }')
  best_wall=$(awk -v a="$wall" -v b="$best_wall" 'BEGIN { print (a < b) ? a : b }')
  best_rss=$(( rss_kb < best_rss ? rss_kb : best_rss ))
done
rate=$(awk -v r="$rows" -v s="$best_load" 'BEGIN { printf "%.2f", r / s / 1e6 }')
printf 'best of %d: load %.3f s (%s M rows/s), report %.2f s wall, peak RSS %d MiB; load average now %s\n' \
  "$REPEATS" "$best_load" "$rate" "$best_wall" $((best_rss / 1024)) "$(cut -d' ' -f1-3 /proc/loadavg)"
