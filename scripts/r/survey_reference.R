#!/usr/bin/env Rscript
# Reference values for tests/test_design.py, from R's survey package (Lumley).
#
# Data:
#   - the survey package's own example data `api` (California Academic Performance Index, 2000;
#     apistrat: stratified by school type, apiclus1: one-stage cluster sample of districts,
#     apisrs: simple random sample; apipop: the population of 6194 schools they were drawn from);
#   - a seeded synthetic design with 4 strata, 3-6 PSUs per stratum (ids repeated across strata,
#     so nest = TRUE), unequal weights and fpc given as population PSU counts and as fractions.
#
# Writes, under tests/fixtures/:
#   r_survey_apistrat.csv, r_survey_apiclus1.csv, r_survey_apisrs.csv, r_survey_synthetic.csv
#       the rows used (selected columns), so the Python tests use exactly the same data
#   r_survey_reference.csv   design, call, domain, level, stat, value: every reference value with
#                            the R call that produced it
#   r_survey_raked_weights.csv  weights after rake() (design, row, weight)
#   r_survey_margins.json    the population margins used for raking
# and, for notebooks/07-weighting-a-survey.ipynb, notebooks/data/apistrat.csv and
# notebooks/data/apipop_margins.csv (population counts by school type, sch.wide and awards).
#
# Run from the repository root:  Rscript scripts/r/survey_reference.R
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")

out_dir <- file.path("tests", "fixtures")
stopifnot(dir.exists(out_dir))
fmt <- function(x) sprintf("%.17g", x)

data(api)
keep <- c("snum", "dnum", "stype", "pw", "fpc", "api00", "api99", "enroll", "meals",
          "sch.wide", "awards", "comp.imp", "yr.rnd")
write.csv(apistrat[, keep], file.path(out_dir, "r_survey_apistrat.csv"), row.names = FALSE)
write.csv(apiclus1[, keep], file.path(out_dir, "r_survey_apiclus1.csv"), row.names = FALSE)
write.csv(apisrs[, keep], file.path(out_dir, "r_survey_apisrs.csv"), row.names = FALSE)

# ---- synthetic design (seeded) ---------------------------------------------------------------
set.seed(20240611)
npsu <- c(3, 5, 4, 6)
Npsu <- c(10, 40, 25, 60)
rows <- list()
for (h in seq_along(npsu)) {
  for (j in seq_len(npsu[h])) {
    m <- sample(4:12, 1)
    u <- rnorm(1, 0, 0.7)
    a <- sample(c("a1", "a2", "a3"), m, replace = TRUE, prob = c(0.2 + 0.1 * h, 0.4, 0.3))
    pb <- ifelse(a == "a1", 0.45, ifelse(a == "a2", 0.25, 0.15))
    b <- ifelse(runif(m) < pb, "u", sample(c("v", "w", "x"), m, replace = TRUE))
    rows[[length(rows) + 1]] <- data.frame(
      stratum = paste0("s", h), psu = j,
      w = round(Npsu[h] / npsu[h] * 20 * runif(m, 0.6, 1.6), 3),
      N_psu = Npsu[h], frac = npsu[h] / Npsu[h],
      y = round(10 + 2 * h + 3 * u + rnorm(m, 0, 2), 4),
      x = round(5 + h + rexp(m), 4),
      bin = as.integer(runif(m) < plogis(-0.5 + 0.3 * h + u)),
      a = a, b = b)
  }
}
syn <- do.call(rbind, rows)
write.csv(syn, file.path(out_dir, "r_survey_synthetic.csv"), row.names = FALSE)

designs <- list(
  apistrat = 'svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)',
  apiclus1 = 'svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)',
  apiclus1_noweights = 'svydesign(id = ~dnum, fpc = ~fpc, data = apiclus1)',
  apisrs = 'svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = apisrs)',
  apiclus1_nofpc = 'svydesign(id = ~dnum, weights = ~pw, data = apiclus1)',
  synthetic = 'svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~N_psu, nest = TRUE, data = syn)',
  synthetic_frac = 'svydesign(id = ~psu, strata = ~stratum, weights = ~w, fpc = ~frac, nest = TRUE, data = syn)'
)
# variables per data set: numeric, second numeric, binary indicator, domain, crosstab row/col
vars <- list(
  api = list(num = "api00", num2 = "enroll", bin = 'sch.wide == "Yes"', by = "stype",
             row = "stype", col = "awards"),
  syn = list(num = "y", num2 = "x", bin = "bin == 1", by = "stratum", row = "a", col = "b")
)
methods <- c("logit", "likelihood", "asin", "beta", "mean", "xlogit")

out <- list()
add <- function(design, call, stat, value, domain = "", level = "") {
  out[[length(out) + 1]] <<- data.frame(design = design, call = call, domain = domain,
                                        level = level, stat = stat, value = fmt(value))
}
run <- function(txt) eval(parse(text = txt), envir = globalenv())
# R's profile-likelihood interval fails where the profile cannot be interpolated (a domain with
# a share of 0 or 1): such calls are reported and left out of the fixture.
try_run <- function(txt) tryCatch(run(txt), error = function(e) {
  message("left out: ", txt, ": ", conditionMessage(e)); NULL
})

# every reference value on one design (an svydesign object, plain or raked)
reference_values <- function(dname, design, v, cross = TRUE) {
  assign("d", design, envir = globalenv())
  add(dname, "degf(d)", "df", degf(d))
  add(dname, "sum(weights(d))", "weight_sum", sum(weights(d)))
  call <- sprintf("svymean(~%s, d, deff = TRUE)", v$num)
  m <- run(call)
  add(dname, call, "estimate", coef(m)); add(dname, call, "se", SE(m))
  add(dname, call, "deff", deff(m))
  call <- sprintf("confint(svymean(~%s, d), df = degf(d))", v$num)
  ci <- run(call); add(dname, call, "ci_low", ci[1]); add(dname, call, "ci_high", ci[2])
  call <- sprintf("confint(svymean(~%s, d))", v$num)
  ci <- run(call); add(dname, call, "ci_low", ci[1]); add(dname, call, "ci_high", ci[2])
  call <- sprintf("svytotal(~%s, d, deff = TRUE)", v$num2)
  m <- run(call)
  add(dname, call, "estimate", coef(m)); add(dname, call, "se", SE(m))
  add(dname, call, "deff", deff(m))
  call <- sprintf("svymean(~as.numeric(%s), d, deff = TRUE)", v$bin)
  m <- run(call)
  add(dname, call, "estimate", coef(m)); add(dname, call, "se", SE(m))
  add(dname, call, "deff", deff(m))
  for (meth in methods) {
    call <- sprintf('svyciprop(~I(%s), d, method = "%s")', v$bin, meth)
    p <- try_run(call)
    if (is.null(p)) next
    ci <- attr(p, "ci")
    add(dname, call, "estimate", as.vector(p)); add(dname, call, "se", sqrt(attr(p, "var")))
    add(dname, call, "ci_low", ci[1]); add(dname, call, "ci_high", ci[2])
  }
  # svyciprop's "likelihood" interval interpolates a spline through the profile; this solves
  # the same profile equation exactly (uniroot), from the same svyglm fit, dispersion and scale
  call <- sprintf('profile root of svyglm(I(%s) ~ 1, d, family = quasibinomial)', v$bin)
  m <- run(sprintf("svyglm(I(%s) ~ 1, d, family = quasibinomial)", v$bin))
  lambda <- m$cov.unscaled[1, 1] / m$naive.cov[1, 1]
  cutoff <- qt(0.975, degf(d)) * sqrt(lambda)
  disp <- as.numeric(summary(m)$dispersion)
  yy <- m$y; wt <- m$prior.weights; b0 <- coef(m)[[1]]
  dev <- function(b) sum(binomial()$dev.resids(yy, rep(plogis(b), length(yy)), wt))
  z <- function(b) sign(b - b0) * sqrt(max(dev(b) - m$deviance, 0) / disp)
  se_b <- sqrt(m$cov.unscaled[1, 1])
  lo <- uniroot(function(b) z(b) + cutoff, c(b0 - 20 * se_b, b0), tol = 1e-14)$root
  hi <- uniroot(function(b) z(b) - cutoff, c(b0, b0 + 20 * se_b), tol = 1e-14)$root
  add(dname, call, "ci_low", plogis(lo)); add(dname, call, "ci_high", plogis(hi))
  call <- sprintf('svyciprop(~I(%s), d, method = "logit", level = 0.9)', v$bin)
  ci <- attr(run(call), "ci"); add(dname, call, "ci_low", ci[1]); add(dname, call, "ci_high", ci[2])
  # domains
  call <- sprintf("svyby(~%s, ~%s, d, svymean, deff = TRUE)", v$num, v$by)
  b <- run(call)
  for (i in seq_len(nrow(b))) {
    dom <- as.character(b[i, 1])
    add(dname, call, "estimate", coef(b)[i], dom); add(dname, call, "se", SE(b)[i], dom)
    add(dname, call, "deff", deff(b)[i], dom)
  }
  call <- sprintf("svyby(~%s, ~%s, d, svytotal, deff = TRUE)", v$num2, v$by)
  b <- run(call)
  for (i in seq_len(nrow(b))) {
    dom <- as.character(b[i, 1])
    add(dname, call, "estimate", coef(b)[i], dom); add(dname, call, "se", SE(b)[i], dom)
    add(dname, call, "deff", deff(b)[i], dom)
  }
  for (meth in methods) {
    call <- sprintf('svyby(~I(%s), ~%s, d, svyciprop, method = "%s", vartype = c("se", "ci"))',
                    v$bin, v$by, meth)
    b <- try_run(call)
    if (is.null(b)) next
    ci <- cbind(b[["ci_l"]], b[["ci_u"]])  # svyciprop's own intervals
    for (i in seq_len(nrow(b))) {
      dom <- as.character(b[i, 1])
      add(dname, call, "estimate", coef(b)[i], dom); add(dname, call, "se", SE(b)[i], dom)
      add(dname, call, "ci_low", ci[i, 1], dom); add(dname, call, "ci_high", ci[i, 2], dom)
    }
  }
  if (!cross) return(invisible())
  # weighted table: counts, cell shares, row and column shares
  call <- sprintf("svytable(~%s + %s, d)", v$row, v$col)
  tb <- run(call)
  for (r in rownames(tb)) for (cc in colnames(tb)) add(dname, call, "weighted_count", tb[r, cc], r, cc)
  rl <- sort(unique(as.character(get(v$row, d$variables))))
  cl <- sort(unique(as.character(get(v$col, d$variables))))
  for (r in rl) for (cc in cl) {
    call <- sprintf('svymean(~as.numeric(%s == "%s" & %s == "%s"), d, deff = TRUE)',
                    v$row, r, v$col, cc)
    m <- run(call)
    add(dname, call, "estimate", coef(m), r, cc); add(dname, call, "se", SE(m), r, cc)
    add(dname, call, "deff", deff(m), r, cc)
    call <- sprintf('svyciprop(~I(%s == "%s" & %s == "%s"), d, method = "logit")',
                    v$row, r, v$col, cc)
    ci <- attr(run(call), "ci")
    add(dname, call, "ci_low", ci[1], r, cc); add(dname, call, "ci_high", ci[2], r, cc)
  }
  for (cc in cl) {
    call <- sprintf('svyby(~I(%s == "%s"), ~%s, d, svyciprop, method = "logit", vartype = c("se", "ci"))',
                    v$col, cc, v$row)
    b <- run(call); ci <- cbind(b[["ci_l"]], b[["ci_u"]])  # svyciprop's own intervals
    for (i in seq_len(nrow(b))) {
      r <- as.character(b[i, 1])
      add(dname, call, "estimate", coef(b)[i], r, cc); add(dname, call, "se", SE(b)[i], r, cc)
      add(dname, call, "ci_low", ci[i, 1], r, cc); add(dname, call, "ci_high", ci[i, 2], r, cc)
    }
  }
  for (r in rl) {
    call <- sprintf('svyby(~I(%s == "%s"), ~%s, d, svyciprop, method = "logit", vartype = c("se", "ci"))',
                    v$row, r, v$col)
    b <- run(call); ci <- cbind(b[["ci_l"]], b[["ci_u"]])  # svyciprop's own intervals
    for (i in seq_len(nrow(b))) {
      cc <- as.character(b[i, 1])
      add(dname, call, "estimate", coef(b)[i], r, cc); add(dname, call, "se", SE(b)[i], r, cc)
      add(dname, call, "ci_low", ci[i, 1], r, cc); add(dname, call, "ci_high", ci[i, 2], r, cc)
    }
  }
  for (st in c("F", "Chisq")) {
    call <- sprintf('svychisq(~%s + %s, d, statistic = "%s")', v$row, v$col, st)
    t <- run(call)
    add(dname, call, "statistic", t$statistic); add(dname, call, "pvalue", t$p.value)
    for (nm in names(t$parameter)) add(dname, call, nm, t$parameter[[nm]])
  }
}

for (dn in names(designs)) {
  v <- if (startsWith(dn, "api")) vars$api else vars$syn
  reference_values(dn, run(designs[[dn]]), v, cross = !(dn %in% c("apiclus1_noweights")))
}

# ---- raking ----------------------------------------------------------------------------------
# Population margins: apipop is the population the api samples were drawn from.
margins <- list(
  stype = as.list(table(apipop$stype)),
  sch.wide = as.list(table(apipop$sch.wide)),
  awards = as.list(table(apipop$awards))
)
total_syn <- round(sum(syn$w))
pa <- round(total_syn * c(0.30, 0.40, 0.30)); pa[3] <- total_syn - sum(pa[1:2])
pb <- round(total_syn * c(0.25, 0.30, 0.25, 0.20)); pb[4] <- total_syn - sum(pb[1:3])
margins$a <- as.list(setNames(pa, c("a1", "a2", "a3")))
margins$b <- as.list(setNames(pb, c("u", "v", "w", "x")))
margin_df <- function(name) {
  df <- data.frame(names(margins[[name]]), unlist(margins[[name]]))
  names(df) <- c(name, "Freq")
  df
}
writeLines(
  paste0("{\n", paste(sprintf('  "%s": {%s}', names(margins), sapply(names(margins), function(nm)
    paste(sprintf('"%s": %s', names(margins[[nm]]), unlist(margins[[nm]])), collapse = ", "))),
    collapse = ",\n"), "\n}"),
  file.path(out_dir, "r_survey_margins.json"))

ctl <- "control = list(maxit = 1000, epsilon = 1e-13)"
raked <- list(
  apiclus1_raked = list(base = "apiclus1", vars = c("stype", "sch.wide")),
  apistrat_raked = list(base = "apistrat", vars = c("sch.wide", "awards")),
  synthetic_raked = list(base = "synthetic", vars = c("a", "b"))
)
wout <- list()
for (rn in names(raked)) {
  r <- raked[[rn]]
  assign("d0", run(designs[[r$base]]), envir = globalenv())
  for (nm in r$vars) assign(paste0("pop.", nm), margin_df(nm), envir = globalenv())
  rcall <- sprintf("rake(d0, list(%s), list(%s), %s)",
                   paste0("~", r$vars, collapse = ", "),
                   paste0("pop.", r$vars, collapse = ", "), ctl)
  dr <- run(rcall)
  v <- if (startsWith(rn, "api")) vars$api else vars$syn
  # a share that is not itself a raking margin (a margin's share has zero design variance)
  if (startsWith(rn, "api")) v$bin <- 'comp.imp == "Yes"'
  add(rn, "rake", "call", 0, level = rcall)
  assign("d", dr, envir = globalenv())
  wout[[rn]] <- data.frame(design = rn, row = seq_along(weights(dr)),
                           weight = fmt(weights(dr)))
  reference_values(rn, dr, v)
}
write.csv(do.call(rbind, wout), file.path(out_dir, "r_survey_raked_weights.csv"),
          row.names = FALSE, quote = FALSE)
res <- do.call(rbind, out)
write.csv(res, file.path(out_dir, "r_survey_reference.csv"), row.names = FALSE)
cat("wrote", nrow(res), "reference values with survey", as.character(packageVersion("survey")), "\n")

# ---- notebook data ---------------------------------------------------------------------------
nb_dir <- file.path("notebooks", "data")
if (dir.exists(nb_dir)) {
  write.csv(apistrat[, c("snum", "stype", "pw", "fpc", "api00", "api99", "enroll", "meals",
                         "ell", "sch.wide", "awards", "yr.rnd", "cname")],
            file.path(nb_dir, "apistrat.csv"), row.names = FALSE)
  pm <- rbind(
    data.frame(variable = "stype", level = names(table(apipop$stype)),
               population = as.vector(table(apipop$stype))),
    data.frame(variable = "sch.wide", level = names(table(apipop$sch.wide)),
               population = as.vector(table(apipop$sch.wide))),
    data.frame(variable = "awards", level = names(table(apipop$awards)),
               population = as.vector(table(apipop$awards))))
  # (apipop's yr.rnd is missing for 5320 of its 6194 schools, so it gives no margin)
  write.csv(pm, file.path(nb_dir, "apipop_margins.csv"), row.names = FALSE)
  write.csv(data.frame(variable = c("api00", "api99", "meals", "enroll"),
                       population_mean = c(mean(apipop$api00), mean(apipop$api99),
                                           mean(apipop$meals), mean(apipop$enroll, na.rm = TRUE))),
            file.path(nb_dir, "apipop_means.csv"), row.names = FALSE)
}
