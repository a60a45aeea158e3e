#!/usr/bin/env python3
"""A report's headline numbers against R on the report's own ADaM files.

Runs report_vs_r.R (survfit, survdiff, Aalen-Johansen survfit, cmprsk::cuminc, binom.test)
on REPORT_DIR/tables/{adtte,adrs}.csv and compares every number with REPORT_DIR/summary.json:
Kaplan-Meier medians, their CIs, 6/12/24-month rates with CIs and numbers at risk, log-rank
tests, reverse-KM median follow-up, relapse and NRM cumulative incidence with CIs and Gray's
test, ORR and CR rates with Clopper-Pearson CIs, overall and by disease, product and antigen.

    python3 analytics/tests/differential/report_vs_r.py reports/latest

Not part of `cargo test` (CI has no R); the report's tests check the same numbers against our
engine on adtte.csv, this checks them against R. Exit status 1 on any difference.
Rules as compare.py: 1e-9 relative, values within 1e-15 absolute are equal, R's NA only equals
null; every R number must have its counterpart in summary.json.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def ours(summary):
    """The summary's numbers, keyed as report_vs_r.R keys R's."""
    out = {}
    for tte in summary["time_to_event"]:
        param, by = tte["paramcd"], tte["by"]
        for s in tte["strata"]:
            key = ("km", param, by, s["stratum"])
            for f in ("n", "events", "median_days", "median_lower_days", "median_upper_days"):
                out[key + (f,)] = s[f]
            for m, lm in enumerate(s["landmarks"], start=1):
                for f in ("n_risk", "surv", "lower", "upper"):
                    out[key + (f"{f}_{m}",)] = lm[f]
        if by != "overall" and len(tte["strata"]) > 1:
            out[("km", param, by, "test", "log_rank_chisq")] = tte["log_rank_chisq"]
            out[("km", param, by, "test", "log_rank_p")] = tte["log_rank_p"]
    fu = summary["follow_up"]
    for f in ("median_days", "lower_days", "upper_days"):
        out[("follow_up", "OS", "overall", "all", f)] = fu[f]
    for cr in summary["competing_risks"]:
        by = cr["by"]
        for s in cr["strata"]:
            for cause in ("relapse", "nrm"):
                for m, lm in enumerate(s[cause], start=1):
                    for f in ("cif", "lower", "upper"):
                        out[("cif", cause, by, s["stratum"], f"{f}_{m}")] = lm[f]
        if by != "overall":
            out[("cif", "relapse", by, "test", "gray_p")] = cr["gray_p_relapse"]
            out[("cif", "nrm", by, "test", "gray_p")] = cr["gray_p_nrm"]
    for resp in summary["response"]:
        by = resp["by"]
        for row in resp["rows"]:
            for rate in ("orr", "cr"):
                for f in ("x", "n", "lower", "upper"):
                    out[("response", rate, by, row["level"], f)] = row[rate][f]
    return out


def is_degenerate_limit(key, o, mine):
    """The documented difference (compare.py, the crate's README): where the standard error is
    0 (a cumulative incidence still 0, a survival still 1), survival 3.5-3 gives NA limits and
    we, as survival 3.8, give limits equal to the estimate."""
    section, param, by, stratum, field = key
    name, _, m = field.rpartition("_")
    if name not in ("lower", "upper"):
        return False
    estimate = mine.get((section, param, by, stratum, ("cif" if section == "cif" else "surv") + "_" + m))
    return estimate is not None and o == estimate and estimate in (0.0, 1.0)


def equal(r, o):
    if r is None or o is None:
        return r is None and o is None
    if abs(r - o) <= 1e-15:
        return True
    return abs(r - o) <= 1e-9 * max(abs(r), abs(o))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    report = sys.argv[1]
    with open(os.path.join(report, "summary.json")) as f:
        mine = ours(json.load(f))
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "r.csv")
        subprocess.run(["Rscript", os.path.join(HERE, "report_vs_r.R"), report, out], check=True)
        with open(out) as f:
            theirs = list(csv.DictReader(f))
    compared, differences, missing, accepted = 0, [], [], 0
    for row in theirs:
        key = (row["section"], row["param"], row["by"], row["stratum"], row["field"])
        r = None if row["value"] == "NA" else float(row["value"])
        if key not in mine:
            missing.append(key)
            continue
        o = mine[key]
        o = None if o is None or (isinstance(o, float) and math.isnan(o)) else float(o)
        compared += 1
        if equal(r, o):
            continue
        if r is None and is_degenerate_limit(key, o, mine):
            accepted += 1
            continue
        differences.append((key, r, o))
    print(f"{compared} numbers compared with R; {len(differences)} differ; "
          f"{accepted} accepted differences (limits where the standard error is 0); "
          f"{len(missing)} R numbers have no counterpart in summary.json")
    for key, r, o in differences[:40]:
        print(f"  differs: {'/'.join(key)}: R {r!r}, ours {o!r}")
    for key in missing[:40]:
        print(f"  missing: {'/'.join(key)}")
    sys.exit(1 if differences or missing else 0)


if __name__ == "__main__":
    main()
