"""The import benchmark's summary: of the runs in one log of `duban-import-bench`, the
best floor (calamine's raw read) and the best time of each phase, with their ratios.

python3 scripts/import_best.py target/bench/import-100000.txt
"""

import re
import sys

PHASES = ["dry run", "commit", "re-import, dry run"]
GOALS = {"dry run": 5.0, "commit": 8.0, "re-import, dry run": 5.0}


def main(path):
    floors, best = [], {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"calamine read \(floor\): ([0-9.]+) s", line)
        if m:
            floors.append(float(m.group(1)))
            continue
        m = re.match(r"(.+?): \d+ create, .* in ([0-9.]+) s", line)
        if m and m.group(1) in PHASES:
            best.setdefault(m.group(1), []).append(float(m.group(2)))
    if not floors or len(best) != len(PHASES):
        sys.exit(f"{path}: no complete run of the import benchmark")
    floor = min(floors)
    print(f"import, best of {len(floors)} runs: floor (calamine) {floor:.2f} s")
    for p in PHASES:
        t = min(best[p])
        print(
            f"  {p}: {t:.2f} s = {t / floor:.1f}x the floor (goal {GOALS[p]:.0f}x); "
            f"all runs {', '.join(f'{x:.2f}' for x in best[p])} s"
        )


if __name__ == "__main__":
    main(sys.argv[1])
