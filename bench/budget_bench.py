"""The algebra budget's cases (issue 11): each as a fresh process, against a one-layer check (the CLI's start-up).

Before the budget these took 11 s to minutes (factoring 60-100 independent widths, sorting the terms of
5,000, factoring a degree-999 answer, expanding a degree-43 one again and again, drawing an impossible
exam 2,000 times, writing 35,000 layers out). Run: ``python bench/budget_bench.py [--repeat 3]``;
the ratio to the start-up is what to compare across machines.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def chain(n: int, letter: str = "W", name: str = "n") -> str:
    body = "\n".join(f"    linear(C_out={letter}{i})" for i in range(1, n + 1))
    return f"network {name} {{\n    input(C={letter}0)\n{body}\n}}\n"


def cases(tmp: Path) -> dict[str, list[str]]:
    files = {"w60.sc": chain(60), "w100.sc": chain(100), "v100.sc": chain(100, "V", "m"), "w5000.sc": chain(5000),
             "bn.sc": "network big {\n    input(H=8, W=8, C=4)\n    repeat 35000 {\n        batchnorm()\n    }\n}\n",
             "exam.sc": 'let question = "How many? {A0}"\n'
                        + "\n".join(f"let A{i} = choose({', '.join(map(str, range(1, 11)))})" for i in range(12))
                        + "\nrequire A0 + A1 > 1000\nnetwork n {\n    input(C=A0)\n    linear(C_out=A1)\n}\n"}
    for name, text in files.items():
        (tmp / name).write_text(text, encoding="utf-8")
    conv = "conv2d(C_in=C_in, C_out=C_out, k=k)"
    return {
        "start-up: check conv2d(C_in=3, C_out=16, k=3) --answer 448": ["check", "conv2d(C_in=3, C_out=16, k=3)",
                                                                       "--answer", "448"],
        "derive, 60 independent widths": ["derive", str(tmp / "w60.sc")],
        "compare, 100 against 100 independent widths": ["compare", str(tmp / "w100.sc"), str(tmp / "v100.sc")],
        "count --format json, 5,000 independent widths": ["count", "--format", "json", str(tmp / "w5000.sc")],
        "check, answer C_in^999 + C_out^999 + k^999": ["check", conv, "--answer", "C_in^999 + C_out^999 + k^999"],
        "check, answer (C_in + C_out + k)^43": ["check", conv, "--answer", "(C_in + C_out + k)^43"],
        "derive, 35,000 batch norms (refused)": ["derive", str(tmp / "bn.sc")],
        "exam, impossible require over 12 lets (refused)": ["exam", str(tmp / "exam.sc")],
    }


def best(argv: list[str], repeat: int) -> tuple[float, float]:
    """The best wall time and the best CPU time (user + system) of ``repeat`` fresh processes: on a
    shared machine the CPU time moves far less with the load than the wall time."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([PY, "-m", "symcount", *argv], env=env, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the cases whose name contains this (and the start-up)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        chosen = {what: argv for i, (what, argv) in enumerate(cases(Path(tmp)).items())
                  if i == 0 or args.only in what}
        results = {what: best(argv, args.repeat) for what, argv in chosen.items()}
    base = next(iter(results.values()))[0]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {load:.1f}; best of {args.repeat} fresh processes\n")
    print("| case | time | CPU | / start-up |\n|---|--:|--:|--:|")
    for what, (seconds, cpu) in results.items():
        print(f"| {what} | {seconds:.2f} s | {cpu:.2f} s | {seconds / base:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
