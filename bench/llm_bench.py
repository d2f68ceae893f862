"""Counting Llama-3-8B: symcount from its description vs transformers on the meta device.

Both are measured from process start to the printed total, imports included,
in fresh processes of the same run (wall time: the median of a few runs; peak
RSS from ``/usr/bin/time -f %M``). Targets (issue 7): symcount at least 6x
faster, and under a third of the peak memory.

    python bench/llm_bench.py            # print
    python bench/llm_bench.py --record   # and append a section to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import compile_package, cpu_model, run_process  # noqa: E402  (the shared measuring helpers beside this file)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SOURCE = "derivations/zoo/llm/llama.sc#llama3_8b"
EXPECTED = 8_030_261_248

TRANSFORMERS = """
import torch
from transformers import LlamaConfig, LlamaForCausalLM
config = LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                     num_attention_heads=32, num_key_value_heads=8)
with torch.device("meta"):
    model = LlamaForCausalLM(config)
print(f"total params  {sum(p.numel() for p in model.parameters()):,}")
"""

TARGET_SPEED = 6.0
TARGET_MEMORY = 1 / 3


def printed_total(out: str) -> int:
    """The integer on the 'total params' line of either program's output."""
    line = next(line for line in out.splitlines() if line.startswith("total params"))
    return int(line.split()[-1].replace(",", ""))


def measure(repeat: int) -> dict[str, float]:
    load = os.getloadavg()[0]
    compile_package()
    # one unmeasured run each, so both start from a warm file cache (and lark's parser cache)
    run_process([PY, "-m", "symcount", "count", SOURCE], 1)
    run_process([PY, "-c", TRANSFORMERS], 1)
    s_time, s_peak, s_out = run_process([PY, "-m", "symcount", "count", SOURCE], repeat)
    t_time, t_peak, t_out = run_process([PY, "-c", TRANSFORMERS], repeat)
    if not printed_total(s_out) == printed_total(t_out) == EXPECTED:
        raise RuntimeError(f"totals disagree: {printed_total(s_out)} vs {printed_total(t_out)}")
    return {"symcount_s": s_time, "symcount_mb": s_peak / 1024, "transformers_s": t_time,
            "transformers_mb": t_peak / 1024, "speedup": t_time / s_time, "memory_ratio": s_peak / t_peak,
            "load": load}


def report(r: dict[str, float], repeat: int) -> str:
    import transformers

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = [
        f"## LLM: Llama-3-8B, symcount vs transformers on the meta device ({datetime.date.today().isoformat()})",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs (nproc), {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, transformers {transformers.__version__}; load average "
        f"{r['load']:.1f} at the start (other work shares the machine). "
        f"Process start to printed total ({EXPECTED:,} both), imports included; median of {repeat} fresh "
        "processes after one warm-up each; peak RSS from /usr/bin/time.",
        "",
        "| | wall time | peak RSS |",
        "|---|--:|--:|",
        f"| `python -m symcount count {SOURCE}` | {r['symcount_s']:.2f} s | {r['symcount_mb']:.0f} MB |",
        f"| `LlamaForCausalLM(config)` on `torch.device(\"meta\")`, sum of numel | {r['transformers_s']:.2f} s "
        f"| {r['transformers_mb']:.0f} MB |",
        f"| ratio | {r['speedup']:.1f}x faster (target >= {TARGET_SPEED:.0f}x: "
        f"{verdict(r['speedup'] >= TARGET_SPEED)}) | {r['memory_ratio']:.2f} of the memory (target < 1/3: "
        f"{verdict(r['memory_ratio'] < TARGET_MEMORY)}) |",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args()
    results = measure(args.repeat)
    text = report(results, args.repeat)
    print(text)
    if args.record:
        path = ROOT / "bench" / "RESULTS.md"
        previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
        path.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0 if results["speedup"] >= TARGET_SPEED and results["memory_ratio"] < TARGET_MEMORY else 1


if __name__ == "__main__":
    sys.exit(main())
