#!/usr/bin/env python3
"""Differential harness: random datasets through `analytics` and through R.

    python3 analytics/tests/differential/compare.py [--n 300] [--seed 1] \
        [--bin target-stats/debug/analytics] [--work /tmp/analytics-diff] [--only KIND]

Generates seeded datasets with the features R users hit (NA rows, 0/1, 1/2,
TRUE/FALSE and text event codings, ties, heavy censoring, tiny groups, many-level
factors, one-subject and all-censored strata, S reaching 0, times of 0, large
times, landmarks beyond the last time, conf levels and types, Efron/Breslow,
separation, collinearity, 2-3 competing causes), runs the CLI with
`--format json` and `reference.R` (one R process for all cases), and compares
every field: 1e-9 relative (Cox 1e-6), values within 1e-15 absolute equal, NA
(null) only equal to NA, except the documented survival 3.5-3 vs 3.8 difference
(R NA where the standard error is 0: log-log at S = 1, Aalen-Johansen at F = 0).
Needs python3 + numpy and Rscript with survival and cmprsk. Not part of cargo test.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
R_TOL = 1e-9
COX_TOL = 1e-6


# ---------------------------------------------------------------- generation


def gen_times(rng, n):
    style = rng.choice(["int", "int", "dec1", "cont", "large", "small_int", "same"])
    raw = rng.exponential(rng.uniform(5, 50), n)
    if style == "same":  # every time tied
        t = np.full(n, float(rng.choice([0.0, 5.0])))
    elif style == "int":
        t = np.ceil(raw)
    elif style == "small_int":  # heavy ties
        t = np.floor(raw / 10.0)
    elif style == "dec1":
        t = np.round(raw, 1)
    elif style == "cont":
        t = np.round(raw, 4)
    else:  # large times
        t = np.round(raw * rng.choice([1e4, 1e6, 1e8]))
    if rng.random() < 0.25:  # times of 0
        t[rng.random(n) < 0.1] = 0.0
    if rng.random() < 0.15 and n > 3:  # near-ties (R's timefix merges them)
        for _ in range(max(1, n // 5)):
            i, j = rng.integers(n, size=2)
            t[i] = t[j] * (1 + float(rng.choice([1e-12, 1e-10, 1e-9, 1e-7])))
    return t, style


def fmt_num(x):
    if float(x).is_integer() and abs(x) < 1e15 and float(x) == round(float(x)):
        return str(int(x))
    return repr(float(x))


def gen_events(rng, n):
    cens = rng.choice([0.0, 0.1, 0.3, 0.6, 0.9, 0.97])
    return rng.random(n) >= cens


def code_events(rng, ev):
    coding = rng.choice(["01", "01", "12", "TF", "TFshort", "value", "dec", "dec_value"])
    if coding == "dec":  # 0.0/1.0 as some exports write them
        return ["1.0" if e else "0.0" for e in ev], None
    if coding == "dec_value":  # 0.0/1.0/2.0 with --event-value 1 (R: status == 1)
        return ["1.0" if e else str(rng.choice(["0.0", "2.0"])) for e in ev], "1"
    if coding == "01":
        return ["1" if e else "0" for e in ev], None
    if coding == "12":
        return ["2" if e else "1" for e in ev], None
    if coding == "TF":
        return ["TRUE" if e else "FALSE" for e in ev], None
    if coding == "TFshort":
        return ["T" if e else "F" for e in ev], None
    return ["dead" if e else "alive" for e in ev], "dead"


def gen_groups(rng, n):
    k = int(rng.choice([2, 2, 3, 4, 6, 12]))
    labels_kind = rng.choice(["text", "num", "num10", "odd", "logical"])
    if labels_kind == "logical":  # read.csv makes one logical column of T/TRUE/F/FALSE
        pool = ["TRUE", "FALSE", "T", "F"]
        k = int(rng.choice([2, 3, 4]))
    if labels_kind == "odd":
        pool = ["1e5", "0.5", "-1", "100000", "1.50", "2", "1e-3", "123456789", "0.1", "-0.25",
                "3.14159", "1000000", "1234567"]
        k = min(k, len(pool))
    if labels_kind == "text":
        pool = ["A", "B", "C", "arm_b", "arm_a", "Z", "a", "ctl", "trt", "X2", "X10", "m"]
        labels = list(rng.choice(pool, k, replace=False))
    elif labels_kind == "num":
        labels = [str(i + 1) for i in range(k)]
    elif labels_kind in ("odd", "logical"):
        labels = list(rng.choice(pool, k, replace=False))
    else:
        labels = [str(v) for v in rng.choice([1, 2, 3, 10, 20, 100, 0, 7, 9, 11, 12, 99], k, replace=False)]
    p = rng.dirichlet(np.ones(k) * rng.choice([0.5, 2.0, 10.0]))
    g = rng.choice(k, n, p=p)
    if rng.random() < 0.3 and n > k:  # a stratum with one subject
        g[g == 0] = 1
        g[rng.integers(n)] = 0
    return [labels[i] for i in g], g


def inject_na(rng, cols, rate):
    n = len(next(iter(cols.values())))
    for name in cols:
        if name.startswith("_"):
            continue
        for i in range(n):
            if rng.random() < rate:
                cols[name][i] = rng.choice(["NA", ""])


def dirty_dropped_row(rng, cols, col):
    """A row dropped for a missing time whose `col` value changes R's column type."""
    if col in cols and rng.random() < 0.2:
        i = int(rng.integers(len(cols["time"])))
        cols["time"][i] = "NA"
        cols[col][i] = str(rng.choice(["unknown", "1.5", "TRUE", "1e5"]))


def write_csv(path, cols):
    names = [c for c in cols if not c.startswith("_")]
    n = len(cols[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join(str(cols[c][i]) for c in names) + "\n")


def gen_landmarks(rng, t):
    finite = t[np.isfinite(t)]
    mx = float(finite.max()) if len(finite) else 10.0
    pts = set()
    for _ in range(int(rng.integers(1, 6))):
        pts.add(float(np.round(rng.uniform(0, 1.3) * mx, 1)))
    if rng.random() < 0.3:
        pts.add(0.0)
    if rng.random() < 0.5:
        pts.add(float(np.round(mx * 2 + 1)))  # beyond the last time
    if rng.random() < 0.3 and len(finite):
        pts.add(float(rng.choice(finite)))  # exactly an observed time
    return sorted(pts)


BIG = False


def size(rng):
    if BIG:
        return int(rng.choice([500, 1000, 3000]))
    return int(rng.choice([1, 2, 3, 5, 8, 15, 30, 60, 120, 300]))


def case_survival(rng):
    n = size(rng)
    t, style = gen_times(rng, n)
    ev = gen_events(rng, n)
    if rng.random() < 0.4:  # S reaches 0 (the last time is an event)
        ev[np.argmax(t)] = True
    cols = {"time": [fmt_num(x) for x in t]}
    spec = {"kind": "survival", "time": "time", "event": "status",
            "conf_type": str(rng.choice(["log", "log-log", "plain"])),
            "conf_level": str(rng.choice([0.95, 0.95, 0.9, 0.99]))}
    if n >= 2 and rng.random() < 0.65:
        cols["g"], gi = gen_groups(rng, n)
        if rng.random() < 0.3:  # an all-censored stratum
            ev[gi == gi[0]] = False
        spec["group"] = "g"
    cols["status"], ev_value = code_events(rng, ev)
    if ev_value:
        spec["event_value"] = ev_value
    if rng.random() < 0.6:
        spec["times"] = ",".join(fmt_num(x) for x in gen_landmarks(rng, t))
    if rng.random() < 0.3:
        inject_na(rng, cols, rng.choice([0.02, 0.1]))
    dirty_dropped_row(rng, cols, "g")
    return cols, spec


def case_cox(rng):
    n = int(rng.choice([500, 2000])) if BIG else int(rng.choice([2, 3, 4, 6, 10, 20, 40, 80, 200]))
    t, style = gen_times(rng, n)
    ev = gen_events(rng, n)
    if ev.sum() == 0:
        ev[0] = True
    cols = {"time": [fmt_num(x) for x in t]}
    cols["status"], ev_value = code_events(rng, ev)
    covs, factors = [], []
    cols["x1"] = [fmt_num(round(x, 3)) for x in rng.normal(0, 1, n)]
    covs.append("x1")
    if rng.random() < 0.6:
        cols["x2"] = [str(int(x)) for x in rng.random(n) < 0.4]
        covs.append("x2")
    if rng.random() < 0.5:
        k = int(rng.choice([2, 3, 5, 8]))
        labs, gi = gen_groups(rng, n)
        cols["f"] = labs
        covs.append("f")
        ref = None
        levels = sorted(set(labs), key=(lambda s: float(s)) if all(_isnum(x) for x in labs) else None)
        if rng.random() < 0.4 and len(levels) > 1:
            ref = str(rng.choice(levels[1:]))
        factors.append("f" + (":" + ref if ref else ""))
        if len(set(labs)) < 2:
            cols.pop("f"); covs.remove("f"); factors.clear()
        _ = k
    special = rng.choice(["none", "none", "sep", "collinear", "scale", "const", "tiny"])
    if special == "const":
        cols["xk"] = ["2.5"] * n
        covs.append("xk")
    if special == "sep":  # perfectly separating: x = 1 iff an event before the median time
        med = np.median(t)
        cols["xs"] = [str(int(ev[i] and t[i] <= med)) for i in range(n)]
        covs.append("xs")
    elif special == "collinear" and "x2" in cols:
        cols["xc"] = [fmt_num(round(float(cols["x1"][i]) + 2 * float(cols["x2"][i]), 3)) for i in range(n)]
        covs.append("xc")
    elif special == "scale":
        cols["xl"] = [fmt_num(round(x, 1)) for x in rng.normal(1000, 300, n)]
        covs.append("xl")
    spec = {"kind": "cox", "time": "time", "event": "status", "covariates": ",".join(covs),
            "ties": str(rng.choice(["efron", "breslow"])),
            "conf_level": str(rng.choice([0.95, 0.9, 0.99]))}
    if factors:
        spec["factors"] = ",".join(factors)
    if ev_value:
        spec["event_value"] = ev_value
    if rng.random() < 0.3:
        inject_na(rng, cols, 0.03)
    dirty_dropped_row(rng, cols, "f")
    return cols, spec


def _isnum(s):
    try:
        return math.isfinite(float(s))
    except ValueError:
        return False


def case_cuminc(rng):
    n = size(rng) + 2
    t, style = gen_times(rng, n)
    ncause = int(rng.choice([1, 2, 2, 3]))
    cens = rng.choice([0.0, 0.2, 0.5, 0.9])
    cause = np.where(rng.random(n) < cens, 0, rng.integers(1, ncause + 1, n))
    kind = rng.choice(["num", "text", "num_big", "num_dec"])
    if kind == "num":
        names = {0: "0", 1: "1", 2: "2", 3: "3"}
        censor = "0"
    elif kind == "num_dec":  # --censor-value 0 on 0.0 (R: status == 0)
        names = {0: "0.0", 1: "1.0", 2: "2.0", 3: "3.0"}
        censor = "0"
    elif kind == "num_big":
        names = {0: "0", 1: "2", 2: "10", 3: "3"}
        censor = "0"
    else:
        names = {0: "cens", 1: "relapse", 2: "death", 3: "NRM"}
        censor = "cens"
    if cause.max() == 0:
        cause[0] = 1
    cols = {"time": [fmt_num(x) for x in t], "status": [names[c] for c in cause]}
    spec = {"kind": "cuminc", "time": "time", "event": "status", "censor_value": censor,
            "conf_type": str(rng.choice(["log", "log-log", "plain"])),
            "conf_level": str(rng.choice([0.95, 0.9]))}
    if rng.random() < 0.6:
        cols["g"], gi = gen_groups(rng, n)
        if rng.random() < 0.25:  # an all-censored group
            cols["status"] = [censor if gi[i] == gi[0] else s for i, s in enumerate(cols["status"])]
            if all(s == censor for s in cols["status"]):
                cols["status"][int(np.argmax(gi != gi[0]))] = names[1]
        if len(set(cols["g"])) >= 2:
            spec["group"] = "g"
        else:
            cols.pop("g")
    if rng.random() < 0.5:
        spec["times"] = ",".join(fmt_num(x) for x in gen_landmarks(rng, t))
    if rng.random() < 0.25:
        inject_na(rng, cols, 0.05)
    dirty_dropped_row(rng, cols, "g")
    return cols, spec


# ---------------------------------------------------------------- running


def cli_args(spec, csv):
    a = [spec["kind"], "--csv", csv, "--time", spec["time"], "--event", spec["event"], "--format", "json"]
    if spec["kind"] in ("survival", "cuminc"):
        a += ["--conf-type", spec["conf_type"], "--conf-level", spec["conf_level"]]
        if "group" in spec:
            a += ["--group", spec["group"]]
        if spec.get("times"):
            a += ["--times=" + spec["times"]]
    if spec["kind"] in ("survival", "cox") and "event_value" in spec:
        a += ["--event-value", spec["event_value"]]
    if spec["kind"] == "cox":
        a += ["--covariates", spec["covariates"], "--ties", spec["ties"], "--conf-level", spec["conf_level"]]
        for f in spec.get("factors", "").split(","):
            if f:
                a += ["--factor", f]
    if spec["kind"] == "cuminc":
        a += ["--censor-value", spec["censor_value"]]
    return a


# ---------------------------------------------------------------- comparing


def close(got, want, tol):
    gf = isinstance(got, (int, float)) and not isinstance(got, bool) and math.isfinite(got)
    wf = isinstance(want, (int, float)) and not isinstance(want, bool) and math.isfinite(want)
    if not gf or not wf:
        return not gf and not wf
    d = abs(got - want)
    return d <= tol * max(abs(got), abs(want)) or d <= 1e-15


class Diffs:
    def __init__(self):
        self.items = []

    def add(self, path, got, want):
        self.items.append((path, got, want))


def cmp_vec(diffs, path, got, want, tol, accept=None):
    if got is None or want is None:
        if (got is None) != (want is None):
            diffs.add(path, got, want)
        return
    if len(got) != len(want):
        diffs.add(path + " (length)", len(got), len(want))
        return
    for i, (g, w) in enumerate(zip(got, want)):
        if w is None and accept is not None and accept(i, g):
            continue
        if not close(g, w, tol):
            diffs.add(f"{path}[{i}]", g, w)


def cmp_num(diffs, path, got, want, tol):
    if not close(got, want, tol):
        diffs.add(path, got, want)


def compare_survival(ours, r, d):
    cmp_num(d, "n_dropped", ours["n_dropped"], r["n_dropped"], 0)
    if len(ours["strata"]) != len(r["strata"]):
        d.add("strata (count)", [s["stratum"] for s in ours["strata"]], [s["stratum"] for s in r["strata"]])
        return
    for so, sr in zip(ours["strata"], r["strata"]):
        p = f"strata[{sr['stratum']}]"
        if so["stratum"] != sr["stratum"]:
            d.add(p + ".stratum", so["stratum"], sr["stratum"])
        cmp_num(d, p + ".n", so["n"], sr["n"], 0)
        cmp_num(d, p + ".events", so["events"], sr["events"], 0)
        for k in ("estimate", "lower", "upper"):
            cmp_num(d, f"{p}.median.{k}", so["median"][k], sr["median"][k], R_TOL)
        to, tr = so["table"], sr["table"]
        for k in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err"):
            cmp_vec(d, f"{p}.table.{k}", to[k], tr[k], R_TOL)
        se0 = lambda tab: (lambda i, g: tab["std_err"][i] == 0 and g == tab["surv"][i])
        for k in ("lower", "upper"):
            cmp_vec(d, f"{p}.table.{k}", to[k], tr[k], R_TOL, se0(to))
        if "at" in sr or "at" in so:
            ao, ar = so.get("at"), sr.get("at")
            if ao is None or ar is None:
                d.add(p + ".at", ao is not None, ar is not None)
                continue
            for k in ("time", "surv", "std_err", "n_risk", "n_event", "n_censor"):
                cmp_vec(d, f"{p}.at.{k}", ao[k], ar[k], R_TOL)
            for k in ("lower", "upper"):
                cmp_vec(d, f"{p}.at.{k}", ao[k], ar[k], R_TOL, se0(ao))
    lo, lr = ours.get("logrank"), r.get("logrank")
    if (lo is None) != (lr is None):
        d.add("logrank", lo is not None, lr is not None)
    elif lo:
        if lo["groups"] != lr["groups"]:
            d.add("logrank.groups", lo["groups"], lr["groups"])
        for k in ("n", "observed", "expected"):
            cmp_vec(d, "logrank." + k, lo[k], lr[k], R_TOL)
        for k in ("chisq", "df", "p"):
            cmp_num(d, "logrank." + k, lo[k], lr[k], R_TOL)


def compare_cox(ours, r, d):
    tol = COX_TOL
    for k in ("n", "events", "n_dropped"):
        cmp_num(d, k, ours[k], r[k], 0)
    co, cr = ours["coefficients"], r["coefficients"]
    if [c["term"] for c in co] != [c["term"] for c in cr]:
        d.add("terms", [c["term"] for c in co], [c["term"] for c in cr])
        return
    for j, (a, b) in enumerate(zip(co, cr)):
        for k in ("coef", "hr", "se", "z", "p", "hr_lower", "hr_upper"):
            cmp_num(d, f"coef[{a['term']}].{k}", a[k], b[k], tol)
    pr = r["printed"]
    for k in ("coef", "se", "p", "hr_lower", "hr_upper"):
        cmp_vec(d, "printed." + k, [c[k] for c in co], pr[k], tol)
    for k in ("loglik_null", "loglik"):
        cmp_num(d, k, ours[k], r[k], tol)
    for t in ("lr_test", "wald_test", "score_test"):
        for k in ("stat", "df", "p"):
            cmp_num(d, f"{t}.{k}", ours[t][k], r[t][k], tol)
    for k in ("c", "se", "concordant", "discordant", "tied_x", "tied_y", "tied_xy"):
        cmp_num(d, "concordance." + k, ours["concordance"][k], r["concordance"][k], tol)
    cmp_vec(d, "means", ours["means"], r["means"], tol)
    cmp_num(d, "iterations", ours["iterations"], r["iterations"], 0)
    # a warning about an infinite coefficient, per term, as R's coxph.fit
    import re
    flagged = set()
    for w in r["warnings"] or []:
        m = re.search(r"variables? +([0-9, ]+) ;", w)
        if m and "infinite" in w:
            flagged |= {int(x) for x in m.group(1).replace(" ", "").split(",") if x}
    for j, c in enumerate(co):
        ours_inf = any(w.startswith(c["term"] + ":") and "infinite" in w for w in ours["warnings"])
        if ours_inf != (j + 1 in flagged):
            d.add(f"warning infinite {c['term']}", ours_inf, j + 1 in flagged)


def compare_cuminc(ours, r, d):
    cmp_num(d, "n_dropped", ours["n_dropped"], r["n_dropped"], 0)
    if len(ours["strata"]) != len(r["strata"]):
        d.add("strata (count)", [s["stratum"] for s in ours["strata"]], [s["stratum"] for s in r["strata"]])
        return
    for so, sr in zip(ours["strata"], r["strata"]):
        p = f"strata[{sr['stratum']}]"
        if so["stratum"] != sr["stratum"]:
            d.add(p + ".stratum", so["stratum"], sr["stratum"])
        cmp_num(d, p + ".n", so["n"], sr["n"], 0)
        for part in ("table", "at"):
            if part not in sr and part not in so:
                continue
            po, pr_ = so.get(part), sr.get(part)
            if po is None or pr_ is None:
                d.add(f"{p}.{part}", po is not None, pr_ is not None)
                continue
            cmp_vec(d, f"{p}.{part}.time", po["time"], pr_["time"], R_TOL)
            cmp_vec(d, f"{p}.{part}.n_risk", po["n_risk"], pr_["n_risk"], R_TOL)
            if [c["cause"] for c in po["causes"]] != [c["cause"] for c in pr_["causes"]]:
                d.add(f"{p}.{part}.causes", [c["cause"] for c in po["causes"]], [c["cause"] for c in pr_["causes"]])
                continue
            for co, cr in zip(po["causes"], pr_["causes"]):
                q = f"{p}.{part}.{co['cause']}"
                keys = ("n_event", "cif", "std_err") if part == "table" else ("cif", "std_err")
                for k in keys:
                    cmp_vec(d, f"{q}.{k}", co[k], cr[k], R_TOL)
                acc = lambda i, g, co=co: co["std_err"][i] == 0 and g == co["cif"][i]
                for k in ("lower", "upper"):
                    cmp_vec(d, f"{q}.{k}", co[k], cr[k], R_TOL, acc)
    go, gr = ours.get("gray"), r.get("gray")
    if (go is None) != (gr is None):
        d.add("gray", go is not None, gr is not None)
    elif go:
        by_name = {str(g["cause"]): g for g in gr}
        if sorted(by_name) != sorted(str(g["cause"]) for g in go):
            d.add("gray.causes", [g["cause"] for g in go], [g["cause"] for g in gr])
            return
        for a in go:
            b = by_name[str(a["cause"])]
            for k in ("stat", "df", "p"):
                cmp_num(d, f"gray[{a['cause']}].{k}", a[k], b[k], R_TOL)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(HERE, "../../../target-stats/debug/analytics"))
    ap.add_argument("--work", default="/tmp/analytics-diff")
    ap.add_argument("--only", choices=["survival", "cox", "cuminc"])
    ap.add_argument("--keep", action="store_true", help="reuse r.json already in WORK")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--big", action="store_true", help="500 to 3000 rows per case")
    args = ap.parse_args()
    global BIG
    BIG = args.big
    rng = np.random.default_rng(args.seed)
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)
        os.makedirs(args.work)
        kinds = [args.only] if args.only else ["survival", "survival", "cox", "cuminc"]
        for c in range(args.n):
            kind = kinds[c % len(kinds)]
            cols, spec = {"survival": case_survival, "cox": case_cox, "cuminc": case_cuminc}[kind](rng)
            d = os.path.join(args.work, f"case{c:04d}")
            os.makedirs(d)
            write_csv(os.path.join(d, "data.csv"), cols)
            with open(os.path.join(d, "spec.dcf"), "w") as f:
                for k, v in spec.items():
                    f.write(f"{k}: {v}\n")
        subprocess.run(["Rscript", os.path.join(HERE, "reference.R"), args.work], check=True)
    summary = Counter()
    fields = defaultdict(list)
    for case in sorted(os.listdir(args.work)):
        d = os.path.join(args.work, case)
        spec = dict(line.split(": ", 1) for line in open(os.path.join(d, "spec.dcf")).read().splitlines())
        r = json.load(open(os.path.join(d, "r.json")))
        argv = cli_args(spec, os.path.join(d, "data.csv"))
        proc = subprocess.run([args.bin] + argv, capture_output=True, text=True)
        with open(os.path.join(d, "cmd.txt"), "w") as f:
            f.write(" ".join(argv) + "\n")
        if "error" not in r and proc.returncode != 0 and "did not converge" in proc.stderr \
                and any("Ran out of iterations" in w for w in r.get("warnings") or []):
            summary["both not converged"] += 1
            continue
        if "error" not in r and proc.returncode != 0 and "no events" in proc.stderr \
                and r.get("events") == 0:
            summary["no events (ours: documented error; R: all NA)"] += 1
            continue
        if "error" in r:
            if proc.returncode == 0:
                summary["R error, ours ok"] += 1
                fields["R error, ours ok"].append((case, r["error"][:120], ""))
            else:
                summary["both error"] += 1
            continue
        if proc.returncode != 0:
            summary["ours error, R ok"] += 1
            fields["ours error, R ok"].append((case, proc.stderr.strip()[:200], ""))
            continue
        ours = json.loads(proc.stdout)
        with open(os.path.join(d, "ours.json"), "w") as f:
            f.write(proc.stdout)
        diffs = Diffs()
        try:
            {"survival": compare_survival, "cox": compare_cox, "cuminc": compare_cuminc}[spec["kind"]](ours, r, diffs)
        except (KeyError, TypeError) as e:
            diffs.add("structure", repr(e), "")
        if diffs.items:
            kind = spec["kind"]
            if kind == "cox" and all(_zero_noise(ours, r, p) for p, _, _ in diffs.items):
                # a coefficient that is 0 in exact arithmetic (e.g. every time tied):
                # both programs return rounding noise (|z| < 1e-9), relative error meaningless
                kind = "cox (coefficient 0 up to rounding)"
            elif kind == "cox" and any("infinite" in w for w in r.get("warnings") or []):
                # R's own coefficients move by up to 1e-3 relative when the rows are
                # reversed in a separated model (near-singular information): see README
                kind = "cox (separated model)"
            summary[kind + " differs"] += 1
            for path, g, w in diffs.items:
                key = kind + ": " + _generic(path)
                fields[key].append((case, path, f"ours {g!r} R {w!r}"))
        else:
            summary[spec["kind"] + " equal"] += 1
    print("cases:", dict(summary))
    for key, items in sorted(fields.items()):
        cases = sorted({c for c, _, _ in items})
        print(f"\n{key}: {len(items)} values in {len(cases)} cases, e.g.")
        for c, path, txt in items[: (20 if args.verbose else 3)]:
            print(f"   {c} {path} {txt}")
    return 1 if any(k.endswith("differs") or k.startswith(("R error", "ours error")) for k in summary) else 0


def _zero_noise(ours, r, path):
    import re
    def tiny(v):
        return v is None or (isinstance(v, (int, float)) and abs(v) < 1e-9)
    # a test statistic that is 0 in exact arithmetic (loglik differences of ~1e-14)
    m = re.match(r"(lr_test|wald_test|score_test)\.(stat|p)$", path)
    if m:
        return tiny(ours[m.group(1)]["stat"]) and tiny(r[m.group(1)]["stat"])
    # pairs tied on the linear predictor or not, decided by coefficients of ~1e-16
    if path.startswith("concordance."):
        return all(tiny(a["z"]) and tiny(b["z"]) for a, b in zip(ours["coefficients"], r["coefficients"]))
    m = re.match(r"coef\[(.*)\]\.(coef|z|hr|p|hr_lower|hr_upper)$", path) or \
        re.match(r"printed\.(coef|p|hr_lower|hr_upper)\[(\d+)\]$", path)
    if not m:
        return False
    if path.startswith("printed"):
        j = int(m.group(2))
    else:
        j = [c["term"] for c in ours["coefficients"]].index(m.group(1))
    zs = (ours["coefficients"][j]["z"], r["coefficients"][j]["z"])
    return all(isinstance(z, (int, float)) and abs(z) < 1e-9 for z in zs)


def _generic(path):
    import re
    return re.sub(r"\[[^\]]*\]", "[]", path)


if __name__ == "__main__":
    sys.exit(main())
