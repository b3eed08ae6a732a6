# Reference values for design effects against simple random sampling WITH replacement
# (survey's deff = "replace"), the comparison polls uses when the weights sum to no more than the
# number of respondents (weights scaled to the sample size, as pollsters' files usually have them).
#
# Run from the repository root:  Rscript scripts/r/deff_replace.R
# Writes tests/fixtures/r_deff_replace.csv (design, statistic, estimate, se, deff, call).
suppressPackageStartupMessages(library(survey))
data(api)
n <- nrow(apistrat)
apistrat$wn <- apistrat$pw * n / sum(apistrat$pw)  # weights scaled to the sample size
d <- svydesign(ids = ~1, strata = ~stype, weights = ~wn, data = apistrat)
out <- data.frame()
add <- function(design, statistic, res, call) {
  out <<- rbind(out, data.frame(design = design, statistic = statistic,
                                estimate = unname(coef(res))[1], se = unname(SE(res))[1],
                                deff = unname(deff(res))[1], call = call))
}
add("apistrat_scaled", "mean api00", svymean(~api00, d, deff = "replace"),
    'svymean(~api00, svydesign(ids=~1, strata=~stype, weights=~wn, data=apistrat), deff="replace")')
add("apistrat_scaled", "mean meals", svymean(~meals, d, deff = "replace"),
    'svymean(~meals, svydesign(ids=~1, strata=~stype, weights=~wn, data=apistrat), deff="replace")')
add("apistrat_scaled", "proportion comp.imp == Yes",
    svymean(~I(as.numeric(comp.imp == "Yes")), d, deff = "replace"),
    'svymean(~I(as.numeric(comp.imp == "Yes")), <same design>, deff="replace")')
dc <- svydesign(ids = ~dnum, weights = ~I(pw * nrow(apiclus1) / sum(pw)), data = apiclus1)
add("apiclus1_scaled", "mean api00", svymean(~api00, dc, deff = "replace"),
    'svymean(~api00, svydesign(ids=~dnum, weights=~I(pw*183/sum(pw)), data=apiclus1), deff="replace")')
write.csv(out, "tests/fixtures/r_deff_replace.csv", row.names = FALSE)
print(out)
