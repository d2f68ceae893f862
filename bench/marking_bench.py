"""Batch marking: a synthetic class of 1,000 answers (right ones, every slip, formulas, grouped
digits, blanks) marked against a conv_with_bias key, and the whole ``symcount check --answers``
process. Target: under 5 seconds. Run ``python bench/marking_bench.py``."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from synthetic_class import CONV, synthetic_class  # noqa: E402

from symcount.teaching.exam import generate, key_json  # noqa: E402
from symcount.teaching.exam_templates import TEMPLATE_DIR  # noqa: E402
from symcount.teaching.marking import mark_text, read_key  # noqa: E402


def main() -> None:
    exam = generate(TEMPLATE_DIR / "conv_with_bias.sc", variants=30, seed=5)
    text, expected = synthetic_class(exam, CONV, 1000)
    with tempfile.TemporaryDirectory() as tmp:
        key_path = Path(tmp) / "key.json"
        key_path.write_text(key_json(exam), encoding="utf-8")
        answers = Path(tmp) / "answers.csv"
        answers.write_text(text, encoding="utf-8")
        key = read_key(key_path)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            marking = mark_text(text, key)
            times.append(time.perf_counter() - start)
        assert [(m.verdict, m.slip or "") for m in marking.marks] == expected
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        walls = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "symcount", "check", "--answers", str(answers), "--key",
                            str(key_path)], check=True, capture_output=True, env=env)
            walls.append(time.perf_counter() - start)
    print(f"mark 1,000 answers, in process: median {statistics.median(times):.3f} s (all verdicts right)")
    print(f"symcount check --answers (1,000 rows), whole process: median {statistics.median(walls):.3f} s")


if __name__ == "__main__":
    main()
