#!/usr/bin/env Rscript
# Reference values for tests/test_replicate_models.py: svyglm, regTermTest and svyquantile on
# replicate-weight designs, from R's survey package (Lumley), 4.1.1.
#
# Data: the survey package's own example data (see tests/fixtures/README.md): apistrat and
# apiclus1 (the rows of tests/fixtures/r_survey_apistrat.csv and r_survey_apiclus1.csv, checked
# here), nhanes (tests/fixtures/r_models_nhanes.csv: 15 strata of two PSUs once the third PSU of
# stratum 86 is merged into its second, for BRR and Fay) and scd. The replicate designs:
#   strat_JKn    as.svrepdesign(dstrat, type = "JKn")
#   clus1_JK1    as.svrepdesign(dclus1, type = "JK1")
#   clus1_boot   the bootstrap replicates of apiclus1 that engine_reference.R drew with
#                set.seed(20261204) (tests/fixtures/r_engine_repweights_boot.csv), read back so
#                that R and Python use the same numbers; also with mse = TRUE
#   nhanes_BRR, nhanes_Fay   as.svrepdesign(dnhanes, type = "BRR" / "Fay", fay.rho = 0.3), with
#                R's hadamard(15) (exported)
#   scd_Fay      as.svrepdesign(scddes, type = "Fay", fay.rho = 0.3) (hadamard(3) is exported
#                by engine_reference.R)
#
# Writes, under tests/fixtures/:
#   r_replicate_models_reference.csv   fixture, call, term, stat, value: every reference value
#                                      with the R call that produced it
#   r_replicate_models_hadamard15.csv  R's hadamard(15), used by R for the nhanes half-samples
#
# and the calibrations of apiclus1 (JK1, bootstrap) to apipop's totals, as R calibrates
# replicate designs (each replicate's weights calibrated too).
#
# Run from the repository root:  Rscript scripts/r/replicate_models_reference.R
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
Sys.setlocale("LC_COLLATE", "C")
out_dir <- file.path("tests", "fixtures")
stopifnot(dir.exists(out_dir))
fmt <- function(x) sprintf("%.17g", x)

data(api)
data(nhanes)
data(scd)
same <- function(file, df) {
  saved <- read.csv(file.path(out_dir, file), stringsAsFactors = FALSE)
  stopifnot(nrow(saved) == nrow(df), all(saved$snum == df$snum),
            isTRUE(all.equal(saved$api00, df$api00)), isTRUE(all.equal(saved$pw, df$pw)))
}
same("r_survey_apistrat.csv", apistrat)
same("r_survey_apiclus1.csv", apiclus1)

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
# BRR needs two PSUs per stratum: stratum 86 has three, and its third is merged into its second
nhanes$psu2 <- pmin(nhanes$SDMVPSU, 2)
dnhanes <- svydesign(id = ~psu2, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE,
                     data = nhanes)
scddes <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)

# the bootstrap of engine_reference.R, redrawn to check the exported weights, then read back
set.seed(20261204)
boot0 <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
bootw <- as.matrix(read.csv(file.path(out_dir, "r_engine_repweights_boot.csv"))[, -1])
stopifnot(isTRUE(all.equal(unname(bootw), unname(weights(boot0, "analysis")), tolerance = 1e-14)))
h15 <- hadamard(15)
write.csv(h15, file.path(out_dir, "r_replicate_models_hadamard15.csv"), row.names = FALSE)

designs <- list(
  strat_JKn = as.svrepdesign(dstrat, type = "JKn"),
  clus1_JK1 = as.svrepdesign(dclus1, type = "JK1"),
  clus1_boot = svrepdesign(data = apiclus1, repweights = bootw, weights = ~pw,
                           type = "bootstrap", scale = boot0$scale),
  clus1_boot_mse = svrepdesign(data = apiclus1, repweights = bootw, weights = ~pw,
                               type = "bootstrap", scale = boot0$scale, mse = TRUE),
  nhanes_BRR = as.svrepdesign(dnhanes, type = "BRR"),
  nhanes_Fay = as.svrepdesign(dnhanes, type = "Fay", fay.rho = 0.3),
  scd_Fay = as.svrepdesign(scddes, type = "Fay", fay.rho = 0.3)
)
calls <- c(
  strat_JKn = 'as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat), type = "JKn")',
  clus1_JK1 = 'as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1), type = "JK1")',
  clus1_boot = 'svrepdesign(data = apiclus1, repweights = <r_engine_repweights_boot.csv>, weights = ~pw, type = "bootstrap", scale = boot$scale)',
  clus1_boot_mse = 'svrepdesign(data = apiclus1, repweights = <r_engine_repweights_boot.csv>, weights = ~pw, type = "bootstrap", scale = boot$scale, mse = TRUE)',
  nhanes_BRR = 'as.svrepdesign(svydesign(id = ~pmin(SDMVPSU, 2), strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes), type = "BRR")',
  nhanes_Fay = 'as.svrepdesign(svydesign(id = ~pmin(SDMVPSU, 2), strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes), type = "Fay", fay.rho = 0.3)',
  scd_Fay = 'as.svrepdesign(svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE), type = "Fay", fay.rho = 0.3)'
)

out <- list()
add <- function(fixture, call, term, stat, value) {
  out[[length(out) + 1]] <<- data.frame(fixture = fixture, call = call, term = term,
                                        stat = stat, value = fmt(value))
}
for (d in names(designs)) add(d, sprintf("degf(%s)", calls[[d]]), "", "degf", degf(designs[[d]]))

# ---- svyglm and regTermTest --------------------------------------------------------------------
# control: iterate until the deviance stops changing, for the full fit and (svyglm passes the
# same control on) every replicate fit, so that the coefficients are exact to rounding
ctl <- "control = glm.control(epsilon = 1e-30, maxit = 100)"
models <- list(
  gaussian_strat_JKn = list(design = "strat_JKn", formula = "api00 ~ meals + enroll + stype",
                            family = "gaussian()", terms = "~stype"),
  binomial_strat_JKn = list(design = "strat_JKn",
                            formula = 'I(sch.wide == "Yes") ~ meals + stype',
                            family = "quasibinomial()", terms = "~stype"),
  gaussian_clus1_JK1 = list(design = "clus1_JK1", formula = "api00 ~ meals + stype",
                            family = "gaussian()", terms = "~stype"),
  binomial_clus1_JK1 = list(design = "clus1_JK1", formula = 'I(awards == "Yes") ~ api99 + stype',
                            family = "quasibinomial()", terms = "~stype"),
  gaussian_clus1_JK1_subset = list(design = "clus1_JK1_subset",
                                   formula = "api00 ~ meals + stype", family = "gaussian()",
                                   terms = "~stype"),
  gaussian_clus1_boot = list(design = "clus1_boot", formula = "api00 ~ meals * stype",
                             family = "gaussian()", terms = "~meals:stype"),
  binomial_clus1_boot = list(design = "clus1_boot",
                             formula = 'I(awards == "Yes") ~ api99 + stype',
                             family = "quasibinomial()", terms = "~stype"),
  poisson_clus1_boot_mse = list(design = "clus1_boot_mse", formula = "enroll ~ meals + stype",
                                family = "quasipoisson()", terms = "~stype"),
  binomial_nhanes_BRR = list(design = "nhanes_BRR",
                             formula = "HI_CHOL ~ factor(race) + agecat + RIAGENDR",
                             family = "quasibinomial()", terms = "~agecat"),
  binomial_nhanes_Fay = list(design = "nhanes_Fay",
                             formula = "HI_CHOL ~ factor(race) + agecat + RIAGENDR",
                             family = "quasibinomial()", terms = "~factor(race)"),
  gaussian_scd_Fay = list(design = "scd_Fay", formula = "alive ~ arrests",
                          family = "gaussian()", terms = "~arrests")
)
design_of <- function(name) {
  if (name == "clus1_JK1_subset") return(subset(designs$clus1_JK1, comp.imp == "Yes"))
  designs[[name]]
}
call_of <- function(name) {
  if (name == "clus1_JK1_subset") return(sprintf('subset(%s, comp.imp == "Yes")', calls[["clus1_JK1"]]))
  calls[[name]]
}
for (name in names(models)) {
  m <- models[[name]]
  d <- design_of(m$design)
  call <- sprintf("svyglm(%s, design = %s, family = %s, %s)", m$formula, call_of(m$design),
                  m$family, ctl)
  fit <- suppressWarnings(eval(parse(
    text = sprintf("svyglm(%s, design = d, family = %s, %s)", m$formula, m$family, ctl))))
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
  add(name, call, "", "n", nobs(fit))
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

# ---- svyquantile (survey 4.1.1 on replicate designs) -------------------------------------------
# interval.type = "mean" (the default): Woodruff's interval from the replicate variance of the
# share below the quantile; "quantile": the replicate variance of the quantile itself.
# survey 4.1.1's svyquantile.svyrep.design does not hand "xlogit", "asin" or "beta" on to
# woodruffCI (it returns the "mean" interval for them), so those rows call survey's own
# woodruffCI with the method, as svyquantile does for a Taylor design.
# (scd is left out of the Woodruff cases: its shares at the quantiles are those of whole strata,
# whose replicate variance is zero up to rounding, so the interval would hang on the last bit.)
qs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
qcases <- list(
  list(design = "strat_JKn", var = "api00", args = ""),
  list(design = "strat_JKn", var = "api00", woodruff = "xlogit"),
  list(design = "strat_JKn", var = "api00", woodruff = "beta"),
  list(design = "clus1_JK1", var = "api00", args = ""),
  list(design = "clus1_JK1", var = "api00", args = ', qrule = "hf7"'),
  list(design = "clus1_boot", var = "api00", args = ""),
  list(design = "clus1_boot", var = "api00", args = ', interval.type = "quantile"'),
  list(design = "clus1_boot", var = "api00", args = ', interval.type = "quantile", qrule = "school"'),
  list(design = "clus1_boot_mse", var = "api00", args = ', interval.type = "quantile"'),
  list(design = "clus1_boot", var = "enroll", woodruff = "asin"),
  list(design = "scd_Fay", var = "arrests", args = ', interval.type = "quantile"')
)
for (case in qcases) {
  d <- designs[[case$design]]
  fixture <- paste("quantile", case$design, case$var, sep = "_")
  if (is.null(case$woodruff)) {
    call <- sprintf("svyquantile(~%s, %s, quantiles = c(%s)%s)", case$var, calls[[case$design]],
                    paste(qs, collapse = ", "), case$args)
    res <- suppressWarnings(eval(parse(text = sprintf(
      "svyquantile(~%s, d, quantiles = qs%s)", case$var, case$args))))[[1]]
  } else {
    call <- sprintf(paste0("svyquantile(~%s, %s, quantiles = c(%s)) with its interval from ",
                           "survey:::woodruffCI(x, qhat, p, design, qrule_math, alpha = 0.05, ",
                           "df = degf(design), method = \"%s\")"),
                    case$var, calls[[case$design]], paste(qs, collapse = ", "), case$woodruff)
    xi <- d$variables[[case$var]]
    est <- svyquantile(make.formula(case$var), d, quantiles = qs, ci = FALSE)[[1]]
    res <- t(sapply(seq_along(qs), function(i) {
      ci <- survey:::woodruffCI(xi, est[i], qs[i], d, survey:::qrule_math, alpha = 0.05,
                                df = degf(d), method = case$woodruff)
      c(est[i], ci, diff(ci) / (2 * qt(0.975, degf(d))))
    }))
  }
  for (i in seq_along(qs)) for (k in 1:4)
    add(fixture, call, as.character(qs[i]), c("estimate", "ci_low", "ci_high", "se")[k],
        res[i, k])
}
# domains: svyby subsets the replicate design (its degf recomputed on the domain)
for (dn in c("strat_JKn", "clus1_JK1")) {
  for (itype in c("mean", "quantile")) {
    d <- designs[[dn]]
    call <- sprintf('svyby(~api00, ~comp.imp, %s, svyquantile, quantiles = c(0.25, 0.5), interval.type = "%s", vartype = c("se", "ci"))',
                    calls[[dn]], itype)
    b <- suppressWarnings(svyby(~api00, ~comp.imp, d, svyquantile, quantiles = c(0.25, 0.5),
                                interval.type = itype, vartype = c("se", "ci")))
    for (i in seq_len(nrow(b))) for (q in c("0.25", "0.5")) {
      term <- paste(b[i, 1], q, sep = "|")
      fixture <- paste("quantile_by", dn, itype, sep = "_")
      for (stat in c("estimate", "se", "ci_low", "ci_high")) {
        prefix <- c(estimate = "", se = "se.", ci_low = "ci_l.", ci_high = "ci_u.")[[stat]]
        add(fixture, call, term, stat, b[i, paste0(prefix, "api00.", q)])
      }
    }
  }
}

# ---- calibrate (each replicate calibrated too) ---------------------------------------------------
pop <- c(`(Intercept)` = nrow(apipop), stypeH = sum(apipop$stype == "H"),
         stypeM = sum(apipop$stype == "M"), api99 = sum(apipop$api99))
stopifnot(all(pop == c(6194, 755, 1018, 3914069)))
cals <- list(
  cal_linear_JK1 = list(design = "clus1_JK1", args = ""),
  cal_bounded_JK1 = list(design = "clus1_JK1",
                         args = ", bounds = c(0.3, 3), epsilon = 1e-12, maxit = 200"),
  # (compress = FALSE: with its default NA, survey 4.1.1 stops on replicate weights that are not
  # stored compressed)
  cal_raking_boot = list(design = "clus1_boot",
                         args = ', calfun = "raking", epsilon = 1e-12, maxit = 200, compress = FALSE')
)
for (name in names(cals)) {
  cc <- cals[[name]]
  rcall <- sprintf("calibrate(%s, ~stype + api99, pop%s)", calls[[cc$design]], cc$args)
  cal <- eval(parse(text = sprintf("calibrate(designs[[cc$design]], ~stype + api99, pop%s)",
                                   cc$args)))
  add(name, sprintf("degf(%s)", rcall), "", "degf", degf(cal))
  add(name, sprintf("weights(%s)", rcall), "", "weight_sum", sum(weights(cal, "sampling")))
  for (est in c("svymean(~api00, %s)", "svytotal(~enroll, %s)")) {
    call <- sprintf(est, rcall)
    e <- eval(parse(text = sprintf(est, "cal")))
    add(name, call, names(coef(e)), "estimate", coef(e))
    add(name, call, names(coef(e)), "se", SE(e))
  }
  call <- sprintf("svyby(~api00, ~stype, %s, svymean)", rcall)
  e <- svyby(~api00, ~stype, cal, svymean)
  add(name, call, rownames(e), "estimate_by", coef(e))
  add(name, call, rownames(e), "se_by", SE(e))
  call <- sprintf("svyglm(api00 ~ meals, design = %s)", rcall)
  fit <- svyglm(api00 ~ meals, design = cal)
  add(name, call, names(coef(fit)), "glm_coef", coef(fit))
  add(name, call, names(coef(fit)), "glm_se", SE(fit))
  call <- sprintf("svyquantile(~api00, %s, quantiles = 0.5)", rcall)
  res <- svyquantile(~api00, cal, quantiles = 0.5)[[1]]
  for (k in 1:4) add(name, call, "0.5", c("q_estimate", "q_ci_low", "q_ci_high", "q_se")[k],
                     res[1, k])
}

ref <- do.call(rbind, out)
write.csv(ref, file.path(out_dir, "r_replicate_models_reference.csv"), row.names = FALSE)
cat("wrote", nrow(ref), "reference values\n")
