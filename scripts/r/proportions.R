#!/usr/bin/env Rscript
# Reference values for tests/test_intervals.py and tests/test_change.py.
#
# Writes, under tests/fixtures/:
#   r_proportions_one.csv  one-sample intervals: prop.test (correct = TRUE and FALSE), binom.test
#   r_proportions_two.csv  two-sample prop.test: difference, Wald interval, chi-square test
#   r_proportions_lead.csv the difference of two options of one multinomial poll, from the survey
#                          package (svymean of the option indicators, then svycontrast a - b)
# Two-sample rows use correct = FALSE only. Every row records the R call that produced it
# in the column `r_call`.
#
# Run from the repository root:  Rscript scripts/r/proportions.R

out_dir <- file.path("tests", "fixtures")
stopifnot(dir.exists(out_dir))

one <- list()
cases <- list(
  c(0, 1), c(1, 1), c(0, 10), c(1, 10), c(3, 10), c(7, 10), c(10, 10), c(2, 30), c(15, 30),
  c(17, 50), c(49, 50), c(81, 100), c(0, 250), c(612, 1600), c(1200, 1600), c(1301, 1600),
  c(24, 1600), c(5001, 10000)
)
levels <- c(0.80, 0.90, 0.95, 0.99)
for (cs in cases) {
  x <- cs[1]; n <- cs[2]
  for (cl in levels) {
    for (corr in c(TRUE, FALSE)) {
      r <- suppressWarnings(prop.test(x, n, conf.level = cl, correct = corr))
      call <- sprintf("prop.test(%d, %d, conf.level = %s, correct = %s)$conf.int", x, n,
                      format(cl, digits = 3), if (corr) "TRUE" else "FALSE")
      one[[length(one) + 1]] <- data.frame(
        function_name = "prop.test", method = if (corr) "wilson_cc" else "wilson",
        x = x, n = n, conf_level = cl, low = r$conf.int[1], high = r$conf.int[2],
        r_call = call)
    }
    b <- binom.test(x, n, conf.level = cl)
    call <- sprintf("binom.test(%d, %d, conf.level = %s)$conf.int", x, n, format(cl, digits = 3))
    one[[length(one) + 1]] <- data.frame(
      function_name = "binom.test", method = "clopper_pearson",
      x = x, n = n, conf_level = cl, low = b$conf.int[1], high = b$conf.int[2], r_call = call)
  }
}
one <- do.call(rbind, one)
write.csv(one, file.path(out_dir, "r_proportions_one.csv"), row.names = FALSE)

two <- list()
pairs <- list(
  c(81, 100, 74, 100), c(1296, 1600, 1184, 1600), c(5, 30, 12, 40), c(0, 20, 4, 25),
  c(400, 800, 430, 900), c(1290, 1600, 1296, 1600), c(10, 12, 3, 15)
)
for (pr in pairs) {
  for (cl in c(0.90, 0.95, 0.99)) {
    # correct = FALSE: the Wald interval and the pooled chi-square (= squared pooled z) test
    r <- suppressWarnings(prop.test(c(pr[1], pr[3]), c(pr[2], pr[4]), conf.level = cl,
                                    correct = FALSE))
    call <- sprintf("prop.test(c(%d, %d), c(%d, %d), conf.level = %s, correct = FALSE)",
                    pr[1], pr[3], pr[2], pr[4], format(cl, digits = 3))
    two[[length(two) + 1]] <- data.frame(
      x1 = pr[1], n1 = pr[2], x2 = pr[3], n2 = pr[4], conf_level = cl,
      difference = unname(r$estimate[1] - r$estimate[2]),
      low = r$conf.int[1], high = r$conf.int[2],
      chisq = unname(r$statistic), pvalue = r$p.value, r_call = call)
  }
}
two <- do.call(rbind, two)
write.csv(two, file.path(out_dir, "r_proportions_two.csv"), row.names = FALSE)

suppressPackageStartupMessages(library(survey))
lead <- list()
polls <- list(c(550, 360, 90), c(880, 560, 160), c(41, 39, 20), c(12, 5, 3))
for (cnt in polls) {
  n <- sum(cnt)
  option <- rep(c("a", "b", "c"), times = cnt)
  df <- data.frame(a = as.numeric(option == "a"), b = as.numeric(option == "b"))
  des <- suppressWarnings(svydesign(ids = ~1, data = df))  # simple random sample
  m <- svymean(~a + b, des)
  ctr <- svycontrast(m, c(a = 1, b = -1))
  call <- sprintf(paste0("svycontrast(svymean(~a + b, svydesign(ids = ~1, data = df)), ",
                         "c(a = 1, b = -1)) with counts (%d, %d, %d)"), cnt[1], cnt[2], cnt[3])
  lead[[length(lead) + 1]] <- data.frame(
    count_a = cnt[1], count_b = cnt[2], count_other = cnt[3], n = n,
    difference = unname(coef(ctr)), se = unname(SE(ctr)), r_call = call)
}
lead <- do.call(rbind, lead)
write.csv(lead, file.path(out_dir, "r_proportions_lead.csv"), row.names = FALSE)
cat("wrote", nrow(one), "+", nrow(two), "+", nrow(lead), "rows\n")
cat(R.version.string, "; survey", as.character(packageVersion("survey")), "\n")
