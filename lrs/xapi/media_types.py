"""Content-Type headers (RFC 9110 8.3.1): the media type, lower-cased, and its parameters."""
from __future__ import annotations

import re

_PARAMETER = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def media_type(header: str | None) -> str:
    """`type/subtype` of a Content-Type header, lower-cased ("" when there is none)."""
    return (header or "").split(";", 1)[0].strip().lower()


def parameters(header: str) -> dict[str, str]:
    """The parameters of a Content-Type header, names lower-cased, quoted values unquoted; of a
    parameter given twice, the last."""
    found: dict[str, str] = {}
    for match in _PARAMETER.finditer(header):
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        found[match.group(1).lower()] = value
    return found
