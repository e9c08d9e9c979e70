#!/usr/bin/awk -f
# Where the planner's regret against the optimum's replay comes from (the reported regret where the optimum's replay
# is the cheapest; results.md names the anchor otherwise): per family, role and reason, its cost minus the
# optimum's, summed over the requests of `./echelon simulate --requests` (requests.csv; needs the planner and the
# optimum in the run).
# Usage: awk -f bench/residency/regret-by-request.awk DIR/requests.csv | sort
BEGIN { FS = "," }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }   # columns by the header's names, not by position
{ k = $c["family"] FS $c["request"] }
$c["policy"] == "optimum" { oc[k] = $c["cost_s"]; ow[k] = $c["wait_s"]; of[k] = $c["by_fallback"] }
$c["policy"] == "planner" {
  pc[k] = $c["cost_s"]; pw[k] = $c["wait_s"]; pf[k] = $c["by_fallback"]; role[k] = $c["role"]
}
END {
  for (k in pc) {
    why = pf[k] == "true" && of[k] != "true" ? "planner on a fallback" \
        : of[k] == "true" && pf[k] != "true" ? "optimum on a fallback" \
        : pw[k] - ow[k] > 0.5 ? "planner waited longer" : "other"
    split(k, f, FS); key = f[1] " | " role[k] " | " why
    d[key] += pc[k] - oc[k]; n[key]++; tp[f[1]] += pc[k]; to[f[1]] += oc[k]
  }
  for (key in d) printf "%-50s %5d requests %+9.1f s\n", key, n[key], d[key]
  for (fam in tp) printf "%s | total: planner %.0f s, optimum %.0f s, vs optimum %+.1f %%\n", fam, tp[fam], to[fam], \
      100 * (tp[fam] / to[fam] - 1)
}
