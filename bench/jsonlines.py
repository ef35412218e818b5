"""What the bench scripts share to load generated data: JSON lines read in batches."""
from __future__ import annotations

import json
from typing import Any, Iterable, Iterator


def chunks(lines: Iterable[str], size: int) -> Iterator[list[dict[str, Any]]]:
    """The JSON objects of `lines` (one per line), `size` at a time; the last batch may be smaller."""
    chunk: list[dict[str, Any]] = []
    for line in lines:
        chunk.append(json.loads(line))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
