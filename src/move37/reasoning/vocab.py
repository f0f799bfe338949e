"""Character vocabulary: PAD, BOS, EOS and the printable ASCII characters.

Every task writes prompts and answers in printable ASCII, so one fixed vocabulary
serves all tasks and a checkpoint never depends on the data it was trained on.
"""

from __future__ import annotations

import torch

PAD, BOS, EOS = 0, 1, 2
_FIRST = 3
CHARS = "".join(chr(c) for c in range(32, 127))
SIZE = _FIRST + len(CHARS)
_INDEX = {c: i + _FIRST for i, c in enumerate(CHARS)}


def encode(text: str) -> list[int]:
    """Token ids of `text`; characters outside printable ASCII become '?'."""
    unknown = _INDEX["?"]
    return [_INDEX.get(c, unknown) for c in text]


def decode(ids) -> str:
    """Text of token ids, stopping at EOS or PAD."""
    out = []
    for i in (ids.tolist() if isinstance(ids, torch.Tensor) else ids):
        if i in (EOS, PAD):
            break
        if i >= _FIRST:
            out.append(CHARS[i - _FIRST])
    return "".join(out)
