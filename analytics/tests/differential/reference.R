# R side of the differential harness (see README.md). Not run by cargo test.
#
#   Rscript reference.R WORKDIR
#
# For every WORKDIR/<case>/spec.dcf (written by compare.py) computes what R
# (survival, cmprsk) gives on WORKDIR/<case>/data.csv and writes
# WORKDIR/<case>/r.json in the shape of the analytics CLI's JSON. An R error is
# written as {"error": "..."}; R warnings of coxph are kept in "warnings".
# Numbers are written with %.17g (round trip); NA/NaN/Inf -> null.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))   # factor() level order = code-point order

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.finite(x), sprintf("%.17g", x), "null")
}
vec <- function(x) { attr(x, "vec") <- TRUE; x }
esc <- function(s) paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", s)), '"')
js <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)) && all(names(x) != "")) {
      parts <- mapply(function(k, v) paste0(esc(k), ": ", js(v)), names(x), x)
      return(paste0("{", paste(parts, collapse = ", "), "}"))
    }
    return(paste0("[", paste(vapply(x, js, ""), collapse = ", "), "]"))
  }
  if (is.character(x) || is.factor(x)) {
    scalar <- length(x) == 1 && is.null(attr(x, "vec"))
    if (length(x) == 0) return("[]")
    x <- as.character(x)
    if (scalar) return(esc(x))
    return(paste0("[", paste(esc(x), collapse = ", "), "]"))
  }
  if (is.logical(x) && length(x) == 1 && is.null(attr(x, "vec")) && !is.na(x))
    return(if (x) "true" else "false")
  if (length(x) == 1 && is.null(attr(x, "vec"))) return(num(x))
  paste0("[", paste(num(x), collapse = ", "), "]")
}

split_list <- function(s) if (is.null(s) || is.na(s) || s == "") character(0) else strsplit(s, ",", fixed = TRUE)[[1]]

# read.csv's own typing (logical TRUE/FALSE/T/F, numbers, text), NA and "" missing
read_data <- function(path) {
  d <- read.csv(path, colClasses = "character", na.strings = character(0), check.names = FALSE)
  for (k in names(d)) {
    v <- trimws(d[[k]])
    v[v == "" | v == "NA"] <- NA
    d[[k]] <- type.convert(v, as.is = TRUE, na.strings = "NA")
  }
  d
}

# R's factor() of a read.csv column; with `levels_first` moved to the front
as_factor <- function(v, ref = NA) {
  f <- factor(v)
  if (!is.na(ref)) f <- relevel(f, ref = ref)
  f
}

status_of <- function(v, event_value) {
  if (!is.na(event_value)) return(as.character(v) == event_value)
  v   # Surv() applies its own rule: logical, 0/1, or 1/2
}

# Surv() evaluated on the whole column, as model.frame does before na.omit
# (the 1/2 coding is chosen from max(status) over every row)
full_status <- function(d, spec) {
  s <- Surv(as.numeric(d[[spec$time]]), status_of(d[[spec$event]], spec$event_value))
  s[, "status"]
}

strata_index <- function(fit) {
  if (is.null(fit$strata)) list(all = seq_along(fit$time)) else {
    st <- rep(seq_along(fit$strata), fit$strata)
    setNames(lapply(seq_along(fit$strata), function(k) which(st == k)), names(fit$strata))
  }
}

km_case <- function(spec, d) {
  cols <- c(spec$time, spec$event, if (!is.na(spec$group)) spec$group)
  d$.status <- full_status(d, spec)
  dd <- d[complete.cases(d[, cols, drop = FALSE]), , drop = FALSE]
  dd$.time <- as.numeric(dd[[spec$time]])
  ct <- spec$conf_type
  cl <- as.numeric(spec$conf_level)
  times <- as.numeric(split_list(spec$times))
  if (!is.na(spec$group)) {
    dd$.g <- as_factor(dd[[spec$group]])
    f <- as.formula(paste0("Surv(.time, .status) ~ `", spec$group, "`"))
    dd[[spec$group]] <- dd$.g
  } else {
    f <- Surv(.time, .status) ~ 1
  }
  fit <- survfit(f, data = dd, conf.type = ct, conf.int = cl)
  idx <- strata_index(fit)
  tab <- summary(fit)$table
  if (is.null(dim(tab))) tab <- matrix(tab, nrow = 1, dimnames = list("all", names(tab)))
  lcl <- grep("LCL$", colnames(tab))
  ucl <- grep("UCL$", colnames(tab))
  sm <- if (length(times)) summary(fit, times = times, extend = TRUE) else NULL
  strata <- lapply(seq_along(idx), function(k) {
    i <- idx[[k]]
    s <- list(stratum = names(idx)[k], n = tab[k, "records"], events = tab[k, "events"],
      median = list(estimate = tab[k, "median"], lower = tab[k, lcl], upper = tab[k, ucl]),
      table = list(time = vec(fit$time[i]), n_risk = vec(fit$n.risk[i]),
        n_event = vec(fit$n.event[i]), n_censor = vec(fit$n.censor[i]),
        surv = vec(fit$surv[i]), std_err = vec(fit$std.err[i]),
        lower = vec(fit$lower[i]), upper = vec(fit$upper[i])))
    if (!is.null(sm)) {
      j <- if (is.null(sm$strata)) seq_along(sm$time) else which(as.character(sm$strata) == names(idx)[k])
      s$at <- list(time = vec(sm$time[j]), surv = vec(sm$surv[j]), std_err = vec(sm$std.err[j]),
        lower = vec(sm$lower[j]), upper = vec(sm$upper[j]), n_risk = vec(sm$n.risk[j]),
        n_event = vec(sm$n.event[j]), n_censor = vec(sm$n.censor[j]))
    }
    s
  })
  out <- list(conf_type = ct, conf_level = cl, n_dropped = nrow(d) - nrow(dd), strata = strata)
  if (!is.na(spec$group)) {
    sd <- survdiff(f, data = dd)
    df <- sum(sd$exp > 0) - 1
    out$logrank <- list(groups = vec(names(sd$n)), n = vec(as.numeric(sd$n)),
      observed = vec(sd$obs), expected = vec(sd$exp), chisq = sd$chisq, df = df,
      p = pchisq(sd$chisq, df, lower.tail = FALSE))
  }
  out
}

cox_case <- function(spec, d) {
  covs <- split_list(spec$covariates)
  facs <- split_list(spec$factors)          # COL or COL:REF
  fac_col <- sub(":.*$", "", facs)
  fac_ref <- ifelse(grepl(":", facs), sub("^[^:]*:", "", facs), NA)
  cols <- c(spec$time, spec$event, covs)
  d$.status <- full_status(d, spec)
  dd <- d[complete.cases(d[, cols, drop = FALSE]), , drop = FALSE]
  dd$.time <- as.numeric(dd[[spec$time]])
  for (k in seq_along(fac_col)) dd[[fac_col[k]]] <- as_factor(dd[[fac_col[k]]], fac_ref[k])
  f <- as.formula(paste("Surv(.time, .status) ~", paste0("`", covs, "`", collapse = " + ")))
  warns <- character(0)
  fit <- withCallingHandlers(
    coxph(f, data = dd, ties = spec$ties),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  cl <- as.numeric(spec$conf_level)
  s <- summary(fit, conf.int = cl)
  beta <- coef(fit)
  se <- sqrt(diag(fit$var))
  z <- beta / se
  full <- !is.na(beta)
  se_all <- rep(NA_real_, length(beta)); se_all[full] <- se[seq_len(sum(full))]
  if (length(se) == length(beta)) se_all <- se
  z <- beta / se_all
  zc <- qnorm((1 + cl) / 2)
  terms <- lapply(seq_along(beta), function(j) list(term = names(beta)[j], coef = beta[j],
    hr = exp(beta[j]), se = se_all[j], z = z[j], p = pchisq(z[j]^2, 1, lower.tail = FALSE),
    hr_lower = exp(beta[j] - zc * se_all[j]), hr_upper = exp(beta[j] + zc * se_all[j])))
  # what summary(fit) prints, to check the above
  printed <- s$coefficients
  cc <- fit$concordance
  test <- function(t) list(stat = t[["test"]], df = t[["df"]], p = t[["pvalue"]])
  list(n = fit$n, events = fit$nevent, n_dropped = nrow(d) - nrow(dd), ties = spec$ties,
    conf_level = cl, coefficients = terms,
    printed = list(coef = vec(printed[, "coef"]), se = vec(printed[, "se(coef)"]),
      p = vec(printed[, "Pr(>|z|)"]), hr_lower = vec(s$conf.int[, 3]), hr_upper = vec(s$conf.int[, 4])),
    loglik_null = fit$loglik[1], loglik = fit$loglik[2],
    lr_test = test(s$logtest), score_test = test(s$sctest),
    # summary() rounds the Wald statistic to 2 digits; the fit keeps it whole
    wald_test = list(stat = fit$wald.test, df = s$waldtest[["df"]],
      p = pchisq(fit$wald.test, s$waldtest[["df"]], lower.tail = FALSE)),
    concordance = list(c = cc[["concordance"]], se = cc[["std"]], concordant = cc[["concordant"]],
      discordant = cc[["discordant"]], tied_x = cc[["tied.x"]], tied_y = cc[["tied.y"]],
      tied_xy = cc[["tied.xy"]]),
    means = vec(fit$means), iterations = fit$iter, warnings = vec(warns))
}

cuminc_case <- function(spec, d) {
  cols <- c(spec$time, spec$event, if (!is.na(spec$group)) spec$group)
  dd <- d[complete.cases(d[, cols, drop = FALSE]), , drop = FALSE]
  dd$.time <- as.numeric(dd[[spec$time]])
  ev <- dd[[spec$event]]
  cens <- spec$censor_value
  others <- setdiff(unique(ev), type.convert(cens, as.is = TRUE))
  others <- levels(factor(others))
  dd$.status <- factor(as.character(ev), levels = c(cens, others))
  ct <- spec$conf_type
  cl <- as.numeric(spec$conf_level)
  times <- as.numeric(split_list(spec$times))
  if (!is.na(spec$group)) {
    dd[[spec$group]] <- as_factor(dd[[spec$group]])
    f <- as.formula(paste0("Surv(.time, .status) ~ `", spec$group, "`"))
  } else f <- Surv(.time, .status) ~ 1
  fit <- survfit(f, data = dd, conf.type = ct, conf.int = cl)
  causes <- fit$states[-1]
  idx <- strata_index(fit)
  strata <- lapply(seq_along(idx), function(k) {
    i <- idx[[k]]
    fk <- if (is.null(fit$strata)) fit else fit[k, ]
    s <- list(stratum = names(idx)[k], n = fit$n[k],
      table = list(time = vec(fit$time[i]), n_risk = vec(fit$n.risk[i, 1]),
        causes = lapply(seq_along(causes), function(j) list(cause = causes[j],
          n_event = vec(fit$n.event[i, j + 1]),
          cif = vec(fit$pstate[i, j + 1]), std_err = vec(fit$std.err[i, j + 1]),
          lower = vec(fit$lower[i, j + 1]), upper = vec(fit$upper[i, j + 1])))))
    if (length(times)) {
      sm <- summary(fk, times = times, extend = TRUE)
      s$at <- list(time = vec(sm$time), n_risk = vec(sm$n.risk[, 1]),
        causes = lapply(seq_along(causes), function(j) list(cause = causes[j],
          cif = vec(sm$pstate[, j + 1]), std_err = vec(sm$std.err[, j + 1]),
          lower = vec(sm$lower[, j + 1]), upper = vec(sm$upper[, j + 1]))))
    }
    s
  })
  out <- list(conf_type = ct, conf_level = cl, n_dropped = nrow(d) - nrow(dd),
    censor_value = cens, strata = strata)
  if (!is.na(spec$group)) {
    g <- dd[[spec$group]]
    ci <- tryCatch(cuminc(dd$.time, ev, g, cencode = type.convert(cens, as.is = TRUE)),
      error = function(e) e)
    if (inherits(ci, "error")) {
      # cmprsk fails on a NaN variance (a group's curve reaching 0): no statistic
      out$gray <- lapply(causes, function(k) list(cause = k, stat = NA, df = nlevels(g) - 1,
        p = NA, cmprsk_error = conditionMessage(ci)))
      return(out)
    }
    tests <- ci$Tests
    out$gray <- lapply(seq_len(nrow(tests)), function(r) list(cause = rownames(tests)[r],
      # cmprsk marks a singular variance with stat = -1 (we: null); any other
      # negative value is its real (indefinite-variance) result and is compared
      stat = if (tests[r, "stat"] == -1) NA else tests[r, "stat"], df = tests[r, "df"],
      p = if (tests[r, "stat"] == -1) NA else pchisq(tests[r, "stat"], tests[r, "df"], lower.tail = FALSE),
      p_cmprsk = tests[r, "pv"]))
  }
  out
}

args <- commandArgs(trailingOnly = TRUE)
work <- args[1]
cases <- list.dirs(work, recursive = FALSE)
if (length(args) > 1) cases <- file.path(work, args[-1])
fields <- c("kind", "time", "event", "event_value", "group", "conf_type", "conf_level", "times",
  "covariates", "factors", "ties", "censor_value")
for (dir in cases) {
  spec_file <- file.path(dir, "spec.dcf")
  if (!file.exists(spec_file)) next
  sp <- read.dcf(spec_file, all = TRUE)
  spec <- setNames(lapply(fields, function(f) if (f %in% names(sp)) as.character(sp[[f]][1]) else NA_character_), fields)
  res <- tryCatch({
    d <- read_data(file.path(dir, "data.csv"))
    switch(spec$kind, survival = km_case(spec, d), cox = cox_case(spec, d),
      cuminc = cuminc_case(spec, d))
  }, error = function(e) list(error = conditionMessage(e)))
  writeLines(js(res), file.path(dir, "r.json"))
}
