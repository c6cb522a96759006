#!/usr/bin/env Rscript
# Redraw a prefixmoe rate figure from summary.csv with base R (no packages): the mean loss
# against n on log-log axes, one line per study, 95% t error bars, and each study's slope of
# log(mean) on log(n) (the slope rates.csv reports) in the legend.
#
#   Rscript examples/plot_summary.R plots/main/summary.csv d1 main-d1.png
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: Rscript plot_summary.R SUMMARY.csv [LOSS] [FIGURE.png]")
path <- args[1]
loss <- if (length(args) >= 2) args[2] else "d1"
out <- if (length(args) >= 3) args[3] else sub("\\.csv$", paste0("-", loss, ".png"), path)

s <- read.csv(path, stringsAsFactors = FALSE)
s <- s[s$loss == loss & !is.na(s$mean) & s$mean > 0, ]
if (nrow(s) == 0) stop(path, ": no rows with loss ", loss)
if (is.null(s$ci_half_width)) s$ci_half_width <- 0
s$ci_half_width[is.na(s$ci_half_width)] <- 0
low <- pmax(s$mean - s$ci_half_width, 0.05 * s$mean)  # a log axis cannot show a lower end at or below 0
high <- s$mean + s$ci_half_width

studies <- sort(unique(s$study))
png(out, width = 864, height = 648, res = 144)
plot(NA, xlim = range(s$n), ylim = range(c(low, high)), log = "xy", xlab = "n",
     ylab = paste("mean", loss))
labels <- character(length(studies))
for (i in seq_along(studies)) {
  k <- s$study == studies[i]
  g <- s[k, ]
  o <- order(g$n)
  lines(g$n[o], g$mean[o], type = "b", pch = 19, col = i)
  arrows(g$n, low[k], g$n, high[k], angle = 90, code = 3, length = 0.03, col = i)
  slope <- if (nrow(g) >= 2) coef(lm(log(mean) ~ log(n), data = g))[2] else NA
  labels[i] <- sprintf("%s (slope %.2f)", studies[i], slope)
}
legend("bottomleft", legend = labels, col = seq_along(studies), pch = 19, lty = 1, bg = "white", cex = 0.8)
invisible(dev.off())
cat("wrote", out, "\n")
