# Statistics over a[0..n-1], shared by scripts/bench-paired and scripts/lib/bench-audit.awk
# (awk -f scripts/lib/stats.awk -f PROGRAM): median(a, n), top(a, n) the largest, mean(a, n),
# sd(a, n) the sample standard deviation, and halfwidth(a, n) the half-width of the 95%
# confidence interval of the mean (Student's t with n-1 degrees of freedom; each round is an
# independent pair of runs, so the interval says what so few noisy rounds can claim).
function median(a, n,   i, j, t, s) {
  for (i = 0; i < n; i++) s[i] = a[i]
  for (i = 1; i < n; i++) for (j = i; j > 0 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
  return n % 2 ? s[(n-1)/2] : (s[n/2-1] + s[n/2]) / 2
}
function top(a, n,   i, m) { m = a[0]; for (i = 1; i < n; i++) if (a[i] > m) m = a[i]; return m }
function mean(a, n,   i, s) { for (i = 0; i < n; i++) s += a[i]; return s / n }
function sd(a, n,   i, m, s) {
  if (n < 2) return 0
  m = mean(a, n)
  for (i = 0; i < n; i++) s += (a[i] - m) ^ 2
  return sqrt(s / (n - 1))
}
# t975(df): the 97.5th percentile of Student's t (two-sided 95%), from the table for df <= 30,
# then beyond it the value at the start of each range (t falls with df, so the interval is
# never narrower than the exact one).
function t975(df,   t) {
  split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t, " ")
  if (df < 1) return 0
  if (df <= 30) return t[df]
  if (df <= 40) return 2.040
  if (df <= 60) return 2.020
  if (df <= 120) return 2.000
  return 1.980
}
function halfwidth(a, n) { return n < 2 ? 0 : t975(n - 1) * sd(a, n) / sqrt(n) }
