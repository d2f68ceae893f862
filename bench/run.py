"""symcount's benchmark: start-up, ResNet-50, long chains, and the frameworks doing the same work.

Run with ``make bench`` (or ``python bench/run.py --record`` to append the
results to bench/RESULTS.md). Machines here are noisy, so every comparison
is a ratio measured in the same run, and each timing is the median of a few.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
RESNET50 = ROOT / "derivations" / "zoo" / "resnet50.sc"

TORCH_RESNET50 = """
import torch.nn as nn
def conv_bn(cin, cout, k, s=1):
    return [nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout)]
class Bottleneck(nn.Module):
    def __init__(self, cin, c, s, project):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(cin, c, 1), nn.ReLU(), *conv_bn(c, c, 3, s), nn.ReLU(), *conv_bn(c, 4 * c, 1))
        self.short = nn.Sequential(*conv_bn(cin, 4 * c, 1, s)) if project else nn.Identity()
layers = [*conv_bn(3, 64, 7, 2), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
cin = 64
for c, n, s in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
    for i in range(n):
        layers.append(Bottleneck(cin, c, s if i == 0 else 1, i == 0))
        cin = 4 * c
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))
print(sum(p.numel() for p in model.parameters()))
"""

KERAS_RESNET50 = """
import os
os.environ["KERAS_BACKEND"] = "torch"
import keras
print(keras.applications.ResNet50(weights=None).count_params())
"""


def run_process(args: list[str], repeat: int) -> tuple[float, int, str]:
    """Median wall time (s), peak RSS (KB) and output of a fresh process."""
    times, peaks, out = [], [], ""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "KERAS_BACKEND": "torch"}
    for _ in range(repeat):
        cmd = ["/usr/bin/time", "-f", "%M", *args]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        peaks.append(int(proc.stderr.strip().splitlines()[-1]))
        out = proc.stdout
    return statistics.median(times), max(peaks), out


ONE_LAYER = "conv2d(C_in=3, C_out=8, k=3)"


def import_profile(top: int = 12) -> str:
    """``python -X importtime`` of ``symcount count`` on one layer: symcount's modules by their own
    import time (best of three), so a module that grows heavy shows up by name."""
    best: dict[str, int] = {}
    for _ in range(3):
        done = subprocess.run([PY, "-X", "importtime", "-m", "symcount", "count", ONE_LAYER], capture_output=True,
                              text=True, cwd=ROOT, check=True)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "|" not in line:
                continue
            own, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
            if name.startswith("symcount") and own.isdigit():
                best[name] = min(best.get(name, 1 << 60), int(own))
    total = sum(best.values())
    rows = sorted(best.items(), key=lambda item: -item[1])[:top]
    lines = [f"`-X importtime` of `symcount count` on one layer: {len(best)} symcount modules, "
             f"{total / 1000:.0f} ms of their own import time; the largest:", ""]
    lines += [f"- `{name}` {own / 1000:.1f} ms" for name, own in rows]
    return "\n".join(lines)


def compile_package() -> None:
    """Byte-compile symcount, as installing a wheel does: an editable install under
    PYTHONDONTWRITEBYTECODE=1 would otherwise recompile it at every process start."""
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "symcount")], check=True, capture_output=True)


def cpu_model() -> str:
    """The processor's name, for the results table."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def chain(n: int) -> str:
    lines = ["network chain {", "    input(H=32, W=32, C=16)"]
    for i in range(n):
        lines.append("    relu()" if i % 2 else "    conv2d(C_out=16, k=3, padding=1)")
    lines.append("}")
    return "\n".join(lines)


def in_process_chain(n: int) -> dict[str, float]:
    """Parse, count (shapes flow during counting) and render times for an n-layer chain."""
    import symcount
    from symcount.engine.count import summary_table
    from symcount.engine.load import load
    from symcount.engine.walk import walk
    from symcount.language.parse import parse
    from symcount.render.table import text_table

    text = chain(n)
    t0 = time.perf_counter()
    tree = parse(text)
    t1 = time.perf_counter()
    program = load(tree, {})
    walk(program, "chain", "pytorch")
    t2 = time.perf_counter()
    result = symcount.count(text)
    t3 = time.perf_counter()
    text_table(summary_table(result), "chain")
    t4 = time.perf_counter()
    return {"parse": t1 - t0, "count+shape": t2 - t1, "end to end": t3 - t2, "render": t4 - t3}


def hostile_inputs() -> dict[str, str]:
    """The huge and deeply nested descriptions the test suite feeds symcount."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_errors import HOSTILE

    return dict(HOSTILE)


def slowest_refusal() -> tuple[str, float]:
    """The hostile input refused most slowly (best of three each), and its time."""
    import symcount

    symcount.count("relu()")  # the parser ready, as in the CLI after import
    worst = ("", 0.0)
    for name, text in hostile_inputs().items():
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            try:
                symcount.count(text)
            except symcount.SymcountError:
                pass
            best = min(best, time.perf_counter() - start)
        worst = max(worst, (name, best), key=lambda item: item[1])
    return worst


def demo_rows(repeat: int) -> list[str]:
    """``make demo`` (the whole gallery counted in one process, tools/demo.py) against one
    ``symcount count`` of ResNet-50: the target is at most twice its time."""
    demo, demo_mem, out = run_process([PY, "-m", "tools.demo"], repeat)
    one, one_mem, _ = run_process([PY, "-m", "symcount", "count", str(RESNET50)], repeat)
    files = out.count("\n== ") + out.startswith("== ")
    return [
        f"| `symcount count resnet50.sc` | {one:.2f} s | {one_mem / 1024:.0f} MB | 1.00 |",
        f"| `make demo` (`python -m tools.demo`): {files} descriptions in one process | {demo:.2f} s | "
        f"{demo_mem / 1024:.0f} MB | {demo / one:.2f} (target <= 2) |",
    ]


def record(rows: list[str], save: bool, notes: str = "") -> int:
    """Print the table (and append it to bench/RESULTS.md with ``--record``)."""
    load = os.getloadavg()[0]
    header = (f"## {datetime.date.today().isoformat()} — {cpu_model()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}, load {load:.1f} at the end\n\n"
              "| what | time | peak RSS | ratio |\n|---|---|---|---|\n")
    report = header + "\n".join(rows) + "\n" + (f"\n{notes}\n" if notes else "")
    print(report)
    if save:
        results = ROOT / "bench" / "RESULTS.md"
        existing = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n\n"
        results.write_text(existing.rstrip("\n") + "\n\n" + report, encoding="utf-8")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-frameworks", action="store_true", help="skip building Keras/torch models")
    parser.add_argument("--demo", action="store_true", help="only `make demo` against one count of ResNet-50")
    args = parser.parse_args()
    rows: list[str] = []
    compile_package()
    if args.demo:
        return record(demo_rows(args.repeat + 2), args.record)

    base, base_mem, _ = run_process([PY, "-c", "import sympy, lark"], args.repeat + 2)
    ready, ready_mem, _ = run_process(
        [PY, "-c", "import symcount; from symcount.language.parse import _parser; _parser()"], args.repeat + 2)
    rows.append(f"| `import sympy, lark` | {base:.2f} s | {base_mem / 1024:.0f} MB | 1.00 |")
    rows.append(f"| `import symcount` + LALR parser ready | {ready:.2f} s | {ready_mem / 1024:.0f} MB | "
                f"{ready / base:.2f} (target < 1.3) |")

    one, one_mem, _ = run_process([PY, "-m", "symcount", "count", ONE_LAYER], args.repeat + 2)
    rows.append(f"| `symcount count \"{ONE_LAYER}\"` | {one:.2f} s | {one_mem / 1024:.0f} MB | "
                f"{one / base:.2f} of the import floor (target 1.10) |")
    if RESNET50.exists():
        ours, ours_mem, out = run_process([PY, "-m", "symcount", "count", str(RESNET50), "--format", "json"],
                                          args.repeat)
        rows.append(f"| `symcount count resnet50.sc` against the import floor | {ours:.2f} s | | "
                    f"{ours / base:.2f} (target 1.25) |")
        rows.append(f"| symcount: ResNet-50 description -> printed total | {ours:.2f} s | {ours_mem / 1024:.0f} MB | "
                    "1.00 |")
        if not args.no_frameworks:
            keras_t, keras_mem, keras_out = run_process([PY, "-c", KERAS_RESNET50], 1)
            torch_t, torch_mem, torch_out = run_process([PY, "-c", TORCH_RESNET50], args.repeat)
            rows.append(f"| Keras `ResNet50(weights=None).count_params()` = {keras_out.strip()} | {keras_t:.2f} s | "
                        f"{keras_mem / 1024:.0f} MB | {keras_t / ours:.1f}x slower (target >= 6) |")
            rows.append(f"| torch.nn ResNet-50, sum numel = {torch_out.strip()} | {torch_t:.2f} s | "
                        f"{torch_mem / 1024:.0f} MB | {torch_t / ours:.1f}x slower |")

    # best of three per size: the machine's noise only ever adds time
    chains = {n: min((in_process_chain(n) for _ in range(3)), key=lambda t: t["end to end"])
              for n in (1_000, 10_000)}
    for n, t in chains.items():
        rows.append(f"| {n:,}-layer chain, after import: parse {t['parse']:.2f} s, count+shapes "
                    f"{t['count+shape']:.2f} s, render {t['render']:.2f} s | {t['end to end']:.2f} s | | |")
    ratio = chains[10_000]["end to end"] / chains[1_000]["end to end"]
    rows.append(f"| 10k / 1k chain time (linear growth: < 12) | | | {ratio:.1f} |")

    name, slowest = slowest_refusal()
    rows.append(f"| slowest refusal of the {len(hostile_inputs())} hostile inputs in tests/test_errors.py "
                f"({name}) | {slowest:.2f} s | | target < 1 s |")

    header = (f"## {datetime.date.today().isoformat()} — {cpu_model()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}\n\n| what | time | peak RSS | ratio |\n|---|---|---|---|\n")
    report = header + "\n".join(rows) + "\n\n" + import_profile() + "\n"
    print(report)
    if args.record:
        results = ROOT / "bench" / "RESULTS.md"
        existing = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n\n"
        results.write_text(existing.rstrip("\n") + "\n\n" + report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
