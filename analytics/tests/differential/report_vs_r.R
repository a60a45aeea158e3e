# What R's survival (and cmprsk, and binom.test) give from a report's ADaM files, written as
# long CSV rows for report_vs_r.py to compare with the report's summary.json.
#
#   Rscript report_vs_r.R REPORT_DIR OUT.csv
#
# REPORT_DIR is one dated report directory (the one holding tables/adtte.csv, tables/adrs.csv
# and summary.json). Only base R, survival and cmprsk: the calls a statistician would make.
suppressMessages({ library(survival); library(cmprsk) })
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
adtte <- read.csv(file.path(dir, "tables", "adtte.csv"), stringsAsFactors = FALSE,
                  na.strings = "")
adrs <- read.csv(file.path(dir, "tables", "adrs.csv"), stringsAsFactors = FALSE,
                 na.strings = "")
month <- 30.4375
marks <- c(6, 12, 24) * month
bys <- c("overall", "DISEASE", "PRODUCT", "ANTIGEN")
rows <- list()
put <- function(section, param, by, stratum, field, value) {
  rows[[length(rows) + 1]] <<- data.frame(section = section, param = param, by = by,
    stratum = stratum, field = field, value = ifelse(is.finite(value), value, NA))
}
formula_for <- function(lhs, by) {
  as.formula(paste(lhs, if (by == "overall") "1" else by, sep = " ~ "))
}
# survfit names strata "BY=level", and none when there is one level (EFS by disease: B-ALL).
stratum_names <- function(fit, by, d) {
  if (!is.null(fit$strata)) names(fit$strata)
  else if (by == "overall") "all"
  else paste0(by, "=", unique(d[[by]]))
}

# Kaplan-Meier: median with its CI, landmark rates, log-rank.
# The summary's time-to-event parameters (adtte.csv has more: CIR, NRM, BCAPL, PERSLOSS).
for (param in intersect(c("OS", "PFS", "EFS", "DOR"), unique(adtte$PARAMCD))) {
  d <- adtte[adtte$PARAMCD == param, ]
  for (by in bys) {
    fit <- survfit(formula_for("Surv(AVAL, CNSR == 0)", by), data = d)
    tab <- summary(fit)$table
    if (is.null(dim(tab))) tab <- t(as.matrix(tab))
    names_ <- stratum_names(fit, by, d)
    for (k in seq_along(names_)) {
      put("km", param, by, names_[k], "n", tab[k, "records"])
      put("km", param, by, names_[k], "events", tab[k, "events"])
      put("km", param, by, names_[k], "median_days", tab[k, "median"])
      put("km", param, by, names_[k], "median_lower_days", tab[k, "0.95LCL"])
      put("km", param, by, names_[k], "median_upper_days", tab[k, "0.95UCL"])
    }
    s <- summary(fit, times = marks, extend = TRUE)
    st <- if (is.null(s$strata)) rep(names_, length(s$time)) else as.character(s$strata)
    for (i in seq_along(s$time)) {
      m <- match(s$time[i], marks)
      put("km", param, by, st[i], paste0("n_risk_", m), s$n.risk[i])
      put("km", param, by, st[i], paste0("surv_", m), s$surv[i])
      put("km", param, by, st[i], paste0("lower_", m), s$lower[i])
      put("km", param, by, st[i], paste0("upper_", m), s$upper[i])
    }
    if (by != "overall" && length(names_) > 1) {
      sd <- survdiff(formula_for("Surv(AVAL, CNSR == 0)", by), data = d)
      df <- sum(sd$exp > 0) - 1
      put("km", param, by, "test", "log_rank_chisq", sd$chisq)
      put("km", param, by, "test", "log_rank_p", pchisq(sd$chisq, df, lower.tail = FALSE))
    }
  }
}

# Median follow-up: reverse Kaplan-Meier on the OS rows (censoring is the event).
os <- adtte[adtte$PARAMCD == "OS", ]
rev <- summary(survfit(Surv(AVAL, CNSR != 0) ~ 1, data = os))$table
put("follow_up", "OS", "overall", "all", "median_days", rev["median"])
put("follow_up", "OS", "overall", "all", "lower_days", rev["0.95LCL"])
put("follow_up", "OS", "overall", "all", "upper_days", rev["0.95UCL"])

# Relapse and non-relapse mortality as competing risks (Aalen-Johansen), Gray's test.
cir <- adtte[adtte$PARAMCD == "CIR", ]
# CRCAUSE names the event (relapse, or death without relapse as the competing event); empty
# is censored. CNSR is 0 only for the parameter's own event, the relapse.
cir$cause <- factor(ifelse(is.na(cir$CRCAUSE), "censored", cir$CRCAUSE),
                    levels = c("censored", "RELAPSE", "NRM"))
for (by in bys) {
  fit <- survfit(formula_for("Surv(AVAL, cause)", by), data = cir)
  s <- summary(fit, times = marks, extend = TRUE)
  one <- stratum_names(fit, by, cir)
  st <- if (is.null(s$strata)) rep(one, length(s$time)) else as.character(s$strata)
  for (i in seq_along(s$time)) {
    m <- match(s$time[i], marks)
    for (cause in c("RELAPSE", "NRM")) {
      j <- match(cause, fit$states)
      key <- tolower(ifelse(cause == "RELAPSE", "relapse", "nrm"))
      put("cif", key, by, st[i], paste0("cif_", m), s$pstate[i, j])
      put("cif", key, by, st[i], paste0("lower_", m), s$lower[i, j])
      put("cif", key, by, st[i], paste0("upper_", m), s$upper[i, j])
    }
  }
  if (by != "overall") {
    g <- cuminc(cir$AVAL, as.character(cir$cause), cir[[by]], cencode = "censored")
    # cmprsk signals a singular score variance (a group of one patient without an event) with
    # stat = -1, and then pv = 1 means nothing; the report says null for "not computable".
    gray_p <- function(cause) {
      if (!(cause %in% rownames(g$Tests)) || g$Tests[cause, "stat"] < 0) NA
      else g$Tests[cause, "pv"]
    }
    put("cif", "relapse", by, "test", "gray_p", gray_p("RELAPSE"))
    put("cif", "nrm", by, "test", "gray_p", gray_p("NRM"))
  }
}

# Best overall response: ORR and CR rate with exact (Clopper-Pearson) intervals.
bor <- adrs[adrs$PARAMCD == "BOR", ]
for (by in c("overall", "DISEASE", "PRODUCT")) {
  levels_ <- if (by == "overall") "all" else sort(unique(bor[[by]]))
  for (level in levels_) {
    d <- if (by == "overall") bor else bor[bor[[by]] == level, ]
    for (flag in c("RSPFL", "CRFL")) {
      x <- sum(d[[flag]] == "Y", na.rm = TRUE)
      ci <- binom.test(x, nrow(d))$conf.int
      key <- ifelse(flag == "RSPFL", "orr", "cr")
      put("response", key, by, level, "x", x)
      put("response", key, by, level, "n", nrow(d))
      put("response", key, by, level, "lower", ci[1])
      put("response", key, by, level, "upper", ci[2])
    }
  }
}

write.csv(do.call(rbind, rows), args[2], row.names = FALSE, na = "NA")
