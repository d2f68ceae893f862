"""A ``.safetensors`` file (or a sharded ``model.safetensors.index.json``) read from its header alone.

The format: 8 bytes, a little-endian unsigned length N; N bytes of JSON mapping each tensor's
name to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (and an optional
``"__metadata__"`` of strings); then the data, which is never read here. A damaged header is
refused before anything more is read: N past the end of the file or above
:data:`MAX_HEADER_BYTES`, JSON that does not parse or is not an object, an entry without a
list of whole-number dimensions, offsets outside the data. A sharded index names its shard
files in ``weight_map``; each is read the same way from the index's folder.

A header has tensors, not layers: what it gives is each stored tensor's element count,
grouped by module (the name up to its last ``.``). Cross-checking against a config's count
lives in :mod:`symcount.counting`, which sees both.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from symcount.errors import SymcountError
from symcount.language.nodes import Pos

#: The largest header read (the format's own readers refuse more than 100 MB too).
MAX_HEADER_BYTES = 100_000_000
#: The largest index file read.
MAX_INDEX_BYTES = 50_000_000

#: Bits per element of each dtype the format names.
DTYPE_BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16,
              "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64,
              "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "C64": 64}


@dataclass(frozen=True)
class StoredTensor:
    """One tensor of a header: its full name, dtype, shape and element count, and the file holding it."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    file: str

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def module(self) -> str:
        """The name up to its last ``.`` (the module holding the tensor; ``""`` for a top-level one)."""
        return self.name.rpartition(".")[0]


@dataclass
class Header:
    """What a file's header (or every shard's) says: its tensors in file order, metadata, shard files."""

    filename: str
    tensors: list[StoredTensor] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.elements for t in self.tensors)

    def by_module(self) -> list[tuple[str, int, int]]:
        """(module, tensors, elements) per module, in the order the modules first appear."""
        groups: dict[str, list[int]] = {}
        for tensor in self.tensors:
            group = groups.setdefault(tensor.module, [0, 0])
            group[0] += 1
            group[1] += tensor.elements
        return [(module, n, elements) for module, (n, elements) in groups.items()]


def is_safetensors(path: Path | str) -> bool:
    """Whether a path names a safetensors file or a sharded index (by its name)."""
    name = str(path).lower()
    return name.endswith((".safetensors", ".safetensors.index.json"))


def read(path: Path) -> Header:
    """The header of a ``.safetensors`` file, or of every shard a ``.safetensors.index.json`` names."""
    if str(path).lower().endswith(".index.json"):
        return read_index(path)
    header = Header(str(path), files=[str(path)])
    header.tensors, header.metadata = read_header(path)
    return header


def _open_regular(path: Path) -> tuple[int, int]:
    """A descriptor and the size of a regular file (refused: a missing file, a directory, a pipe)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise SymcountError("no such file", filename=str(path)) from None
    except OSError as err:
        raise SymcountError(f"cannot read it: {err.strerror or err}", filename=str(path)) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SymcountError("not a regular file: safetensors headers are read from regular files only",
                            filename=str(path))
    return fd, info.st_size


def read_header(path: Path) -> tuple[list[StoredTensor], dict[str, str]]:
    """The tensors and metadata of one ``.safetensors`` file; only its first 8 + N bytes are read."""
    fd, size = _open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        prefix = handle.read(8)
        if len(prefix) < 8:
            raise _damaged(path, f"the file is {size} bytes, too short for the 8-byte header length")
        length = int.from_bytes(prefix, "little")
        if length > MAX_HEADER_BYTES:
            raise _damaged(path, f"the header length is {length:,} bytes, more than the limit of "
                                 f"{MAX_HEADER_BYTES:,} (100 MB)")
        if length > size - 8:
            raise _damaged(path, f"the header length is {length:,} bytes, but only {size - 8:,} follow "
                                 f"the 8-byte length")
        raw = handle.read(length)
    if len(raw) < length:
        raise _damaged(path, "the file ended inside the header")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _damaged(path, f"the header is not UTF-8 text (byte {err.start + 8} of the file)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SymcountError(f"damaged safetensors header: its JSON does not parse: {err.msg}",
                            _pos(text, err.pos), filename=str(path), source=text) from None
    except RecursionError:
        raise _damaged(path, "its JSON nests too deeply") from None
    if not isinstance(data, dict):
        raise _damaged(path, f"its JSON is {type(data).__name__}, not an object of tensors")
    data_bytes = size - 8 - length
    metadata: dict[str, str] = {}
    tensors = []
    for name, entry in data.items():
        if name == "__metadata__":
            if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
                raise _entry(path, text, name, "'__metadata__' must be an object of strings")
            metadata = dict(entry)
            continue
        tensors.append(_tensor(path, text, name, entry, data_bytes))
    return tensors, metadata


def _tensor(path: Path, text: str, name: str, entry: object, data_bytes: int) -> StoredTensor:
    if not isinstance(entry, dict):
        raise _entry(path, text, name, f"tensor '{name}' is not an object with dtype, shape and data_offsets")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise _entry(path, text, name, f"tensor '{name}' has an unknown dtype {json.dumps(dtype)}")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                              for d in shape):
        raise _entry(path, text, name, f"tensor '{name}' has no shape list of whole numbers "
                                       f"(shape: {json.dumps(shape)})")
    if not (isinstance(offsets, list) and len(offsets) == 2
            and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)):
        raise _entry(path, text, name, f"tensor '{name}' has no data_offsets [begin, end]")
    begin, end = offsets
    if not 0 <= begin <= end <= data_bytes:
        raise _entry(path, text, name, f"tensor '{name}' has data_offsets [{begin}, {end}] outside the data "
                                       f"({data_bytes:,} bytes)")
    tensor = StoredTensor(name, dtype, tuple(shape), str(path))
    if (end - begin) * 8 != tensor.elements * DTYPE_BITS[dtype]:
        raise _entry(path, text, name, f"tensor '{name}' holds {end - begin:,} bytes, but {dtype} of shape "
                                       f"{tuple(shape)} needs {tensor.elements * DTYPE_BITS[dtype] / 8:,g}")
    return tensor


def read_index(path: Path) -> Header:
    """A sharded model: the index's ``weight_map`` names a shard file for each tensor; each shard's
    header is read (from the index's folder) and every tensor the map names must be in its shard."""
    fd, size = _open_regular(path)
    if size > MAX_INDEX_BYTES:
        os.close(fd)
        raise SymcountError(f"index too large ({size:,} bytes; the limit is {MAX_INDEX_BYTES:,})",
                            filename=str(path))
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_INDEX_BYTES + 1)
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise SymcountError("not a text file (an index is JSON)", filename=str(path)) from None
    except json.JSONDecodeError as err:
        raise SymcountError(f"the index's JSON does not parse: {err.msg}", _pos(text, err.pos),
                            filename=str(path), source=text) from None
    weight_map = data.get("weight_map") if isinstance(data, dict) else None
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise SymcountError("an index needs a 'weight_map' object naming each tensor's shard file",
                            filename=str(path))
    header = Header(str(path))
    shards: dict[str, list[StoredTensor]] = {}
    for shard in dict.fromkeys(weight_map.values()):
        if Path(shard).name != shard or shard in (".", ".."):
            raise SymcountError(f"weight_map names '{shard}', which is not a file beside the index",
                                _pos(text, text.find(json.dumps(shard))), filename=str(path), source=text)
        shard_path = path.parent / shard
        tensors, metadata = read_header(shard_path)
        shards[shard] = tensors
        header.files.append(str(shard_path))
        header.metadata.update(metadata)
    for shard, tensors in shards.items():
        for tensor in tensors:
            named = weight_map.get(tensor.name)
            if named != shard:
                where = f"names '{named}' for it" if named else "does not name it"
                raise SymcountError(f"shard '{shard}' holds '{tensor.name}', but the index {where}",
                                    filename=str(path))
            header.tensors.append(tensor)
    stored = {t.name for t in header.tensors}
    missing = [name for name in weight_map if name not in stored]
    if missing:
        raise SymcountError(f"the index names {len(missing)} tensor(s) no shard holds: {', '.join(missing[:5])}",
                            _pos(text, text.find(json.dumps(missing[0]))), filename=str(path), source=text)
    return header


def _damaged(path: Path, why: str) -> SymcountError:
    return SymcountError(f"damaged safetensors header: {why}; nothing more was read", filename=str(path))


def _entry(path: Path, text: str, name: str, message: str) -> SymcountError:
    at = text.find(json.dumps(name) + ":") if name else -1
    if at < 0:
        found = re.search(re.escape(json.dumps(name)) + r"\s*:", text)
        at = found.start() if found else 0
    return SymcountError(f"damaged safetensors header: {message}", _pos(text, at), filename=str(path),
                         source=text)


def _pos(text: str, at: int) -> Pos:
    """Line and column of a character offset of a JSON text (of the header: 1-based, as errors show)."""
    at = max(0, min(at, len(text)))
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Pos(line, column, line, column + 1)


#: Tensor names (their last parts) that hold packed quantised weights or their scales, and what they are.
QUANTISED = {
    "qweight": "GPTQ/AWQ packed weight: several 4-bit (or 2-, 3-, 8-bit) values packed into each int32",
    "qzeros": "GPTQ/AWQ packed zero points, several per int32",
    "scales": "quantisation scales",
    "g_idx": "GPTQ group index of each input channel",
    "absmax": "bitsandbytes block scales",
    "quant_map": "bitsandbytes 4-bit code book",
    "SCB": "bitsandbytes 8-bit row scales",
    "weight_scale": "FP8 weight scale",
    "weight_scale_inv": "FP8 block scales",
    "input_scale": "FP8 activation scale",
}

#: Buffers a framework may store beside the weights, and what they hold.
BUFFERS = {
    "inv_freq": "rotary inverse frequencies (a buffer)",
    "masked_bias": "attention mask constant (a buffer)",
    "position_ids": "position indices (a buffer)",
    "running_mean": "batch-norm running mean (a buffer)",
    "running_var": "batch-norm running variance (a buffer)",
    "num_batches_tracked": "batch-norm step counter (a buffer)",
}


def quantised(tensor: StoredTensor) -> str | None:
    """In words, how a tensor is a packed quantised weight or a quantisation constant (None: it is not)."""
    last = tensor.name.rpartition(".")[2]
    if last in QUANTISED:
        return QUANTISED[last]
    if "quant_state" in tensor.name:
        return "bitsandbytes 4-bit quantisation state"
    if tensor.name.endswith(".weight") and tensor.dtype in ("U8", "I8", "I32", "U32") and len(tensor.shape) == 2:
        return f"weight stored as {tensor.dtype}: packed or integer-quantised, so its element count is not " \
               f"the parameter count"
    return None


def buffer(tensor: StoredTensor) -> str | None:
    """In words, how a stored tensor is a buffer, not a parameter (None: not one known)."""
    return BUFFERS.get(tensor.name.rpartition(".")[2])
