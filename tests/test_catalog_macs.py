"""Every catalog layer PyTorch has: its MACs against ``torch.utils.flop_counter.FlopCounterMode``.

As ``test_catalog_formulas.py`` proves every entry's formula equal to its tensors,
this file proves every entry's MAC rule equal to what PyTorch's FLOP counter
counts for the real module (MACs = FLOPs / 2). The configurations are the
seeded-random ones of ``test_torch_crosscheck.py`` (its ``GENERATORS`` map each
catalog entry to the real ``torch.nn`` module with sample arguments: bias on
and off, groups, strides, dilation, padding modes, projections, ...), so a layer
added there with a wrong MAC rule fails here.

Per sample: symcount's MACs are those of one sample (shapes are written without
the batch, and ``test_macs.py`` runs batch 1), so each module runs on a batch of
``BATCH`` and torch's count is divided by it.

Like with like: FlopCounterMode counts matmul, convolution and attention kernels
only. Bias adds, norms, activations, pooling, padding and resizing are none of
those, and symcount's rules count them as 0 too (a linear layer's MACs are
C_in·C_out per position, its bias add not among them); a layer without MACs is
thus checked as 0 == 0, which catches a rule that gives it some. The fused paths
the counter does not see are kept out: modules run on the meta device (no
oneDNN, whose fused LSTM counts 0), attention under ``sdpa_kernel(SDPBackend.MATH)``
(the fused CPU kernel counts 0) and in train mode (eval's fast paths,
``_native_multi_head_attention`` and the fused encoder layer, count 0 too).

A PyTorch entry the counter cannot check names the reason in its catalog entry,
``LayerType.macs_unchecked`` (Bilinear's ``aten._trilinear`` kernel is not
counted; a layer with no module cannot run); a PyTorch entry with neither a
cross-check here nor that reason fails :func:`test_every_pytorch_layer_has_a_mac_cross_check`.
Keras-only entries are out of scope: FlopCounterMode runs PyTorch modules only.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
import torch
from test_torch_crosscheck import GENERATORS, Case
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

import symcount
from symcount.catalog.core import CATALOG

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

#: samples per forward pass: symcount's MACs are per sample, torch's per batch
BATCH = 3
#: configurations per generator (fewer when the generator makes fewer), kept small: the file runs in seconds
SEEDS = 6
#: seeds tried to find SEEDS configurations symcount can describe (see :func:`mac_case`)
SCAN = 60


def mac_case(kind: str, seed: int) -> Case | None:
    """The generator's configuration, as symcount describes it for MACs; None when it cannot.

    A decoder layer's memory length is said (``memory_len``), since the MACs of
    cross-attention depend on it; so is an attention layer's fed keys of another
    length than the queries (``source_len``). A cross-attention case reads a
    stream (``to=encoder``), whose length is the keys'.
    """
    case = GENERATORS[kind][0](random.Random(f"{kind}/{seed}"))
    if "source_len" in case.extra:
        case = replace(case, args={**case.args, "memory_len": case.extra["source_len"]})
    if "memory_len" in case.extra:
        case = replace(case, args={**case.args, "memory_len": case.extra["memory_len"]})
    return case


def _cases(kind: str) -> list[tuple[int, Case]]:
    """The first SEEDS describable configurations of one generator (its own count if smaller)."""
    wanted = min(SEEDS, GENERATORS[kind][1])
    found = []
    for seed in range(SCAN):
        case = mac_case(kind, seed)
        if case is not None:
            found.append((seed, case))
        if len(found) == wanted:
            break
    return found


CASES = {kind: _cases(kind) for kind in GENERATORS}
CHECKED = [pytest.param(kind, seed, id=f"{kind}-{seed}") for kind, cases in CASES.items() for seed, case in cases
           if not CATALOG[case.kind].macs_unchecked]
EXEMPT = [pytest.param(kind, seed, id=f"{kind}-{seed}") for kind, cases in CASES.items() for seed, case in cases
          if CATALOG[case.kind].macs_unchecked]


def torch_macs_per_sample(case: Case) -> int:
    """FLOPs / 2 / BATCH of one forward pass of the real module, with the fused (uncounted) paths off.

    On the meta device: shapes and FLOPs without memory or arithmetic (and without oneDNN's fused LSTM).
    """
    counter = FlopCounterMode(display=False)
    with torch.device("meta"):
        module = case.build().train()
        x = case.input_tensor(BATCH)
        with torch.no_grad(), sdpa_kernel(SDPBackend.MATH), counter:
            case.forward(module, x)
    flops = counter.get_total_flops()
    assert flops % (2 * BATCH) == 0, f"{case.text()}: {flops} FLOPs for a batch of {BATCH}"
    return flops // (2 * BATCH)


def symcount_macs(case: Case) -> int:
    """The one layer's MACs, which are also the network's."""
    result = symcount.count(case.text())
    [layer] = result.layers
    assert layer.kind == case.kind
    assert result.macs == layer.macs
    return int(layer.macs)


@pytest.mark.parametrize(("kind", "seed"), CHECKED)
def test_layer_macs_match_flop_counter(kind: str, seed: int) -> None:
    case = mac_case(kind, seed)
    assert case is not None
    assert symcount_macs(case) == torch_macs_per_sample(case), case.text()


@pytest.mark.parametrize(("kind", "seed"), EXEMPT)
def test_exemptions_still_hold(kind: str, seed: int) -> None:
    """An exempt layer the counter now sees as symcount does should be cross-checked instead: drop its reason."""
    case = mac_case(kind, seed)
    assert case is not None
    assert symcount_macs(case) != torch_macs_per_sample(case), (
        f"FlopCounterMode now agrees on {case.kind}: remove its macs_unchecked ({CATALOG[case.kind].macs_unchecked!r})")


def test_every_pytorch_layer_has_a_mac_cross_check() -> None:
    """Each PyTorch entry is cross-checked above or says in ``macs_unchecked`` why it cannot be."""
    checked = {case.kind for cases in CASES.values() for _, case in cases}
    missing = [name for name, entry in CATALOG.items()
               if "pytorch" in entry.frameworks and name not in checked and not entry.macs_unchecked]
    assert not missing, f"no MAC cross-check against FlopCounterMode, and no macs_unchecked reason, for: {missing}"


def test_every_generator_has_mac_cases() -> None:
    """A generator whose configurations symcount can never describe for MACs would check nothing."""
    empty = [kind for kind, cases in CASES.items() if not cases]
    assert not empty, f"no configuration symcount can describe for MACs from: {empty}"
