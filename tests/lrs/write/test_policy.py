"""Publishing a policy version."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import Engine

from lrs.errors import InvalidPolicy
from lrs.events import POLICY_PUBLISHED
from lrs.store import log
from lrs.write.reference import publish_policy
from projections.rules.policy import national_defaults


def _published(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [f"{e.payload['policy_id']}@{e.payload['version']}" for e in log.stream(conn)
                if e.type == POLICY_PUBLISHED]


def test_a_shipped_national_version_is_never_published_again(engine: Engine) -> None:
    changed = copy.deepcopy(national_defaults()[-1])
    changed["targets"]["PNS"]["target_jp"]["value"] = 25
    with pytest.raises(InvalidPolicy, match=r"version 2 is published already \(shipped in schemas/policy/\)"):
        publish_policy(engine, changed)
    assert _published(engine) == []
