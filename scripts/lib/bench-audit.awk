# Summary of scripts/bench-audit's runs (lines "with|without req_s=N cpu_us=N p50_ms=X p99_ms=Y",
# in the order with, without, without, with per round). Several files of runs (VERBOSE=1 output)
# pool into one summary:
#   awk -f scripts/lib/stats.awk -f scripts/lib/bench-audit.awk FILE...
# Prints each round, then the median and the mean with its 95% confidence interval of what
# recording costs in req/s and server CPU per request, and the median latency ratios.
BEGIN { nw = 0; no = 0 }
$1 == "with" || $1 == "without" {
  split($2, a, "="); split($3, c, "="); split($4, p, "="); split($5, q, "=")
}
$1 == "with"    { wr[nw] = a[2]; wc[nw] = c[2]; wp[nw] = p[2]; wq[nw] = q[2]; nw++ }
$1 == "without" { xr[no] = a[2]; oc[no] = c[2]; xp[no] = p[2]; xq[no] = q[2]; no++ }
END {
  if (nw != no || nw % 2 || nw == 0) { print "bench-audit.awk: runs do not pair up (" nw " with, " no " without)"; exit 1 }
  for (k = 0; k < nw; k += 2) {
    w = (wr[k] + wr[k+1]) / 2; o = (xr[k] + xr[k+1]) / 2
    x = (wc[k] + wc[k+1]) / 2; y = (oc[k] + oc[k+1]) / 2
    rr[k/2] = 100 * (1 - w / o); cr[k/2] = 100 * (x / y - 1)
    pr[k/2] = (wp[k] + wp[k+1]) / (xp[k] + xp[k+1]); qr[k/2] = (wq[k] + wq[k+1]) / (xq[k] + xq[k+1])
    printf "round %d: with %.0f req/s, %.0f us CPU; without %.0f req/s, %.0f us; recording costs %.1f%% of req/s, %.1f%% more CPU\n", k/2 + 1, w, x, o, y, rr[k/2], cr[k/2]
  }
  n = nw / 2
  printf "median of %d rounds: recording costs %.1f%% of req/s and %.1f%% more server CPU per request\n", n, median(rr, n), median(cr, n)
  if (n < 2) printf "mean of 1 round: %.1f%% of req/s, %.1f%% more server CPU (no interval from one round)\n", mean(rr, n), mean(cr, n)
  else printf "mean of %d rounds: %.1f%% of req/s (95%% CI %.1f to %.1f), %.1f%% more server CPU (95%% CI %.1f to %.1f)\n", n, mean(rr, n), mean(rr, n) - halfwidth(rr, n), mean(rr, n) + halfwidth(rr, n), mean(cr, n), mean(cr, n) - halfwidth(cr, n), mean(cr, n) + halfwidth(cr, n)
  printf "median latency with against without: p50 %.2fx, p99 %.2fx\n", median(pr, n), median(qr, n)
}
