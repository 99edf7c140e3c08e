# median(a, n): the median of a[0..n-1]; top(a, n): the largest. Shared by scripts/bench-audit
# and scripts/bench-paired (awk -f scripts/lib/median.awk -f PROGRAM).
function median(a, n,   i, j, t, s) {
  for (i = 0; i < n; i++) s[i] = a[i]
  for (i = 1; i < n; i++) for (j = i; j > 0 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
  return n % 2 ? s[(n-1)/2] : (s[n/2-1] + s[n/2]) / 2
}
function top(a, n,   i, m) { m = a[0]; for (i = 1; i < n; i++) if (a[i] > m) m = a[i]; return m }
