"""CPU seconds of writing one deck's `.apkg` from its rows (`apkg.write_rows`), what every build pays per deck.

Run from the project root: `python bench/apkg_bench.py 10000 100000 [--repeat 3] [--tree /work/main]`.
For each size N it makes N synthetic rows of realistic fields (about 800 bytes of HTML per
note: a question with math, an answer with display math and highlighted code; five
subdecks) and times, in a fresh process per run, `collection_bytes(package_of_rows(...))`
(the collection database alone), `write_rows` (database, zip, atomic write) and, after one
answer is edited, `write_rows` again over that `.apkg` ("rewrite": blocks of the collection
whose bytes did not change are copied, `writers/blockzip.py`). Each
`--tree` (another checkout, e.g. main) is timed the same way, run for run alternating with
this one, and the `.apkg` bytes of every tree must be the same: the script says so, or
fails. It prints the median and the best of the runs' process CPU seconds (median of 3 by
default). The edit build rewrites the edited deck's whole `.apkg` through `write_rows`,
so at 100k notes in one deck this is most of what an edit that reads one group costs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def synthetic_rows(count: int) -> list[list[Any]]:
    """`count` rows as the renderer leaves them: math spans, display math, Pygments markup."""
    rows: list[list[Any]] = []
    for i in range(count):
        question = f"<p>What does loss gradient weights number {i} do to <span class=math>\\(f_{{{i}}}(x)\\)</span>?</p>"
        answer = (
            f"<p>The loss gradient term is \\(w_{{{i}}} = w - \\eta \\nabla L\\) for note {i}.</p>\n"
            f"\\[\\sum_{{k=1}}^{{{i % 50}}} \\frac{{x_k^2}}{{3}}\\]\n"
            f'<div class="highlight"><pre><span class="k">def</span> <span class="nf">step_{i}</span>(w, g, lr=0.1):\n'
            '    <span class="k">return</span> w <span class="o">-</span> lr <span class="o">*</span> g</pre></div>'
        )
        fields = [question, answer, "", f"<span>all-notes.md:{i * 9}</span>", "basic"]
        rows.append([f"Bench QA::T{i % 5}", "Exporter Note (v1)", fields, f"g{i:08d}xx", ["t"], 1700000000])
    return rows


def worker(tree: Path, count: int) -> dict[str, Any]:
    """One run in this process, with `tree`'s exporter: CPU seconds of each step and the `.apkg`'s digest."""
    sys.path.insert(0, str(tree))
    from exporter.output.writers.apkg import collection_bytes, package_of_rows, write_rows

    rows = synthetic_rows(count)
    start = time.process_time()
    database = collection_bytes(package_of_rows("Bench QA", rows))
    collection = time.process_time() - start
    with tempfile.TemporaryDirectory(prefix="apkg-bench-") as folder:
        target = Path(folder) / "deck.apkg"
        start = time.process_time()
        write_rows("Bench QA", rows, [], target)
        written = time.process_time() - start
        data = target.read_bytes()
        # One answer edited, the deck written again over the last `.apkg` (what an edit build does).
        rows[0][2][1] += " (edited)"
        start = time.process_time()
        write_rows("Bench QA", rows, [], target)
        rewritten = time.process_time() - start
    return {"collection": collection, "write_rows": written, "rewrite": rewritten, "database_mb": len(database) / 1e6,
            "apkg_mb": len(data) / 1e6, "sha256": hashlib.sha256(data).hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+", help="notes per deck")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", type=Path, action="append", default=[],
                        help="another checkout to time alongside this one (repeatable)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(worker(args.worker, args.sizes[0])))
        return

    trees = [ROOT, *(tree.resolve() for tree in args.tree)]
    for count in args.sizes:
        runs: dict[Path, list[dict[str, Any]]] = {tree: [] for tree in trees}
        for _ in range(args.repeat):
            for tree in trees:
                out = subprocess.run([sys.executable, __file__, str(count), "--worker", str(tree)], check=True,
                                     capture_output=True, text=True, cwd=ROOT).stdout
                runs[tree].append(json.loads(out))
        digests = {run["sha256"] for tree_runs in runs.values() for run in tree_runs}
        for tree, tree_runs in runs.items():
            first = tree_runs[0]
            times = "  ".join(f"{step} {statistics.median(r[step] for r in tree_runs):.3f} s "
                              f"(best {min(r[step] for r in tree_runs):.3f})" for step in ("collection", "write_rows", "rewrite"))
            print(f"{count:>7} notes  {tree}: {times}  [database {first['database_mb']:.1f} MB, "
                  f".apkg {first['apkg_mb']:.2f} MB]")
        if len(digests) != 1:
            sys.exit(f"{count} notes: the trees wrote different .apkg bytes")
        print(f"{count:>7} notes  same .apkg bytes in every run and tree")


if __name__ == "__main__":
    main()
