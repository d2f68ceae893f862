"""Counting Llama-3-8B and DeepSeek-V3 from their config.json vs from their .sc descriptions (issue 14).

Reading the config adds only the JSON parse and the family's block text to counting the
description, so the target is a ratio of at most 1.2 (process start to printed total,
imports included, fresh processes of the same run). transformers' meta-device build of the
same config is timed beside them.

    python bench/config_bench.py            # print
    python bench/config_bench.py --record   # and append a section to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import compile_package, cpu_model, run_process  # noqa: E402  (the shared measuring helpers beside this file)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGET_RATIO = 1.2

#: Llama-3-8B's config.json (meta-llama/Meta-Llama-3-8B), every key as published.
LLAMA3_8B = {
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 128000,
    "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
    "intermediate_size": 14336, "max_position_embeddings": 8192, "model_type": "llama", "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
    "rope_scaling": None, "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.40.0.dev0", "use_cache": True, "vocab_size": 128256,
}

#: DeepSeek-V3's config.json (deepseek-ai/DeepSeek-V3), the keys as published but auto_map and the fp8
#: quantization_config (transformers' class is built unquantised, and so is the count).
DEEPSEEK_V3 = {
    "architectures": ["DeepseekV3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 0, "eos_token_id": 1, "ep_size": 1, "first_k_dense_replace": 3, "hidden_act": "silu",
    "hidden_size": 7168, "initializer_range": 0.02, "intermediate_size": 18432, "kv_lora_rank": 512,
    "max_position_embeddings": 163840, "model_type": "deepseek_v3", "moe_intermediate_size": 2048,
    "moe_layer_freq": 1, "n_group": 8, "n_routed_experts": 256, "n_shared_experts": 1, "norm_topk_prob": True,
    "num_attention_heads": 128, "num_experts_per_tok": 8, "num_hidden_layers": 61, "num_key_value_heads": 128,
    "num_nextn_predict_layers": 1, "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
    "rms_norm_eps": 1e-06, "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0,
                                            "mscale_all_dim": 1.0, "original_max_position_embeddings": 4096,
                                            "type": "yarn"},
    "rope_theta": 10000, "routed_scaling_factor": 2.5, "scoring_func": "sigmoid", "tie_word_embeddings": False,
    "topk_group": 4, "topk_method": "noaux_tc", "torch_dtype": "bfloat16", "transformers_version": "4.33.1",
    "use_cache": True, "v_head_dim": 128, "vocab_size": 129280,
}

#: name -> (config, the zoo description of the same model, its total)
MODELS = {
    "Llama-3-8B": (LLAMA3_8B, "derivations/zoo/llm/llama.sc#llama3_8b", 8_030_261_248),
    "DeepSeek-V3": (DEEPSEEK_V3, "derivations/zoo/llm/deepseek.sc#deepseek_v3", 671_026_404_352),
}

TRANSFORMERS = """
import json, sys, torch, transformers
settings = json.load(open(sys.argv[1]))
cls = getattr(transformers, settings.pop("architectures")[0])
config = transformers.AutoConfig.for_model(settings.pop("model_type"), **settings)
with torch.device("meta"):
    model = cls(config)
print(f"total params  {sum(p.numel() for p in model.parameters()):,}")
"""


def printed_total(out: str) -> int:
    line = next(line for line in out.splitlines() if line.startswith("total params"))
    return int(line.split()[-1].replace(",", ""))


def measure(repeat: int, config: Path, description: str, expected: int) -> dict[str, float]:
    load = os.getloadavg()[0]
    compile_package()
    commands = {
        "config": [PY, "-m", "symcount", "count", str(config)],
        "description": [PY, "-m", "symcount", "count", description],
        "transformers": [PY, "-c", TRANSFORMERS, str(config)],
    }
    for command in commands.values():  # one unmeasured run each: a warm file cache and parser cache
        run_process(command, 1)
    results: dict[str, float] = {"load": load}
    for name, command in commands.items():
        seconds, peak, out = run_process(command, repeat)
        if printed_total(out) != expected:
            raise RuntimeError(f"{name}: total {printed_total(out):,}, expected {expected:,}")
        results[name] = seconds
        results[name + "_mb"] = peak / 1024
    results["ratio"] = results["config"] / results["description"]
    return results


def report(results: dict[str, dict[str, float]], repeat: int) -> str:
    import transformers

    loads = ", ".join(f"{r['load']:.1f}" for r in results.values())
    lines = [
        f"## {' and '.join(results)} from config.json vs from their descriptions "
        f"({datetime.date.today().isoformat()})",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPUs (nproc), {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, transformers {transformers.__version__}; load average "
        f"{loads} at the start of each model (other work shares the machine). Process start to printed total "
        f"(the same total all three), imports included; median of {repeat} fresh processes after one warm-up "
        "each. DeepSeek-V3 without its multi-token-prediction module (transformers builds none).",
        "",
        "| | wall time | peak RSS |",
        "|---|--:|--:|",
    ]
    for name, r in results.items():
        config, description, expected = MODELS[name]
        met = "met" if r["ratio"] <= TARGET_RATIO else "MISSED"
        lines += [
            f"| `symcount count config.json` ({name}'s published config, {expected:,}) | {r['config']:.2f} s "
            f"| {r['config_mb']:.0f} MB |",
            f"| `symcount count {description}` | {r['description']:.2f} s | {r['description_mb']:.0f} MB |",
            f"| transformers: `{config['architectures'][0]}` from the same config on the meta device "
            f"| {r['transformers']:.2f} s | {r['transformers_mb']:.0f} MB |",
            f"| {name}: config / description | {r['ratio']:.2f} (target <= {TARGET_RATIO}: {met}) | |",
            f"| {name}: transformers / config | {r['transformers'] / r['config']:.1f}x slower | |",
        ]
    return "\n".join([*lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (settings, description, expected) in MODELS.items():
            config = Path(tmp) / name / "config.json"
            config.parent.mkdir()
            config.write_text(json.dumps(settings, indent=2), encoding="utf-8")
            results[name] = measure(args.repeat, config, description, expected)
    text = report(results, args.repeat)
    print(text)
    if args.record:
        path = ROOT / "bench" / "RESULTS.md"
        previous = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
        path.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return 0 if all(r["ratio"] <= TARGET_RATIO for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
