# Fixtures for competing risks (Aalen-Johansen via survfit, Gray's test via
# cmprsk::cuminc) and median follow-up (reverse Kaplan-Meier), generated on this
# machine with R 4.2.2, survival 3.5-3, cmprsk 2.2-11 (Debian packages).
#
# Run from analytics/tests/reference:   Rscript make_fixtures.R
# cmprsk reports p = 1 - pchisq(stat, df), which loses all precision below ~1e-15;
# p_upper_tail = pchisq(stat, df, lower.tail = FALSE) is recorded beside it.
# Writes datasets/{mgus2_cr,pbc_cr}.csv and expected/{cuminc_*,followup_*}.json.
# Numbers are written with %.17g so they parse back to R's doubles; NA/NaN/Inf -> null.
library(survival)
library(cmprsk)

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.finite(x), sprintf("%.17g", x), "null")
}
js <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      parts <- mapply(function(k, v) paste0('"', k, '": ', js(v)), names(x), x)
      return(paste0("{", paste(parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(sapply(x, js), collapse = ", "), "]"))
  }
  if (is.character(x)) return(if (length(x) == 1 && is.null(attr(x, "vec"))) paste0('"', x, '"') else paste0("[", paste0('"', x, '"', collapse = ", "), "]"))
  if (length(x) == 1 && is.null(attr(x, "vec"))) return(num(x))
  paste0("[", paste(num(x), collapse = ", "), "]")
}
vec <- function(x) { attr(x, "vec") <- TRUE; x }
provenance <- list(
  generator = "analytics/tests/reference/make_fixtures.R",
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")),
  cmprsk_version = as.character(packageVersion("cmprsk")))

# ---- datasets (both ship with R's survival package)
m <- mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$event <- ifelse(m$pstat == 0, 2 * m$death, 1)   # 0 censored, 1 PCM, 2 death
mg <- data.frame(etime = m$etime, event = m$event, sex = m$sex)
write.csv(mg, "datasets/mgus2_cr.csv", row.names = FALSE, quote = FALSE)
p <- pbc[, c("time", "status", "edema", "trt")]        # status 0 censored, 1 transplant, 2 death; trt has NA
write.csv(p, "datasets/pbc_cr.csv", row.names = FALSE, quote = FALSE, na = "NA")

cr_fixture <- function(d, time, status, group, call_text, file, times) {
  f <- as.formula(paste0("Surv(", time, ", factor(", status, ")) ~ ", group))
  fit <- survfit(f, data = d)        # conf.type "log" (default)
  st <- if (is.null(fit$strata)) rep(1, length(fit$time)) else rep(seq_along(fit$strata), fit$strata)
  labels <- if (is.null(fit$strata)) "all" else names(fit$strata)
  causes <- fit$states[-1]
  strata <- lapply(seq_along(labels), function(k) {
    i <- which(st == k)
    sm <- summary(fit[k, ], times = times, extend = TRUE)
    list(stratum = labels[k], n = fit$n[k],
         table = list(time = vec(fit$time[i]), n_risk = vec(fit$n.risk[i, 1]),
           causes = lapply(seq_along(causes), function(j) list(
             cause = causes[j], cif = vec(fit$pstate[i, j + 1]), std_err = vec(fit$std.err[i, j + 1]),
             lower = vec(fit$lower[i, j + 1]), upper = vec(fit$upper[i, j + 1])))),
         at = list(time = vec(sm$time), causes = lapply(seq_along(causes), function(j) list(
           cause = causes[j], cif = vec(sm$pstate[, j + 1]), std_err = vec(sm$std.err[, j + 1]),
           lower = vec(sm$lower[, j + 1]), upper = vec(sm$upper[, j + 1])))))
  })
  dd <- na.omit(d[, c(time, status, group)])
  ci <- cuminc(dd[[time]], dd[[status]], dd[[group]], cencode = 0)
  tests <- ci$Tests
  gray <- lapply(seq_len(nrow(tests)), function(r) list(cause = rownames(tests)[r],
    stat = tests[r, "stat"], df = tests[r, "df"], p = tests[r, "pv"],
    p_upper_tail = pchisq(tests[r, "stat"], tests[r, "df"], lower.tail = FALSE)))
  out <- list(kind = "competing_risks",
    call = list(survfit = paste0("survfit(", deparse(f), ", data = ", call_text, ")"),
                summary = paste0("summary(fit[k, ], times = c(", paste(times, collapse = ", "), "), extend = TRUE)"),
                cuminc = paste0("cuminc(", time, ", ", status, ", ", group, ", cencode = 0) on na.omit(", call_text, ")")),
    n_dropped = nrow(d) - nrow(dd),
    note = "std_err is survfit's (infinitesimal jackknife); CI conf.type log; survival 3.5-3 gives NA limits where cif and std_err are 0",
    strata = strata, gray = gray, provenance = provenance)
  writeLines(js(out), file.path("expected", file))
}
cr_fixture(mg, "etime", "event", "sex", "mgus2_cr.csv", "cuminc_mgus2_by_sex.json", c(0, 12, 60, 120, 240, 400))
cr_fixture(p, "time", "status", "edema", "pbc_cr.csv", "cuminc_pbc_by_edema.json", c(0, 365, 1825, 3650, 5000))
cr_fixture(p, "time", "status", "trt", "pbc_cr.csv", "cuminc_pbc_by_trt.json", c(1000, 2000, 4000))

# ---- median follow-up: reverse Kaplan-Meier, survfit(Surv(time, status == 0) ~ g)
fu_fixture <- function(d, time, status, group, call_text, file) {
  f <- as.formula(paste0("Surv(", time, ", ", status, " == 0) ~ ", group))
  res <- lapply(c("log", "log-log", "plain"), function(ct) {
    fit <- survfit(f, data = d, conf.type = ct)
    tab <- summary(fit)$table
    if (is.null(dim(tab))) tab <- t(as.matrix(tab))
    labels <- if (is.null(fit$strata)) "all" else names(fit$strata)
    list(conf_type = ct, strata = lapply(seq_along(labels), function(k) list(
      stratum = labels[k], n = tab[k, "records"], censored = tab[k, "events"],
      median = tab[k, "median"], lower = tab[k, "0.95LCL"], upper = tab[k, "0.95UCL"])))
  })
  out <- list(kind = "median_follow_up",
    call = paste0("summary(survfit(", deparse(f), ", data = ", call_text, ", conf.type = ct))$table"),
    results = res, provenance = provenance)
  writeLines(js(out), file.path("expected", file))
}
aml <- read.csv("datasets/aml.csv")
veteran <- read.csv("datasets/veteran.csv")
fu_fixture(aml, "time", "status", "1", "aml.csv", "followup_aml.json")
fu_fixture(veteran, "time", "status", "trt", "veteran.csv", "followup_veteran_by_trt.json")
fu_fixture(mg, "etime", "event", "sex", "mgus2_cr.csv", "followup_mgus2_by_sex.json")
