"""Counting a model from its Python code vs from the description it is read as (issue 15).

The code is read with ``ast`` and interpreted, never run; the target is that this adds under 20% to
counting the same model written as a .sc description (process start to printed total, imports
included, fresh processes of the same run). The models: the corpus's largest file (nanoGPT, GPT-2
124M, forward not followed) and a small ResNet whose forward is followed (shapes and MACs).

    python bench/code_bench.py            # print
    python bench/code_bench.py --record   # and append a section to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import compile_package, cpu_model, run_process  # noqa: E402  (the shared measuring helpers beside this file)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGET_RATIO = 1.2
CORPUS = ROOT / "tests" / "model_code"
#: the models timed: (file in the corpus, what it is)
MODELS = {
    "torch_nanogpt.py": "nanoGPT (GPT-2 124M), the corpus's largest file",
    "torch_small_resnet.py": "a small ResNet, forward followed",
}


def printed_total(out: str) -> int:
    line = next(line for line in out.splitlines() if line.startswith("total params"))
    return int(line.split()[-1].replace(",", ""))


def measure(repeat: int, code: Path, folder: Path) -> dict[str, float]:
    """Median times of counting the code and the description ``symcount describe`` writes for it."""
    load = os.getloadavg()[0]
    description = folder / (code.stem + ".sc")
    described = subprocess.run([PY, "-m", "symcount", "describe", str(code)], capture_output=True, text=True,
                               cwd=ROOT, check=True)
    description.write_text(described.stdout, encoding="utf-8")
    commands = {"code": [PY, "-m", "symcount", "count", str(code)],
                "description": [PY, "-m", "symcount", "count", str(description)]}
    for command in commands.values():  # one unmeasured run each: a warm file cache and parser cache
        run_process(command, 1)
    results: dict[str, float] = {"load": load}
    totals = set()
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, int] = dict.fromkeys(commands, 0)
    for _ in range(repeat):  # interleaved, so a change in the machine's load falls on both alike
        for name, command in commands.items():
            seconds, peak, out = run_process(command, 1)
            totals.add(printed_total(out))
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    for name in commands:
        results[name] = statistics.median(times[name])
        results[name + "_mb"] = peaks[name] / 1024
    if len(totals) != 1:
        raise RuntimeError(f"{code.name}: the code and its description count differently: {totals}")
    results["total"] = totals.pop()
    results["ratio"] = results["code"] / results["description"]
    results["read"], results["count"] = in_process(code, description)
    return results


def in_process(code: Path, description: Path, repeat: int = 7) -> tuple[float, float]:
    """After the imports, best of ``repeat``: reading the code into a description, and counting that."""
    sys.path.insert(0, str(ROOT))
    from symcount.counting import count  # noqa: PLC0415  lazy: the package under test, from this checkout
    from symcount.frameworks.code_reader import describe_python  # noqa: PLC0415  lazy: as above

    text, written = code.read_text(encoding="utf-8"), description.read_text(encoding="utf-8")
    read, counted = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        describe_python(text, code.name)
        read.append(time.perf_counter() - start)
        start = time.perf_counter()
        count(written)
        counted.append(time.perf_counter() - start)
    return min(read), min(counted)


def report(results: dict[str, dict[str, float]], repeat: int) -> str:
    loads = ", ".join(f"{r['load']:.1f}" for r in results.values())
    lines = [
        f"## Model code (.py) vs the description it is read as (.sc) ({datetime.date.today().isoformat()})",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs (nproc), {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; load average {loads} at the start of each model (other work "
        f"shares the machine). Process start to printed total (the same total both ways), imports included; "
        f"median of {repeat} fresh processes each, the two interleaved, after one warm-up each. The description is what "
        "`symcount describe FILE.py` prints.",
        "",
        "| | wall time | peak RSS |",
        "|---|--:|--:|",
    ]
    for file, r in results.items():
        met = "met" if r["ratio"] <= TARGET_RATIO else "MISSED"
        lines += [
            f"| `symcount count tests/model_code/{file}` ({MODELS[file]}, {int(r['total']):,}) | {r['code']:.2f} s "
            f"| {r['code_mb']:.0f} MB |",
            f"| `symcount count {Path(file).stem}.sc` (its description) | {r['description']:.2f} s "
            f"| {r['description_mb']:.0f} MB |",
            f"| code / description | {r['ratio']:.2f} (target <= {TARGET_RATIO}: {met}) | |",
            f"| after the imports, best of 7: reading the code {r['read'] * 1000:.0f} ms, counting the description "
            f"{r['count'] * 1000:.0f} ms | | |",
        ]
    return "\n".join([*lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args()
    compile_package()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for file in MODELS:
            results[file] = measure(args.repeat, CORPUS / file, Path(tmp))
    text = report(results, args.repeat)
    print(text)
    if args.record:
        path = ROOT / "bench" / "RESULTS.md"
        previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
        path.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0 if all(r["ratio"] <= TARGET_RATIO for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
