#!/usr/bin/env bash
# End-to-end benchmark of `analytics survival` and `analytics cox` beside R on the
# same generated CSV (not a timed test; run by hand, report the numbers).
#
#   analytics/benches/run.sh [ROWS] [REPEATS]      (defaults: 1000000 rows, 3 repeats)
#
# Data: `analytics bench-data` (hidden subcommand; SplitMix64, seed 20260101):
# exponential times, ~30 % censored, 10 groups, 5 covariates.
# Ours:  analytics survival --group group --conf-type log-log   (KM + log-log CIs + log-rank)
#        analytics cox --covariates x1,...,x5                    (Efron)
# R:     data.table::fread + survfit(conf.type = "log-log") + survdiff; fread + coxph.
# Each timing is wall-clock of the whole process (R: Rscript start-up included;
# R's in-process time for read + fit is printed too). Best of REPEATS runs.
set -euo pipefail
ROWS=${1:-1000000}
REPEATS=${2:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-stats}
WORK=${BENCH_DIR:-/tmp/analytics-bench}
mkdir -p "$WORK"
DATA=$WORK/cohort_${ROWS}.csv

# The statistics commands do not need the report feature (Polars, charts): a lighter release build.
cargo build --release -p analytics --no-default-features --quiet
BIN=$CARGO_TARGET_DIR/release/analytics
[ -f "$DATA" ] || "$BIN" bench-data --rows "$ROWS" --out "$DATA"
echo "data: $DATA ($(wc -l < "$DATA") lines, $(du -h "$DATA" | cut -f1))"

best() { # best wall time in seconds of REPEATS runs of "$@"
  local best=999999
  for _ in $(seq "$REPEATS"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N)
    best=$(echo "$t1 - $t0" | bc -l | awk -v b="$best" '{ print ($1 < b) ? $1 : b }')
  done
  printf '%.3f' "$best"
}

cat > "$WORK/km.R" <<'R'
suppressMessages({library(data.table); library(survival)})
a <- commandArgs(TRUE)
t0 <- proc.time()[["elapsed"]]
d <- fread(a[1])
fit <- survfit(Surv(time, status) ~ group, data = d, conf.type = "log-log")
lr <- survdiff(Surv(time, status) ~ group, data = d)
print(fit)
cat(sprintf("R in-process read+fit: %.3f s\n", proc.time()[["elapsed"]] - t0), file = stderr())
R
cat > "$WORK/cox.R" <<'R'
suppressMessages({library(data.table); library(survival)})
a <- commandArgs(TRUE)
t0 <- proc.time()[["elapsed"]]
d <- fread(a[1])
fit <- coxph(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5, data = d)
print(summary(fit)$coefficients)
cat(sprintf("R in-process read+fit: %.3f s\n", proc.time()[["elapsed"]] - t0), file = stderr())
R

common=(--csv "$DATA" --time time --event status)
km_json=$(best "$BIN" survival "${common[@]}" --group group --conf-type log-log)
km_table=$(best "$BIN" survival "${common[@]}" --group group --conf-type log-log --format table)
cox_ours=$(best "$BIN" cox "${common[@]}" --covariates x1,x2,x3,x4,x5)
km_r=$(best Rscript "$WORK/km.R" "$DATA")
cox_r=$(best Rscript "$WORK/cox.R" "$DATA")
echo "R in-process, one more run each (read + fit, without R start-up):"
Rscript "$WORK/km.R" "$DATA" 2>&1 >/dev/null | sed 's/^/  KM+log-rank: /'
Rscript "$WORK/cox.R" "$DATA" 2>&1 >/dev/null | sed 's/^/  Cox: /'
echo "CPU time of one run (user+sys; less sensitive to a loaded machine):"
for cmd in "survival ${common[*]} --group group --conf-type log-log --format table" "cox ${common[*]} --covariates x1,x2,x3,x4,x5"; do
  # shellcheck disable=SC2086
  /usr/bin/env time -f "  %U s user + %S s sys, %e s wall, %M KB max RSS: analytics ${cmd%% *}" "$BIN" $cmd > /dev/null
done
for r in km cox; do
  /usr/bin/env time -f "  %U s user + %S s sys, %e s wall: R $r" Rscript "$WORK/$r.R" "$DATA" > /dev/null 2> "$WORK/$r.time" || true
  tail -1 "$WORK/$r.time"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

printf '\n%-44s %8s\n' "end to end, best of $REPEATS, $ROWS rows" "seconds"
printf '%-44s %8s\n' "analytics survival --group (JSON, full table)" "$km_json"
printf '%-44s %8s\n' "analytics survival --group (--format table)" "$km_table"
printf '%-44s %8s\n' "R fread + survfit(log-log) + survdiff" "$km_r"
printf '%-44s %8s\n' "analytics cox (5 covariates)" "$cox_ours"
printf '%-44s %8s\n' "R fread + coxph (5 covariates)" "$cox_r"
printf 'speed-up survival (table / JSON): %.1fx / %.1fx; cox: %.1fx\n' \
  "$(echo "$km_r / $km_table" | bc -l)" "$(echo "$km_r / $km_json" | bc -l)" "$(echo "$cox_r / $cox_ours" | bc -l)"
