"""Per-round and median ratios from ssm-bench/interleave.sh: ssm4j (A, and B if measured) ÷ PyTorch, same
round, same case, same threads. A median over rounds is what BENCHMARKS.md quotes; the spread says how far
one run can be trusted on this machine."""
import csv
import glob
import os
import re
import statistics
import sys


def read(path):
    with open(path) as f:
        return {(r["size"], r["objective"]): float(r["median_ms"]) for r in csv.DictReader(f)}


def main(results):
    rows = {}
    for path in sorted(glob.glob(os.path.join(results, "torch-r*-t*.csv"))):
        r, t = re.search(r"torch-r(\d+)-t(\d+)\.csv$", path).groups()
        torch = read(path)
        for side in ("a", "b"):
            other = os.path.join(results, f"{side}-r{r}-t{t}.csv")
            if not os.path.exists(other):
                continue
            for case, ms in read(other).items():
                if case in torch:
                    rows.setdefault((side, t) + case, []).append((int(r), ms, torch[case]))
    print("| build | threads | case | ssm4j ms (per round) | PyTorch ms (per round) | ÷ PyTorch per round | median ÷ |")
    print("|---|---|---|---|---|---|---|")
    for (side, t, size, objective), vals in sorted(rows.items()):
        vals.sort()
        ratios = [ms / torch for _, ms, torch in vals]
        print(f"| {side.upper()} | {t} | {size} {objective} | {', '.join(f'{ms:.2f}' for _, ms, _ in vals)} | "
              f"{', '.join(f'{tm:.2f}' for _, _, tm in vals)} | {', '.join(f'{x:.2f}×' for x in ratios)} | "
              f"**{statistics.median(ratios):.2f}×** |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
