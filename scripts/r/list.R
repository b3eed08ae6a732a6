# Reference values for polls.list_experiment with weights and with a survey design.
#
# The R `list` package (Blair & Imai) is not packaged for Debian, so its estimators are
# checked in tests/test_listexp.py against the papers' formulas and simulations instead.
# This script uses R's `survey` package: the weighted difference in mean item counts is the
# contrast (treatment minus control) of two domain means from svyby(), with its
# linearisation standard error from svycontrast().
#
# Run from the repository root:  Rscript scripts/r/list.R
# Writes tests/fixtures/listexp_synthetic.csv (synthetic respondents, seeded) and
# tests/fixtures/listexp_survey.json (estimates and standard errors).

suppressPackageStartupMessages(library(survey))

set.seed(20240601)
n <- 400
J <- 3
stratum <- rep(c("a", "b"), each = n / 2)
psu <- paste0(stratum, "-", rep(1:20, each = 10))
treatment <- rbinom(n, 1, 0.5)
group <- sample(c("x", "y"), n, replace = TRUE)
control_items <- rbinom(n, J, ifelse(stratum == "a", 0.35, 0.5))
sensitive <- rbinom(n, 1, ifelse(group == "x", 0.6, 0.4))
count <- control_items + treatment * sensitive
w <- round(runif(n, 0.5, 3), 3)
df <- data.frame(count, treatment, group, stratum, psu, w)
write.csv(df, "tests/fixtures/listexp_synthetic.csv", row.names = FALSE)


out <- list()

# 1. weights only: single-stage, with replacement
d1 <- svydesign(ids = ~1, weights = ~w, data = df)
b1 <- svyby(~count, ~treatment, d1, svymean, covmat = TRUE)
c1 <- svycontrast(b1, c(-1, 1))
out$weighted <- list(estimate = unname(coef(c1)), se = unname(SE(c1)))

# 2. stratified, clustered design with weights
d2 <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = df, nest = TRUE)
b2 <- svyby(~count, ~treatment, d2, svymean, covmat = TRUE)
c2 <- svycontrast(b2, c(-1, 1))
out$design <- list(estimate = unname(coef(c2)), se = unname(SE(c2)))

# 3. the same design, per subgroup (domain estimates)
b3 <- svyby(~count, ~treatment + group, d2, svymean, covmat = TRUE)
# rows are ordered treatment within group: 0.x, 1.x, 0.y, 1.y
c3 <- svycontrast(b3, list(x = c(-1, 1, 0, 0), y = c(0, 0, -1, 1)))
out$design_by_group <- list(
  group = c("x", "y"),
  estimate = unname(coef(c3)),
  se = unname(SE(c3))
)
stopifnot(all(rownames(b3) == c("0.x", "1.x", "0.y", "1.y")))

# 4. weights only, per subgroup (domain estimates over the whole sample)
b4 <- svyby(~count, ~treatment + group, d1, svymean, covmat = TRUE)
stopifnot(all(rownames(b4) == c("0.x", "1.x", "0.y", "1.y")))
c4 <- svycontrast(b4, list(x = c(-1, 1, 0, 0), y = c(0, 0, -1, 1)))
out$weighted_by_group <- list(
  group = c("x", "y"),
  estimate = unname(as.numeric(coef(c4))),
  se = unname(as.numeric(SE(c4)))
)

# 5. unweighted, for the record: Welch SE as in t.test
tt <- t.test(count[treatment == 1], count[treatment == 0], var.equal = FALSE)
out$welch <- list(
  estimate = unname(tt$estimate[1] - tt$estimate[2]),
  se = unname(tt$stderr),
  df = unname(tt$parameter),
  ci = unname(as.numeric(tt$conf.int))
)

out$generated_by <- "scripts/r/list.R"
out$r_version <- R.version.string
out$survey_version <- as.character(packageVersion("survey"))

con <- file("tests/fixtures/listexp_survey.json", "w")
to_json <- function(x, indent = "") {
  if (is.list(x)) {
    keys <- names(x)
    inner <- paste0(indent, "  ")
    parts <- vapply(seq_along(x), function(i) {
      paste0(inner, '"', keys[i], '": ', to_json(x[[i]], inner))
    }, character(1))
    return(paste0("{\n", paste(parts, collapse = ",\n"), "\n", indent, "}"))
  }
  if (is.character(x)) {
    vals <- paste0('"', x, '"')
  } else {
    vals <- formatC(x, digits = 17, format = "g")
  }
  if (length(x) == 1) vals else paste0("[", paste(vals, collapse = ", "), "]")
}
writeLines(to_json(out), con)
close(con)
cat("wrote tests/fixtures/listexp_synthetic.csv and tests/fixtures/listexp_survey.json\n")
