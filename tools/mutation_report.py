"""Print the mutation score of `make mutation` from mutmut's results (run inside build/mutation).

Survivors listed in tests/mutation_equivalent.txt (one mutant name per line, then `#` and the
reason) are equivalent mutants: they change no behaviour, so they count neither as killed nor as
survived; `skip <glob>` lines name mutants out of scope (code that needs TensorFlow). Exit status
1 when the score of the non-equivalent mutants is below the target.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from fnmatch import fnmatch
from pathlib import Path

TARGET = 0.90
KILLED = {1, 3}
TIMEOUT = {36, -24, 24, 152, 255}
HERE = Path(__file__).resolve().parent


def listed(path: Path) -> tuple[set[str], list[str]]:
    """Equivalent mutant names, and the glob patterns (``skip <pattern>``) of mutants out of scope."""
    names, skipped = set(), []
    for line in path.read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry.startswith("skip "):
            skipped.append(entry[len("skip "):].strip())
        elif entry:
            names.add(entry)
    return names, skipped


def main(modules: list[str], roots: list[Path]) -> int:
    equivalent, skipped = listed(HERE.parent / "tests" / "mutation_equivalent.txt")
    rows, survivors = [], []
    total = Counter()
    # Each module's results from the root where it ran most (each root holds every module's meta).
    results: dict[str, dict] = {}
    for root in roots:
        for meta in sorted((root / "mutants/mlc_utils").glob("*.py.meta")):
            module = meta.name[: -len(".py.meta")]
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            ran = sum(code is not None for code in codes.values())
            if module not in results or ran > sum(c is not None for c in results[module].values()):
                results[module] = codes
    for module, codes in sorted(results.items()):
        if modules and module not in modules:
            continue
        count = Counter()
        for name, code in codes.items():
            if any(fnmatch(name, pattern) for pattern in skipped):
                count["out of scope"] += 1
            elif code is None:
                count["not run"] += 1
            elif code in KILLED or code in TIMEOUT:
                count["killed"] += 1
            elif name in equivalent:
                count["equivalent"] += 1
            else:
                count["survived"] += 1
                survivors.append(name)
        total.update(count)
        rows.append((module, count))
    print(f"{'module':<14}{'mutants':>8}{'killed':>8}{'equiv.':>8}{'survived':>9}{'skipped':>8}"
          f"{'not run':>8}{'score':>8}")
    for module, c in rows + [("all", total)]:
        tested = c["killed"] + c["survived"]
        score = c["killed"] / tested if tested else float("nan")
        print(f"{module:<14}{sum(c.values()):>8}{c['killed']:>8}{c['equivalent']:>8}{c['survived']:>9}"
              f"{c['out of scope']:>8}{c['not run']:>8}{score:>8.1%}")
    print("score = killed / (killed + survived); a mutant no test reaches counts as survived")
    for name in survivors:
        print("survived:", name)
    tested = total["killed"] + total["survived"]
    return 0 if tested and total["killed"] / tested >= TARGET else 1


if __name__ == "__main__":
    # Arguments: module names to report (default: all), and `--root DIR` (repeatable) for runs kept
    # in other directories (`make mutation MUTATION_DIR=...`); default: the current directory.
    args, roots = sys.argv[1:], []
    while "--root" in args:
        i = args.index("--root")
        roots.append(Path(args[i + 1]))
        del args[i:i + 2]
    sys.exit(main(args, roots or [Path(".")]))
