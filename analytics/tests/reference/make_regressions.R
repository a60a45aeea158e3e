# Regression fixtures for discrepancies found by the differential harness
# (analytics/tests/differential), generated on this machine with R 4.2.2,
# survival 3.5-3 and cmprsk 2.2-11 (Debian packages):
#
#   cd analytics/tests/reference && Rscript make_regressions.R
#
# Writes datasets/regr_*.csv and expected/regr_*.json; each JSON records the exact
# R call. The data are read back with read.csv's own typing (type.convert), as a
# user would, so factor labels are R's. Numbers %.17g; NA/NaN/Inf -> null.
library(survival)
invisible(Sys.setlocale("LC_COLLATE", "C"))

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.finite(x), sprintf("%.17g", x), "null")
}
vec <- function(x) { attr(x, "vec") <- TRUE; x }
esc <- function(s) paste0('"', gsub('"', '\\\\"', s), '"')
js <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      parts <- mapply(function(k, v) paste0(esc(k), ": ", js(v)), names(x), x)
      return(paste0("{", paste(parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, js, ""), collapse = ", "), "]"))
  }
  scalar <- length(x) == 1 && is.null(attr(x, "vec"))
  if (is.character(x) || is.factor(x)) {
    x <- as.character(x)
    if (scalar) return(esc(x))
    return(paste0("[", paste(esc(x), collapse = ", "), "]"))
  }
  if (scalar) return(num(x))
  paste0("[", paste(num(x), collapse = ", "), "]")
}
provenance <- list(
  generator = "analytics/tests/reference/make_regressions.R",
  R_version = R.version.string,
  survival_version = as.character(packageVersion("survival")))

km_fixture <- function(csv, group, file, note, status = "status") {
  d <- read.csv(file.path("datasets", csv))          # read.csv's typing, as a user
  call_fit <- paste0("survfit(Surv(time, ", status, ") ~ ", group, ", data = read.csv(\"", csv, "\"))")
  call_diff <- paste0("survdiff(Surv(time, ", status, ") ~ ", group, ", data = read.csv(\"", csv, "\"))")
  fit <- eval(parse(text = sub(paste0("read.csv(\"", csv, "\")"), "d", call_fit, fixed = TRUE)))
  sd <- eval(parse(text = sub(paste0("read.csv(\"", csv, "\")"), "d", call_diff, fixed = TRUE)))
  st <- rep(seq_along(fit$strata), fit$strata)
  tab <- summary(fit)$table
  strata <- lapply(seq_along(fit$strata), function(k) {
    i <- which(st == k)
    list(stratum = names(fit$strata)[k], n = tab[k, "records"], events = tab[k, "events"],
      median = list(estimate = tab[k, "median"], lower = tab[k, "0.95LCL"], upper = tab[k, "0.95UCL"]),
      time = vec(fit$time[i]), surv = vec(fit$surv[i]), std_err = vec(fit$std.err[i]),
      lower = vec(fit$lower[i]), upper = vec(fit$upper[i]))
  })
  df <- sum(sd$exp > 0) - 1     # print.survdiff's degrees of freedom
  out <- list(kind = "km_logrank", note = note,
    call = list(survfit = call_fit, survdiff = call_diff,
      df = "sum(fit$exp > 0) - 1 (print.survdiff)", p = "pchisq(chisq, df, lower.tail = FALSE)"),
    strata = strata,
    logrank = list(groups = vec(names(sd$n)), n = vec(as.numeric(sd$n)), observed = vec(sd$obs),
      expected = vec(sd$exp), chisq = sd$chisq, df = df,
      p = suppressWarnings(pchisq(sd$chisq, df, lower.tail = FALSE))),
    provenance = provenance)
  writeLines(js(out), file.path("expected", file))
}

set.seed(20261127)
# 1. A group column that read.csv types as double: R labels 100000 as "1e+05"
#    (as.character of a double); an integer column keeps "100000".
n <- 40
g_dbl <- sample(c("100000", "0.5", "2", "1e6"), n, replace = TRUE)
g_int <- sample(c("100000", "2", "-1"), n, replace = TRUE)
d1 <- data.frame(time = ceiling(rexp(n, 1 / 20)), status = rbinom(n, 1, 0.7), g = g_dbl, h = g_int)
write.csv(d1, "datasets/regr_numeric_labels.csv", row.names = FALSE, quote = FALSE)
km_fixture("regr_numeric_labels.csv", "g", "regr_km_double_labels.json",
  "group column typed double by read.csv: labels g=0.5, g=2, g=1e+05, g=1e+06")
km_fixture("regr_numeric_labels.csv", "h", "regr_km_integer_labels.json",
  "group column typed integer by read.csv: labels h=-1, h=2, h=100000")

# 2. A logical group column with T, TRUE, F, FALSE: read.csv makes one logical
#    column, two levels FALSE and TRUE.
g_lgl <- sample(c("T", "TRUE", "F", "FALSE"), n, replace = TRUE)
d2 <- data.frame(time = ceiling(rexp(n, 1 / 20)), status = rbinom(n, 1, 0.6), prior = g_lgl)
write.csv(d2, "datasets/regr_logical_group.csv", row.names = FALSE, quote = FALSE)
km_fixture("regr_logical_group.csv", "prior", "regr_km_logical_group.json",
  "T/TRUE and F/FALSE are one logical column: strata prior=FALSE, prior=TRUE")

# 3. Log-rank without events (df -1, p NA) and with the events' risk sets in one
#    group only (df 0, p = pchisq(0, 0, lower.tail = FALSE) = 1).
d3 <- data.frame(time = c(3, 5, 8, 2, 9, 12), status = c(0, 0, 0, 0, 0, 0), g = c("a", "a", "a", "b", "b", "b"))
write.csv(d3, "datasets/regr_logrank_no_events.csv", row.names = FALSE, quote = FALSE)
km_fixture("regr_logrank_no_events.csv", "g", "regr_logrank_no_events.json",
  "no events: print(survdiff) gives df -1 and p NA")
d4 <- data.frame(time = c(10, 11, 12, 1, 2, 3), status = c(1, 1, 0, 0, 0, 0), g = c("a", "a", "a", "b", "b", "b"))
write.csv(d4, "datasets/regr_logrank_one_group.csv", row.names = FALSE, quote = FALSE)
km_fixture("regr_logrank_one_group.csv", "g", "regr_logrank_one_group.json",
  "events only while one group is at risk: expected 0 in the other, df 0, p 1")

# 4. A Cox factor typed double by read.csv: term names f1e+05 as R's.
d5 <- data.frame(time = ceiling(rexp(60, 1 / 20)), status = rbinom(60, 1, 0.7),
  x = round(rnorm(60), 3), f = sample(c("100000", "0.5", "2"), 60, replace = TRUE))
write.csv(d5, "datasets/regr_cox_double_factor.csv", row.names = FALSE, quote = FALSE)
d5r <- read.csv("datasets/regr_cox_double_factor.csv")
fit <- coxph(Surv(time, status) ~ x + factor(f), data = d5r)
out <- list(kind = "cox", note = "factor levels of a double column: 0.5 (reference), 2, 1e+05",
  call = "coxph(Surv(time, status) ~ x + factor(f), data = read.csv(\"regr_cox_double_factor.csv\"))",
  terms = vec(sub("factor(f)", "f", names(coef(fit)), fixed = TRUE)),
  r_names = vec(names(coef(fit))), coef = vec(coef(fit)), se = vec(sqrt(diag(fit$var))),
  loglik = vec(fit$loglik), provenance = provenance)
writeLines(js(out), "expected/regr_cox_double_factor.json")

# 5. read.csv types a column over all its rows, before na.omit drops a row with
#    a missing time: a "1.5" in a dropped row makes g double (labels 1e+05), an
#    "unknown" in a dropped row makes h text (sorted "10" < "2" < "3").
d6 <- data.frame(time = ceiling(rexp(30, 1 / 20)), status = rbinom(30, 1, 0.7),
  g = sample(c("100000", "2"), 30, replace = TRUE), h = sample(c("2", "3", "10"), 30, replace = TRUE))
d6$time[c(4, 9)] <- NA
d6$g[4] <- "1.5"
d6$h[9] <- "unknown"
write.csv(d6, "datasets/regr_dropped_row_typing.csv", row.names = FALSE, quote = FALSE, na = "NA")
km_fixture("regr_dropped_row_typing.csv", "g", "regr_km_dropped_row_double.json",
  "g is double in R (1.5 on a row dropped for NA time): strata g=2, g=1e+05")
km_fixture("regr_dropped_row_typing.csv", "h", "regr_km_dropped_row_text.json",
  "h is character in R (unknown on a row dropped for NA time): strata h=10, h=2, h=3")

# 6. What R prints, for --format table (text fixtures; compared line by line,
#    trailing blanks trimmed, "Call:" lines skipped).
aml <- read.csv("datasets/aml.csv")
fit <- survfit(Surv(time, status) ~ x, data = aml)
writeLines(c(
  "# print(survfit(Surv(time, status) ~ x, data = aml)); print(summary(fit, times = c(0, 12, 24, 60), extend = TRUE)); print(survdiff(Surv(time, status) ~ x, data = aml))",
  capture.output(print(fit)),
  capture.output(print(summary(fit, times = c(0, 12, 24, 60), extend = TRUE))),
  capture.output(print(survdiff(Surv(time, status) ~ x, data = aml)))),
  "expected/regr_print_aml_by_x.txt")
vet <- read.csv("datasets/veteran.csv")   # celltype a character column: terms celltypelarge, ...
cx <- coxph(Surv(time, status) ~ trt + karno + celltype, data = vet)
writeLines(c(
  "# print(summary(coxph(Surv(time, status) ~ trt + karno + celltype, data = veteran)))",
  capture.output(print(summary(cx)))),
  "expected/regr_print_veteran_cox.txt")

# 7. R's Surv picks the 1/2 coding from max(status) over the whole column, before
#    na.omit: with every 2 on a row whose group is missing, the kept 1s are
#    censorings (we read them as 0/1 coding: all events).
d7 <- data.frame(time = c(4, 7, 9, 12, 15, 18, 21, 30, 33, 40),
  status = c(1, 1, 2, 1, 1, 2, 1, 1, 1, 1),
  g = c("a", "b", NA, "a", "b", NA, "a", "b", "a", "b"))
write.csv(d7, "datasets/regr_one_two_dropped.csv", row.names = FALSE, quote = FALSE, na = "NA")
km_fixture("regr_one_two_dropped.csv", "g", "regr_km_one_two_dropped.json",
  "status 1/2 with both 2s on rows dropped for a missing group: the kept 1s are censored")

# 8. --event-value / --censor-value compare as R's `status == V` on the typed
#    column: 1 matches 1.0 in a numeric column (we compared text: no events).
d8 <- data.frame(time = ceiling(rexp(40, 1 / 20)),
  status = sprintf("%.1f", sample(c(0, 1, 2), 40, replace = TRUE, prob = c(0.3, 0.4, 0.3))),
  g = sample(c("a", "b"), 40, replace = TRUE))
write.csv(d8, "datasets/regr_decimal_codes.csv", row.names = FALSE, quote = FALSE)
km_fixture("regr_decimal_codes.csv", "g", "regr_km_event_value_decimal.json",
  "status written 0.0/1.0/2.0; --event-value 1 is R's status == 1", status = "status == 1")
d8r <- read.csv("datasets/regr_decimal_codes.csv")
aj <- survfit(Surv(time, factor(status)) ~ 1, data = d8r)
out <- list(kind = "competing_risks", note = "status 0.0 censored (--censor-value 0), causes 1 and 2",
  call = "survfit(Surv(time, factor(status)) ~ 1, data = read.csv(\"regr_decimal_codes.csv\"))",
  states = vec(aj$states), time = vec(aj$time), n_risk = vec(aj$n.risk[, 1]),
  cif = lapply(2:3, function(j) vec(aj$pstate[, j])),
  std_err = lapply(2:3, function(j) vec(aj$std.err[, j])), provenance = provenance)
writeLines(js(out), "expected/regr_cuminc_censor_decimal.json")
