"""The xAPI versions this LRS speaks, which one a request asks for, and what storing a statement
under each of them adds (xAPI 1.0.3 Communication 3.3; IEEE 9274.1.1, "xAPI 2.0")."""
from __future__ import annotations

import re
from typing import Any

from lrs.xapi.rules import utc_timestamp

V1 = "1.0.3"
V2 = "2.0.0"
# The About resource lists every version a client may name (1.0.0 to 1.0.3 are one protocol).
ABOUT = ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")

# "1.0" and "2.0" count as their .0 patch (1.0.3 Communication 3.3); a response names the
# latest patch of the requested major version.
_HEADER = re.compile(r"(?P<major>[12])\.0(?:\.[0-9]+)?")


def from_header(value: str | None) -> str | None:
    """The version a X-Experience-API-Version header asks for (V1 or V2), or None when this
    LRS does not speak it."""
    if value is None or (match := _HEADER.fullmatch(value.strip())) is None:
        return None
    return V1 if match["major"] == "1" else V2


def about_versions(asked: str | None) -> list[str]:
    """The versions the About resource lists to a request that asked for `asked` (None: named
    none). A 1.0.x client is shown the 1.0.x versions only: 1.0.3 allows no other value there
    (conformance requirement XAPI-00316), and 1.0.x clients such as TinCanPython refuse an About
    listing 2.0.0. Everyone else sees every version."""
    if asked == V1:
        return [version for version in ABOUT if version.startswith("1.0.")]
    return list(ABOUT)


def prepare_for_storage(statement: dict[str, Any], version: str) -> None:
    """Apply, in place, what storing a valid statement under `version` adds before the common
    completion (id, stored, authority), which fills "version" with 1.0.0 when still absent.

    Under 2.0 a statement without "version" gets "2.0.0" (IEEE 9274.1.1 4.2.4.3), and the
    timestamps of the statement and of its SubStatement are converted to UTC (4.2.7), keeping
    their precision. 1.0.3 statements are stored as sent: 1.0.3 only recommends UTC.
    """
    if version != V2:
        return
    statement.setdefault("version", V2)
    holders = [statement]
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        holders.append(obj)
    for holder in holders:
        if isinstance(holder.get("timestamp"), str):
            holder["timestamp"] = utc_timestamp(holder["timestamp"])
