#!/usr/bin/env Rscript
# Reference values for tests/test_design_engine.py, from R's survey package (Lumley), 4.1.1.
#
# Data: the survey package's own documented example data sets (see tests/fixtures/README.md):
#   apiclus2 (two-stage cluster sample of California schools: districts, then schools),
#   apistrat and apiclus1 (already exported by survey_reference.R as r_survey_*.csv),
#   mu284 (two-stage sample of Swedish municipalities), election_pps (PPS sample of US counties,
#   2004 election), scd (cardiac arrests in Seattle; with the BRR replicate weights of its help
#   page).
#
# Writes, under tests/fixtures/:
#   r_engine_apiclus2.csv, r_engine_mu284.csv, r_engine_election_pps.csv, r_engine_scd.csv
#       the data sets (selected columns)
#   r_engine_repweights_boot.csv, r_engine_repweights_jkn.csv, r_engine_rscales_jkn.csv
#                            analysis weights R made (bootstrap of apiclus1, seeded; JKn of
#                            apistrat) and the JKn rscales
#   r_engine_hadamard.csv    R's hadamard(3), used by R for the BRR replicates of scd
#   r_engine_reference.csv   design, call, domain, level, stat, value: every reference value with
#                            the R call that produced it
#
# Run from the repository root:  Rscript scripts/r/engine_reference.R
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
Sys.setlocale("LC_COLLATE", "C")

out_dir <- file.path("tests", "fixtures")
stopifnot(dir.exists(out_dir))

data(api)
data(mu284)
data(election)
data(scd)
apiclus2$fpc2 <- as.vector(apiclus2$fpc2)
clus2_keep <- c("cname", "dnum", "snum", "fpc1", "fpc2", "pw", "api00", "api99", "enroll",
                "stype", "sch.wide", "awards", "comp.imp", "meals")
write.csv(apiclus2[, clus2_keep], file.path(out_dir, "r_engine_apiclus2.csv"), row.names = FALSE)
write.csv(mu284, file.path(out_dir, "r_engine_mu284.csv"), row.names = FALSE)
write.csv(election_pps[, c("County", "p", "Bush", "Kerry", "Nader", "votes")],
          file.path(out_dir, "r_engine_election_pps.csv"), row.names = FALSE)
write.csv(scd, file.path(out_dir, "r_engine_scd.csv"), row.names = FALSE)
apistrat0 <- apistrat
apistrat0$pw0 <- ifelse(seq_len(nrow(apistrat)) %% 10 == 1, 0, apistrat$pw)
apistrat_lonely <- apistrat
apistrat_lonely$lonely <- ifelse(seq_len(nrow(apistrat)) == 1, "alone", as.character(apistrat$stype))
scd_brr_weights <- 2 * cbind(c(1, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 1), c(0, 1, 1, 0, 0, 1),
                             c(0, 1, 0, 1, 1, 0))

out <- list()
add <- function(design, call, stat, value, domain = "", level = "") {
  if (length(value) != 1) stop("no single value: ", design, " ", call, " ", stat)
  out[[length(out) + 1]] <<- data.frame(design = design, call = call, domain = domain,
                                        level = level, stat = stat, value = sprintf("%.17g", value))
}

# every estimate of one design; `d` is its R object, `v` names the variables
estimates <- function(name, d, v, tables = TRUE, props = c("logit", "asin", "mean", "beta")) {
  add(name, "degf(d)", "df", degf(d))
  for (stat in c("mean", "total")) {
    f <- if (stat == "mean") svymean else svytotal
    call <- sprintf("svy%s(~%s, d, na.rm = TRUE, deff = TRUE)", stat, v$num)
    m <- f(make.formula(v$num), d, na.rm = TRUE, deff = TRUE)
    add(name, call, "estimate", coef(m))
    add(name, call, "se", SE(m))
    if (!inherits(d, "svyrep.design")) add(name, call, "deff", deff(m))
    call <- sprintf("svyby(~%s, ~%s, d, svy%s, na.rm = TRUE)", v$num, v$by, stat)
    b <- svyby(make.formula(v$num), make.formula(v$by), d, f, na.rm = TRUE)
    for (i in seq_len(nrow(b))) {
      add(name, call, "estimate", coef(b)[i], domain = as.character(b[i, 1]))
      add(name, call, "se", SE(b)[i], domain = as.character(b[i, 1]))
    }
  }
  for (method in props) {
    call <- sprintf("svyciprop(~I(%s), d, method = '%s')", v$bin, method)
    ci <- eval(parse(text = sprintf("svyciprop(~I(%s), d, method = '%s')", v$bin, method)))
    add(name, call, "estimate", coef(ci))
    add(name, call, "se", SE(ci))
    add(name, call, "ci_low", confint(ci)[1])
    add(name, call, "ci_high", confint(ci)[2])
    call <- sprintf("svyby(~I(%s), ~%s, d, svyciprop, method = '%s', vartype = 'ci')",
                    v$bin, v$by, method)
    b <- eval(parse(text = sprintf(
      "svyby(~I(%s), ~%s, d, svyciprop, method = '%s', vartype = c('se', 'ci'))",
      v$bin, v$by, method)))
    for (i in seq_len(nrow(b))) {
      dom <- as.character(b[i, 1])
      add(name, call, "estimate", coef(b)[i], domain = dom)
      add(name, call, "se", SE(b)[i], domain = dom)
      add(name, call, "ci_low", b$ci_l[i], domain = dom)
      add(name, call, "ci_high", b$ci_u[i], domain = dom)
    }
  }
  if (tables) {
    f2 <- make.formula(c(v$row, v$col))
    call <- sprintf("svymean(~interaction(%s, %s), d)", v$row, v$col)
    m <- svymean(as.formula(sprintf("~interaction(%s, %s)", v$row, v$col)), d)
    lv <- sub("^interaction\\([^)]*\\)", "", names(coef(m)))
    for (i in seq_along(lv)) {
      add(name, call, "estimate", coef(m)[i], level = lv[i])
      add(name, call, "se", SE(m)[i], level = lv[i])
    }
    call <- sprintf("svyby(~%s, ~%s, d, svymean)", v$col, v$row)
    b <- svyby(make.formula(v$col), make.formula(v$row), d, svymean)
    ncoef <- (ncol(b) - 1) / 2
    lv <- sub(paste0("^", v$col), "", names(b)[1 + seq_len(ncoef)])
    for (i in seq_len(nrow(b))) for (j in seq_len(ncoef)) {
      add(name, call, "estimate", b[i, 1 + j], domain = as.character(b[i, 1]), level = lv[j])
      add(name, call, "se", b[i, 1 + ncoef + j], domain = as.character(b[i, 1]), level = lv[j])
    }
    for (st in c("F", "Chisq")) {
      call <- sprintf("svychisq(~%s + %s, d, statistic = '%s')", v$row, v$col, st)
      t <- svychisq(f2, d, statistic = st)
      add(name, call, "statistic", t$statistic)
      add(name, call, "pvalue", t$p.value)
      add(name, call, "df", t$parameter[1])
      if (st == "F") add(name, call, "ddf", t$parameter[2])
    }
  }
}

api_v <- list(num = "api00", by = "stype", bin = 'sch.wide == "Yes"', row = "sch.wide",
              col = "awards")

# ---- two-stage designs ---------------------------------------------------------------------
d <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
estimates("apiclus2", d, list(num = "enroll", by = "stype", bin = 'sch.wide == "Yes"',
                              row = "stype", col = "awards"))
call <- "weights(svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2))"
add("apiclus2", call, "weight_sum", sum(weights(d)))
d <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, weights = ~pw, data = apiclus2)
estimates("apiclus2_pw", d, list(num = "api00", by = "stype", bin = 'sch.wide == "Yes"',
                                 row = "stype", col = "awards"), props = c("logit", "asin"))
d <- svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)
estimates("apiclus2_nofpc", d, list(num = "api00", by = "stype", bin = 'sch.wide == "Yes"',
                                    row = "stype", col = "awards"), tables = FALSE,
          props = "logit")
d <- svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)
for (stat in c("mean", "total")) {
  f <- if (stat == "mean") svymean else svytotal
  m <- f(~y1, d)
  call <- sprintf("svy%s(~y1, svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284))", stat)
  add("mu284", call, "estimate", coef(m))
  add("mu284", call, "se", SE(m))
}
add("mu284", "degf(d)", "df", degf(d))

# ---- PPS (Brewer) --------------------------------------------------------------------------
d <- svydesign(id = ~1, fpc = ~p, data = election_pps, pps = "brewer")
for (stat in c("mean", "total")) for (v in c("Bush", "Kerry")) {
  f <- if (stat == "mean") svymean else svytotal
  m <- f(make.formula(v), d)
  call <- sprintf("svy%s(~%s, svydesign(id = ~1, fpc = ~p, data = election_pps, pps = 'brewer'))",
                  stat, v)
  add("election_pps", call, "estimate", coef(m))
  add("election_pps", call, "se", SE(m))
}

# ---- zero weights --------------------------------------------------------------------------
d <- svydesign(id = ~1, strata = ~stype, weights = ~pw0, fpc = ~fpc, data = apistrat0)
estimates("apistrat_zero", d, api_v, props = c("logit", "asin"))

# ---- lonely PSUs ---------------------------------------------------------------------------
for (rule in c("adjust", "average", "certainty", "remove")) {
  options(survey.lonely.psu = rule)
  d <- svydesign(id = ~1, strata = ~lonely, weights = ~pw, data = apistrat_lonely)
  m <- svymean(~api00, d)
  call <- sprintf("options(survey.lonely.psu = '%s'); svymean(~api00, d)", rule)
  add(paste0("apistrat_lonely_", rule), call, "estimate", coef(m))
  add(paste0("apistrat_lonely_", rule), call, "se", SE(m))
}
options(survey.lonely.psu = "fail")

# ---- replicate designs ---------------------------------------------------------------------
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
api_v2 <- list(num = "api00", by = "awards", bin = 'sch.wide == "Yes"', row = "sch.wide",
               col = "comp.imp")
estimates("apistrat_JKn", as.svrepdesign(dstrat, type = "JKn"), api_v2)
estimates("apiclus1_JK1", as.svrepdesign(dclus1, type = "JK1"), api_v)
set.seed(20261204)
boot <- as.svrepdesign(dclus1, type = "bootstrap", replicates = 50)
estimates("apiclus1_boot", boot, api_v)
add("apiclus1_boot", "boot$scale", "scale", boot$scale)
boot_mse <- svrepdesign(data = apiclus1, repweights = weights(boot, "analysis"), weights = ~pw,
                        type = "bootstrap", scale = boot$scale, mse = TRUE)
estimates("apiclus1_boot_mse", boot_mse, api_v, tables = FALSE, props = "logit")
sdr <- svrepdesign(data = apiclus1, repweights = weights(boot, "analysis")[, 1:20],
                   weights = ~pw, type = "successive-difference")
estimates("apiclus1_sdr", sdr, api_v, tables = FALSE, props = "logit")
jkn <- as.svrepdesign(dstrat, type = "JKn")
add("apistrat_JKn", "jkn$rscales", "rscales_sum", sum(jkn$rscales))
rw <- data.frame(row = seq_len(nrow(apiclus1)), weights(boot, "analysis"))
names(rw) <- c("row", paste0("rep", seq_len(ncol(rw) - 1)))
write.csv(rw, file.path(out_dir, "r_engine_repweights_boot.csv"), row.names = FALSE)
rw <- data.frame(row = seq_len(nrow(apistrat)), weights(jkn, "analysis"))
names(rw) <- c("row", paste0("rep", seq_len(ncol(rw) - 1)))
write.csv(rw, file.path(out_dir, "r_engine_repweights_jkn.csv"), row.names = FALSE)
write.csv(data.frame(replicate = seq_along(jkn$rscales), rscale = jkn$rscales),
          file.path(out_dir, "r_engine_rscales_jkn.csv"), row.names = FALSE)

scdrep <- svrepdesign(data = scd, type = "BRR", repweights = scd_brr_weights,
                      combined.weights = FALSE)
for (v in c("arrests", "alive")) for (stat in c("mean", "total")) {
  f <- if (stat == "mean") svymean else svytotal
  m <- f(make.formula(v), scdrep)
  call <- sprintf("svy%s(~%s, svrepdesign(data = scd, type = 'BRR', repweights = 2 * cbind(...), combined.weights = FALSE))",
                  stat, v)
  add("scd_brr_given", call, "estimate", coef(m))
  add("scd_brr_given", call, "se", SE(m))
}
scddes <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE)
write.csv(survey:::hadamard(3), file.path(out_dir, "r_engine_hadamard.csv"), row.names = FALSE)
for (rho in c(0, 0.3)) {
  name <- if (rho == 0) "scd_BRR" else "scd_Fay"
  r <- as.svrepdesign(scddes, type = if (rho == 0) "BRR" else "Fay", fay.rho = rho)
  add(name, "degf(d)", "df", degf(r))
  for (v in c("arrests", "alive")) for (stat in c("mean", "total")) {
    f <- if (stat == "mean") svymean else svytotal
    m <- f(make.formula(v), r)
    call <- sprintf("svy%s(~%s, as.svrepdesign(scddes, type = '%s', fay.rho = %s))", stat, v,
                    if (rho == 0) "BRR" else "Fay", rho)
    add(name, call, "estimate", coef(m))
    add(name, call, "se", SE(m))
  }
  m <- svyratio(~alive, ~arrests, r)
  call <- sprintf("svyratio(~alive, ~arrests, as.svrepdesign(scddes, type = '%s', fay.rho = %s))",
                  if (rho == 0) "BRR" else "Fay", rho)
  add(name, call, "estimate", coef(m))
  add(name, call, "se", SE(m))
}

# ---- asin interval on a small cluster sample (three clusters of five, two cases) --------------
small <- data.frame(c = rep(1:3, each = 5), y = c(1, 1, rep(0, 13)), w = 1)
ds <- svydesign(id = ~c, weights = ~w, data = small)
ci <- svyciprop(~I(y == 1), ds, method = "asin")
call <- "svyciprop(~I(y == 1), svydesign(id = ~c, weights = ~w, data = small), method = 'asin')"
add("asin_small", call, "estimate", coef(ci))
add("asin_small", call, "se", SE(ci))
add("asin_small", call, "ci_low", confint(ci)[1])
add("asin_small", call, "ci_high", confint(ci)[2])

ref <- do.call(rbind, out)
write.csv(ref, file.path(out_dir, "r_engine_reference.csv"), row.names = FALSE)
cat("wrote", nrow(ref), "reference values\n")
