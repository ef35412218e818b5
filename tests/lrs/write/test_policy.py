"""Publishing a policy version: a version replaces the one in force whole, so one that would
drop a value that version sets is refused unless told to replace it; a dry run appends nothing."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import Engine

from lrs.errors import InvalidPolicy
from lrs.events import POLICY_PUBLISHED
from lrs.store import log
from lrs.write.reference import publish_policy, review_policy
from projections.rules.policy import Change, national_defaults
from tests.fixtures.jp import overlay

TARGETS_24 = {"targets": {"PNS": {"target_jp": {"value": 24, "source": "SE 1"}},
                          "PPPK": {"target_jp": {"value": 24, "source": "SE 1"}}}}
COACHING_4 = {"learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session",
                                                             "jp_per_unit": {"value": 4, "source": "SE 2"}}}}}


def _published(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [f"{e.payload['policy_id']}@{e.payload['version']}" for e in log.stream(conn)
                if e.type == POLICY_PUBLISHED]


def _coaching_only() -> dict[str, Any]:
    return overlay(version="2", effective_from="2026-01-01", **COACHING_4)


def test_a_version_that_drops_what_the_version_in_force_sets_is_refused(engine: Engine) -> None:
    publish_policy(engine, overlay(**TARGETS_24))
    with pytest.raises(InvalidPolicy) as refused:
        publish_policy(engine, _coaching_only())
    message = str(refused.value)
    assert "targets/PNS/target_jp, targets/PPPK/target_jp" in message and "overlay.kemenkeu@1" in message
    assert "repeat them" in message and "--replace" in message
    assert _published(engine) == ["overlay.kemenkeu@1"]


def test_replace_publishes_and_says_what_changed(engine: Engine) -> None:
    publish_policy(engine, overlay(**TARGETS_24))
    done = publish_policy(engine, _coaching_only(), replace=True)
    assert done.event is not None and done.event.type == POLICY_PUBLISHED
    assert done.replacement.replaces == "overlay.kemenkeu@1"
    assert [str(c) for c in done.replacement.changes] == [
        "learning_forms/NK_COACHING/jp_rule/jp_per_unit: null -> 4",
        "targets/PNS/target_jp: 24 -> 20",
        "targets/PPPK/target_jp: 24 -> null",
    ]
    assert _published(engine) == ["overlay.kemenkeu@1", "overlay.kemenkeu@2"]


def test_a_version_repeating_the_values_it_keeps_is_published(engine: Engine) -> None:
    publish_policy(engine, overlay(**TARGETS_24))
    done = publish_policy(engine, overlay(version="2", effective_from="2026-01-01", **TARGETS_24, **COACHING_4))
    assert done.event is not None and done.replacement.dropped == ()
    assert done.replacement.changes == (Change("learning_forms/NK_COACHING/jp_rule/jp_per_unit", None, 4),)


def test_a_dry_run_checks_everything_and_appends_nothing(engine: Engine) -> None:
    publish_policy(engine, overlay(**TARGETS_24))
    with pytest.raises(InvalidPolicy, match="would drop"):
        publish_policy(engine, _coaching_only(), dry_run=True)
    done = publish_policy(engine, _coaching_only(), dry_run=True, replace=True)
    assert done.event is None and len(done.replacement.changes) == 3
    assert review_policy(engine, _coaching_only()).dropped == ("targets/PNS/target_jp", "targets/PPPK/target_jp")
    assert _published(engine) == ["overlay.kemenkeu@1"]


def test_a_shipped_national_version_is_never_published_again(engine: Engine) -> None:
    changed = copy.deepcopy(national_defaults()[-1])
    changed["targets"]["PNS"]["target_jp"]["value"] = 25
    with pytest.raises(InvalidPolicy, match=r"version 2 is published already \(shipped in schemas/policy/\)"):
        publish_policy(engine, changed)
    assert _published(engine) == []
