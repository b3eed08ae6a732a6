#!/usr/bin/env Rscript
# Reference values for tests/test_glm.py, tests/test_quantile.py, tests/test_calibrate.py and the
# R-rule trimming check in tests/test_weighting.py, from R's survey package (Lumley), 4.1.1.
#
# Data: the survey package's own `nhanes` data (exported to tests/fixtures/r_models_nhanes.csv)
# and its `api` example data (apistrat: stratified by school type;
# apiclus1: one-stage cluster sample of school districts; apipop: the 6194 schools they were
# drawn from). The rows used are those of tests/fixtures/r_survey_apistrat.csv and
# r_survey_apiclus1.csv (written by scripts/r/survey_reference.R from the same data); this
# script checks that they agree. The trimming check uses seeded synthetic weights.
#
# Writes, under tests/fixtures/:
#   r_models_reference.csv   fixture, call, term, stat, value: every reference value with the R
#                            call that produced it
#   r_models_calibrated_weights.csv   fixture, row, weight: weights after calibrate()
#   r_models_nhanes.csv      survey's nhanes data as R ships it
#   r_models_trim.csv        synthetic weights before and after trimWeights(strict = TRUE)
#
# Run from the repository root:  Rscript scripts/r/models_reference.R
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
out_dir <- file.path("tests", "fixtures")
stopifnot(dir.exists(out_dir))
fmt <- function(x) sprintf("%.17g", x)

data(api)
same <- function(file, df) {
  saved <- read.csv(file.path(out_dir, file), stringsAsFactors = FALSE)
  stopifnot(nrow(saved) == nrow(df), all(saved$snum == df$snum),
            isTRUE(all.equal(saved$api00, df$api00)), isTRUE(all.equal(saved$pw, df$pw)))
}
same("r_survey_apistrat.csv", apistrat)
same("r_survey_apiclus1.csv", apiclus1)

# nhanes (survey's NHANES 2009-10 extract): stratified, two PSUs per stratum, missing HI_CHOL
data(nhanes)
write.csv(nhanes, file.path(out_dir, "r_models_nhanes.csv"), row.names = FALSE)
dnhanes <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE,
                     data = nhanes)

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)

out <- list()
add <- function(fixture, call, term, stat, value) {
  out[[length(out) + 1]] <<- data.frame(fixture = fixture, call = call, term = term,
                                        stat = stat, value = fmt(value))
}

# ---- svyglm and regTermTest --------------------------------------------------------------------
models <- list(
  gaussian_strat = list(design = "dstrat", formula = "api00 ~ meals + enroll + stype",
                        family = "gaussian()", terms = "~stype"),
  gaussian_clus1 = list(design = "dclus1", formula = "api00 ~ meals * stype",
                        family = "gaussian()", terms = "~meals:stype"),
  binomial_strat = list(design = "dstrat", formula = 'I(sch.wide == "Yes") ~ meals + stype',
                        family = "quasibinomial()", terms = "~stype"),
  binomial_clus1 = list(design = "dclus1", formula = 'I(awards == "Yes") ~ api99 + stype',
                        family = "quasibinomial()", terms = "~stype"),
  poisson_strat = list(design = "dstrat", formula = "enroll ~ meals + stype",
                       family = "quasipoisson()", terms = "~stype"),
  binomial_nhanes = list(design = "dnhanes",
                         formula = "HI_CHOL ~ factor(race) + agecat + RIAGENDR",
                         family = "quasibinomial()", terms = "~agecat"),
  gaussian_clus1_subset = list(design = 'subset(dclus1, comp.imp == "Yes")',
                               formula = "api00 ~ meals + stype", family = "gaussian()",
                               terms = "~stype")
)
for (name in names(models)) {
  m <- models[[name]]
  call <- sprintf("svyglm(%s, design = %s, family = %s, control = glm.control(epsilon = 1e-30, maxit = 60))",
                  m$formula, m$design, m$family)
  fit <- eval(parse(text = call))
  ci <- confint(fit)
  for (j in seq_along(coef(fit))) {
    term <- names(coef(fit))[j]
    add(name, call, term, "coef", coef(fit)[j])
    add(name, call, term, "se", SE(fit)[j])
    add(name, call, term, "ci_low", ci[j, 1])
    add(name, call, term, "ci_high", ci[j, 2])
    add(name, call, term, "pvalue", summary(fit)$coefficients[j, 4])
  }
  add(name, call, "", "df_residual", fit$df.residual)
  v <- vcov(fit)
  for (a in seq_len(nrow(v))) for (b in seq_len(ncol(v)))
    add(name, call, paste(rownames(v)[a], colnames(v)[b], sep = "|"), "vcov", v[a, b])
  tcall <- sprintf("regTermTest(%s, %s)", call, m$terms)
  tt <- regTermTest(fit, as.formula(m$terms))
  add(name, tcall, m$terms, "F", tt$Ftest)
  add(name, tcall, m$terms, "df", tt$df)
  add(name, tcall, m$terms, "ddf", tt$ddf)
  add(name, tcall, m$terms, "pvalue", tt$p)
}

# ---- svyquantile (R >= 4.1 rules; Woodruff intervals, interval.type = "mean") -----------------
qs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
rules <- c("math", "school", "shahvaish", paste0("hf", 1:9))
for (dname in c("dstrat", "dclus1")) {
  for (rule in rules) {
    call <- sprintf("svyquantile(~api00, %s, quantiles = c(%s), qrule = \"%s\")",
                    dname, paste(qs, collapse = ", "), rule)
    res <- eval(parse(text = call))$api00
    for (i in seq_along(qs)) {
      add(paste0("quantile_", dname), call, paste(rule, qs[i], sep = "|"), "estimate", res[i, 1])
      add(paste0("quantile_", dname), call, paste(rule, qs[i], sep = "|"), "ci_low", res[i, 2])
      add(paste0("quantile_", dname), call, paste(rule, qs[i], sep = "|"), "ci_high", res[i, 3])
      add(paste0("quantile_", dname), call, paste(rule, qs[i], sep = "|"), "se", res[i, 4])
    }
  }
}
for (itype in c("xlogit", "asin", "beta")) {
  for (dname in c("dstrat", "dclus1")) {
    call <- sprintf('svyquantile(~api00, %s, quantiles = c(%s), interval.type = "%s")', dname,
                    paste(qs, collapse = ", "), itype)
    res <- eval(parse(text = call))$api00
    for (i in seq_along(qs)) for (k in 1:4)
      add(paste0("quantile_interval_", dname), call, paste(itype, qs[i], sep = "|"),
          c("estimate", "ci_low", "ci_high", "se")[k], res[i, k])
  }
}
call <- 'svyquantile(~enroll, dstrat, quantiles = 0.5, alpha = 0.1)'
res <- svyquantile(~enroll, dstrat, quantiles = 0.5, alpha = 0.1)$enroll
for (k in 1:4) add("quantile_level", call, "math|0.5", c("estimate", "ci_low", "ci_high", "se")[k],
                   res[1, k])
call <- 'svyby(~api00, ~stype, dclus1, svyquantile, quantiles = c(0.25, 0.5), ci = TRUE)'
res <- svyby(~api00, ~stype, dclus1, svyquantile, quantiles = c(0.25, 0.5), ci = TRUE)
for (h in rownames(res)) {
  for (q in c(0.25, 0.5)) {
    add("quantile_by", call, paste(h, q, sep = "|"), "estimate", res[h, paste0("api00.", q)])
    add("quantile_by", call, paste(h, q, sep = "|"), "se", res[h, paste0("se.api00.", q)])
  }
}

# ---- calibrate -----------------------------------------------------------------------------------
pop <- c(`(Intercept)` = nrow(apipop), stypeH = sum(apipop$stype == "H"),
         stypeM = sum(apipop$stype == "M"), api99 = sum(apipop$api99))
add("calibrate_totals", "population totals from apipop", names(pop), "total", pop)
weights_out <- list()
cals <- list(
  linear = 'calibrate(dclus1, ~stype + api99, pop)',
  linear_bounded = 'calibrate(dclus1, ~stype + api99, pop, bounds = c(0.5, 1.7), epsilon = 1e-12, maxit = 200)',
  raking = 'calibrate(dclus1, ~stype + api99, pop, calfun = "raking", epsilon = 1e-12, maxit = 200)',
  logit = 'calibrate(dclus1, ~stype + api99, pop, calfun = "logit", bounds = c(0.5, 2.2), epsilon = 1e-12, maxit = 200)',
  linear_strat = 'calibrate(dstrat, ~api99, c(`(Intercept)` = 6194, api99 = 3914069))'
)
for (name in names(cals)) {
  cal <- eval(parse(text = cals[[name]]))
  base <- if (grepl("dstrat", cals[[name]])) "strat" else "clus1"
  g <- weights(cal) / weights(if (base == "strat") dstrat else dclus1)
  add(paste0("calibrate_", name), cals[[name]], "", "g_min", min(g))
  add(paste0("calibrate_", name), cals[[name]], "", "g_max", max(g))
  weights_out[[name]] <- data.frame(fixture = name, row = seq_along(g) - 1,
                                    weight = fmt(weights(cal)))
  for (est in c("svymean(~api00, %s)", "svytotal(~enroll, %s)", "svymean(~api99, %s)")) {
    call <- sprintf(est, cals[[name]])
    e <- eval(parse(text = sprintf(est, "cal")))
    add(paste0("calibrate_", name), call, names(coef(e)), "estimate", coef(e))
    add(paste0("calibrate_", name), call, names(coef(e)), "se", SE(e))
  }
  call <- sprintf("svyby(~api00, ~stype, %s, svymean)", cals[[name]])
  e <- svyby(~api00, ~stype, cal, svymean)
  add(paste0("calibrate_", name), call, rownames(e), "estimate_by", coef(e))
  add(paste0("calibrate_", name), call, rownames(e), "se_by", SE(e))
  call <- sprintf("svyglm(api00 ~ meals, design = %s)", cals[[name]])
  fit <- svyglm(api00 ~ meals, design = cal)
  add(paste0("calibrate_", name), call, names(coef(fit)), "glm_coef", coef(fit))
  add(paste0("calibrate_", name), call, names(coef(fit)), "glm_se", SE(fit))
}
write.csv(do.call(rbind, weights_out), file.path(out_dir, "r_models_calibrated_weights.csv"),
          row.names = FALSE)

# ---- trimWeights(strict = TRUE) on seeded synthetic weights --------------------------------------
set.seed(20261204)
syn <- data.frame(w = round(exp(rnorm(300, 3, 0.9)), 4))
dsyn <- svydesign(id = ~1, weights = ~w, data = syn)
lower <- unname(quantile(syn$w, 0.15))
upper <- unname(quantile(syn$w, 0.8))
# both bounds bind, and rows raised to the lower bound are later lifted above it
trimmed <- trimWeights(dsyn, lower = lower, upper = upper, strict = TRUE)
write.csv(data.frame(w = fmt(syn$w), trimmed = fmt(weights(trimmed)), lower = fmt(lower),
                     upper = fmt(upper),
                     call = "trimWeights(svydesign(id = ~1, weights = ~w, data = syn), lower = <15% quantile of w>, upper = <80% quantile of w>, strict = TRUE)"),
          file.path(out_dir, "r_models_trim.csv"), row.names = FALSE)
cat("trimmed rows at lower:", sum(weights(trimmed) == lower), " above lower among raised:",
    sum(syn$w < lower & weights(trimmed) > lower), "\n")

write.csv(do.call(rbind, out), file.path(out_dir, "r_models_reference.csv"), row.names = FALSE)
cat("wrote", length(out), "reference values\n")
