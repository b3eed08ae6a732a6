# Reference raked, bounded-raked and trimmed weights from R's survey package, for
# tests/test_weighting.py. Run from the repository root:
#   Rscript scripts/r/rake.R
# Writes tests/fixtures/r_rake_*.csv. Tested with R 4.x and survey 4.1.1.
suppressPackageStartupMessages(library(survey))
options(digits = 17)
out <- "tests/fixtures"
ctl <- list(maxit = 1000, epsilon = 1e-13, verbose = FALSE)
write <- function(df, name) {
  write.csv(df, file.path(out, name), row.names = FALSE)
}
fmt <- function(x) sprintf("%.17g", x)

# --- R survey's api data: rake apisrs and apiclus1 to margins counted from apipop -------------
data(api)
pop_stype <- as.data.frame(table(stype = apipop$stype))
pop_wide <- as.data.frame(table(sch.wide = apipop$sch.wide))
pop_comp <- as.data.frame(table(comp.imp = apipop$comp.imp))
targets <- rbind(
  data.frame(variable = "stype", level = pop_stype$stype, total = pop_stype$Freq),
  data.frame(variable = "sch.wide", level = pop_wide$sch.wide, total = pop_wide$Freq),
  data.frame(variable = "comp.imp", level = pop_comp$comp.imp, total = pop_comp$Freq)
)
write(targets, "r_rake_api_targets.csv")

api_weights <- function(des, data, lo, hi) {
  # rake(design, list(~stype, ~sch.wide, ~comp.imp), list(pop_stype, pop_wide, pop_comp))
  raked <- rake(des, list(~stype, ~sch.wide, ~comp.imp),
                list(pop_stype, pop_wide, pop_comp), control = ctl)
  # calibrate(design, ~stype + sch.wide + comp.imp, population, calfun = "raking",
  #           bounds = c(lo, hi))
  pop <- c(`(Intercept)` = nrow(apipop),
           stypeH = sum(apipop$stype == "H"), stypeM = sum(apipop$stype == "M"),
           sch.wideYes = sum(apipop$sch.wide == "Yes"),
           comp.impYes = sum(apipop$comp.imp == "Yes"))
  bounded <- calibrate(des, ~stype + sch.wide + comp.imp, population = pop,
                       calfun = "raking", bounds = c(lo, hi), epsilon = 1e-13,
                       maxit = 1000)
  data.frame(stype = as.character(data$stype), sch.wide = as.character(data$sch.wide),
             comp.imp = as.character(data$comp.imp), pw = fmt(data$pw),
             w_rake = fmt(weights(raked)), w_bounded = fmt(weights(bounded)))
}
srs <- svydesign(id = ~1, weights = ~pw, fpc = ~fpc, data = apisrs)
write(api_weights(srs, apisrs, 0.65, 1.3), "r_rake_apisrs.csv")
clus <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
write(api_weights(clus, apiclus1, 0.65, 2), "r_rake_apiclus1.csv")
cat("sum of apiclus1 pw:", fmt(sum(apiclus1$pw)), "\n")

# --- synthetic respondents (seeded), population totals, base weights ---------------------------
set.seed(20240601)
n <- 1500
N <- 1e6
region <- sample(c("north", "south", "east", "west"), n, replace = TRUE,
                 prob = c(0.4, 0.3, 0.2, 0.1))
age <- ifelse(region == "north", sample(1:5, n, TRUE, c(0.1, 0.2, 0.3, 0.2, 0.2)),
              sample(1:5, n, TRUE, c(0.3, 0.25, 0.2, 0.15, 0.1)))
sex <- ifelse(age >= 4, sample(c("f", "m"), n, TRUE, c(0.65, 0.35)),
              sample(c("f", "m"), n, TRUE, c(0.45, 0.55)))
d <- exp(rnorm(n, 0, 0.4))
d <- d * N / sum(d)
synth_targets <- rbind(
  data.frame(variable = "region", level = c("north", "south", "east", "west"),
             total = N * c(0.25, 0.25, 0.3, 0.2)),
  data.frame(variable = "age", level = as.character(1:5),
             total = N * c(0.2, 0.2, 0.2, 0.2, 0.2)),
  data.frame(variable = "sex", level = c("f", "m"), total = N * c(0.52, 0.48))
)
write(transform(synth_targets, total = fmt(total)), "r_rake_synth_targets.csv")
df <- data.frame(region = factor(region), age = factor(age), sex = factor(sex), d = d)
des <- svydesign(id = ~1, weights = ~d, data = df)
margin <- function(v) {
  t <- synth_targets[synth_targets$variable == v, ]
  setNames(data.frame(factor(t$level), t$total), c(v, "Freq"))
}
# rake(design, list(~region, ~age, ~sex), <population totals>)
raked <- rake(des, list(~region, ~age, ~sex), lapply(c("region", "age", "sex"), margin),
              control = ctl)
tot <- function(v, l) synth_targets$total[synth_targets$variable == v & synth_targets$level == l]
pop <- c(`(Intercept)` = N, regionnorth = tot("region", "north"),
         regionsouth = tot("region", "south"), regionwest = tot("region", "west"),
         age2 = tot("age", "2"), age3 = tot("age", "3"), age4 = tot("age", "4"),
         age5 = tot("age", "5"), sexm = tot("sex", "m"))
# calibrate(design, ~region + age + sex, pop, calfun = "raking", bounds = c(0.4, 3))
bounded <- calibrate(des, ~region + age + sex, population = pop, calfun = "raking",
                     bounds = c(0.4, 3), epsilon = 1e-13, maxit = 1000)
wr <- weights(raked)
lower <- unname(quantile(wr, 0.05))
upper <- unname(quantile(wr, 0.95))
# trimWeights(raked, lower = <5% quantile>, upper = <95% quantile>), repeated until no weight is
# outside the bounds: what strict = TRUE does by recursion, which runs out of C stack here because
# rows sitting at a bound keep receiving ever smaller shares of the redistributed weight
trimmed <- raked
for (round in 1:500) {
  trimmed <- trimWeights(trimmed, lower = lower, upper = upper)
  wt <- weights(trimmed)
  if (all(wt <= upper * (1 + 1e-15) & wt >= lower * (1 - 1e-15))) break
}
cat("trimWeights rounds:", round, "\n")
write(data.frame(region = region, age = age, sex = sex, d = fmt(d), w_rake = fmt(wr),
                 w_bounded = fmt(weights(bounded)), w_trim = fmt(weights(trimmed)),
                 trim_lower = fmt(lower), trim_upper = fmt(upper)),
      "r_rake_synth.csv")
cat("bounded g range:", range(weights(bounded) / d), "\n")
