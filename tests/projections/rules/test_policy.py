"""Policy as data: the shipped national default, overlays, the JP floor, effective dates."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from lrs.errors import InvalidPolicy
from projections.rules.policy import PolicySet, Published, national_default, validate
from tests.fixtures.jp import overlay, target


def test_national_default_is_valid_and_keeps_sources_and_nulls() -> None:
    document = validate(national_default())
    assert document["targets"]["PNS"]["target_jp"]["value"] == 20
    assert document["targets"]["PNS"]["target_jp"]["source"].startswith("PP-11-2017")
    assert document["targets"]["PPPK"]["target_jp"]["value"] is None
    assert document["learning_forms"]["NK_COACHING"]["jp_rule"]["jp_per_unit"]["value"] is None
    assert document["iris"]["jp_extension"]["value"] == "https://jejak.example/xapi/ext/jp"


def test_national_default_is_in_force_without_any_event() -> None:
    policy = PolicySet.of([]).policy_in_force(date(2026, 6, 1), "ANY")
    assert policy.target_for("PNS") == Decimal(20)
    assert policy.versions == ("id.asn.bangkom.national-default@1",)


def test_overlay_may_raise_the_target() -> None:
    raised = validate(overlay(**target(30)))
    policies = PolicySet.of([Published(raised, 5)])
    assert policies.policy_in_force(date(2025, 1, 1), "KEMENKEU").target_for("PNS") == 30
    assert policies.policy_in_force(date(2024, 12, 31), "KEMENKEU").target_for("PNS") == 20
    assert policies.policy_in_force(date(2025, 6, 1), "OTHER").target_for("PNS") == 20


@pytest.mark.parametrize("value", [19, None])
def test_overlay_may_not_lower_or_remove_the_national_floor(value: float | None) -> None:
    with pytest.raises(InvalidPolicy, match="targets/PNS/target_jp"):
        validate(overlay(**target(value)))


def test_overlay_may_set_a_target_where_the_national_policy_has_none() -> None:
    assert validate(overlay(**target(24, "PPPK")))["targets"]["PPPK"]["target_jp"]["value"] == 24


@pytest.mark.parametrize("document, where", [
    ({"policy_id": "x"}, "(top)"),
    (overlay(iris={}), "iris"),
    (overlay(effective_from="2025-13"), "effective_from"),
    (overlay(minutes_per_jp={"nonclassical_asynchronous": {"value": 0, "source": "x"}}), "minutes_per_jp"),
    ({**overlay(), "instansi": None}, "instansi"),
])
def test_invalid_documents_are_refused_with_the_field_named(document: dict, where: str) -> None:
    with pytest.raises(InvalidPolicy, match=where.replace("(", r"\(").replace(")", r"\)")):
        validate(document)


def test_overlay_changes_one_form_and_keeps_the_rest() -> None:
    sixty = overlay(minutes_per_jp={"nonclassical_asynchronous": {"value": 60, "source": "LMS rule"}},
                    learning_forms={"NK_COACHING": {"jp_rule": {"per": "session",
                                    "jp_per_unit": {"value": 2, "source": "SE"}}}})
    policy = PolicySet.of([Published(validate(sixty), 3)]).policy_in_force(date(2025, 2, 1), "KEMENKEU")
    assert policy.minutes_per_jp("nonclassical_asynchronous") == 60
    assert policy.minutes_per_jp("classical") == 45
    coaching = policy.form("NK_COACHING")
    assert coaching is not None and coaching.jp_per_unit == 2 and coaching.verification == "supervisor"


def test_later_effective_date_wins_and_known_until_forgets_later_events() -> None:
    first = validate(overlay(version="1", effective_from="2025-01-01", **target(25)))
    second = validate(overlay(version="2", effective_from="2026-01-01", **target(30)))
    policies = PolicySet.of([Published(first, 4), Published(second, 9)])
    assert policies.policy_in_force(date(2026, 1, 1), "KEMENKEU").target_for("PNS") == 30
    assert policies.known_until(8).policy_in_force(date(2026, 1, 1), "KEMENKEU").target_for("PNS") == 25


def test_shipped_example_overlay_is_valid() -> None:
    import json

    from projections.rules.policy import POLICY_DIR

    document = json.loads((POLICY_DIR / "examples" / "kemendikdasmen-2025.json").read_text())
    policy = PolicySet.of([Published(validate(document), 1)]).policy_in_force(date(2026, 1, 1), "KEMENDIKDASMEN")
    assert policy.target_for("PNS") == 30


def test_national_default_carries_the_pppk_ceiling_and_sourced_deduplication() -> None:
    document = national_default()
    ceiling = document["targets"]["PPPK"]["max_jp_assigned"]
    assert ceiling["value"] == 24 and ceiling["source"].startswith("R-PPPK-01, PP-49-2018")
    assert "max_jp_assigned" not in document["targets"]["PNS"]
    assert all(entry["source"].endswith("product default [P]") for entry in document["deduplication"].values())
    policy = PolicySet.of([]).policy_in_force(date(2026, 6, 1))
    assert (policy.ceiling_for("PPPK"), policy.ceiling_for("PNS")) == (24, None)
    assert (policy.duplicate_window.total_seconds(), policy.once_per_period) == (1800, {"certificate"})


def test_a_national_version_without_the_new_keys_keeps_the_shipped_ones() -> None:
    older = {k: v for k, v in national_default().items() if k != "deduplication"}
    older = {**older, "version": "0", "targets": {"PNS": older["targets"]["PNS"],
                                                  "PPPK": {"target_jp": {"value": None, "source": "x"}}}}
    policy = PolicySet.of([Published(validate(older), 2)]).policy_in_force(date(2026, 6, 1))
    assert (policy.ceiling_for("PPPK"), policy.suspect_window.total_seconds()) == (24, 86400)


def test_overlay_may_change_the_deduplication_window() -> None:
    wider = validate(overlay(deduplication={"window_minutes": {"value": 90, "source": "LMS resends for an hour"}}))
    policy = PolicySet.of([Published(wider, 3)]).policy_in_force(date(2025, 6, 1), "KEMENKEU")
    assert policy.duplicate_window.total_seconds() == 5400
    assert policy.once_per_period == {"certificate"}


@pytest.mark.parametrize("document, where", [
    (overlay(targets={"PPPK": {"target_jp": {"value": None, "source": "x"},
                               "max_jp_assigned": {"value": 30, "source": "x"}}}), "targets/PPPK/max_jp_assigned"),
    (overlay(deduplication={"window_minutes": {"value": -1, "source": "x"}}), "deduplication/window_minutes"),
    (overlay(deduplication={"window_minutes": {"value": None, "source": "x"}}), "deduplication/window_minutes"),
    (overlay(deduplication={"once_per_period": {"value": ["diploma"], "source": "x"}}),
     "deduplication/once_per_period"),
    (overlay(deduplication={"window_minutes": {"value": 2000, "source": "x"}}),
     "deduplication/suspect_within_minutes: 1440 is less than window_minutes (2000)"),
])
def test_invalid_deduplication_and_ceilings_are_refused_with_the_field_named(document: dict, where: str) -> None:
    with pytest.raises(InvalidPolicy, match=re.escape(where)):
        validate(document)
