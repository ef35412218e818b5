"""Policy as data: the shipped national default, overlays, the JP floor, effective dates."""
from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal

import pytest

from lrs.errors import InvalidPolicy
from projections.rules.policy import (
    UNSET, Change, PolicySet, Published, difference, dropped, national_default, national_defaults, validate,
)
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


def _entry(value: object, source: str = "test") -> dict[str, object]:
    return {"value": value, "source": source}


def test_difference_lists_every_changed_value_path_with_both_values() -> None:
    before = {"policy_id": "a", "version": "1", "targets": {"PNS": {"target_jp": _entry(24)},
                                                              "PPPK": {"target_jp": _entry(24)}},
              "learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session", "jp_per_unit": _entry(None)}}}}
    after = {"policy_id": "a", "version": "2", "targets": {"PNS": {"target_jp": _entry(20)},
                                                             "PPPK": {"target_jp": _entry(None)}},
             "learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session", "jp_per_unit": _entry(4)}}}}
    assert [str(change) for change in difference(before, after)] == [
        "learning_forms/NK_COACHING/jp_rule/jp_per_unit: null -> 4",
        "targets/PNS/target_jp: 24 -> 20",
        "targets/PPPK/target_jp: 24 -> null",
    ]
    assert difference(before, after)[1] == Change("targets/PNS/target_jp", 24, 20)


def test_difference_shows_keys_set_and_no_longer_set() -> None:
    before = {"learning_forms": {"NK_X": {"mode": "nonclassical", "annual_cap_jp": _entry(6)}}}
    after = {"learning_forms": {}, "rounding_step_jp": _entry(0.5)}
    assert difference(before, after) == [
        Change("learning_forms/NK_X/annual_cap_jp", 6, UNSET),
        Change("learning_forms/NK_X/mode", "nonclassical", UNSET),
        Change("rounding_step_jp", UNSET, 0.5),
    ]
    assert str(difference(before, after)[0]) == "learning_forms/NK_X/annual_cap_jp: 6 -> (not set)"
    assert str(difference(before, after)[2]) == "rounding_step_jp: (not set) -> 0.5"


def test_difference_ignores_names_and_sources_of_a_version() -> None:
    before = {"policy_id": "a", "version": "1", "effective_from": "2025-01-01", "note": "old",
              "targets": {"PNS": {"target_jp": _entry(30, "SE 1")}}, "learning_forms": {"X": {"jp_rule": {
                  "per": "hour", "source": "guide 1"}}}}
    after = {"policy_id": "a", "version": "2", "effective_from": "2026-01-01", "note": "new",
             "targets": {"PNS": {"target_jp": _entry(30, "SE 2")}}, "learning_forms": {"X": {"jp_rule": {
                 "per": "hour", "source": "guide 2"}}}}
    assert difference(before, after) == []


def test_dropped_lists_what_the_previous_version_sets_and_the_new_one_does_not_repeat() -> None:
    previous = overlay(note="v1", targets={"PNS": {"target_jp": _entry(24)}, "PPPK": {"target_jp": _entry(24)}},
                       learning_forms={"NK_COACHING": {"jp_rule": {"per": "session", "jp_per_unit": _entry(2)}}})
    new = overlay(version="2", targets={"PNS": {"target_jp": _entry(30)}},
                  learning_forms={"NK_COACHING": {"jp_rule": {"jp_per_unit": _entry(4)}}})
    assert dropped(previous, new) == ["learning_forms/NK_COACHING/jp_rule/per", "targets/PPPK/target_jp"]
    assert dropped(previous, previous) == []


COACHING_4 = {"learning_forms": {"NK_COACHING": {"jp_rule": {"per": "session", "jp_per_unit": _entry(4, "SE")}}}}
TARGETS_24 = {"targets": {"PNS": {"target_jp": _entry(24)}, "PPPK": {"target_jp": _entry(24)}}}


def test_a_new_overlay_version_shows_its_effect_and_what_it_drops() -> None:
    """Issue #11 item 8: "coaching 4 JP per session" alone reset the PNS target and removed PPPK's."""
    policies = PolicySet.of([Published(validate(overlay(**TARGETS_24)), 3)])
    replacement = policies.replacement(validate(overlay(version="2", effective_from="2026-01-01", **COACHING_4)))
    assert replacement.replaces == "overlay.kemenkeu@1"
    assert [str(change) for change in replacement.changes] == [
        "learning_forms/NK_COACHING/jp_rule/jp_per_unit: null -> 4",
        "targets/PNS/target_jp: 24 -> 20",
        "targets/PPPK/target_jp: 24 -> null",
    ]
    assert replacement.dropped == ("targets/PNS/target_jp", "targets/PPPK/target_jp")
    assert replacement.refusal is not None
    assert "targets/PNS/target_jp, targets/PPPK/target_jp" in replacement.refusal
    assert "repeat them" in replacement.refusal and "--replace" in replacement.refusal


def test_a_new_version_repeating_what_it_keeps_drops_nothing() -> None:
    policies = PolicySet.of([Published(validate(overlay(**TARGETS_24)), 3)])
    repeated = validate(overlay(version="2", effective_from="2026-01-01", **TARGETS_24, **COACHING_4))
    replacement = policies.replacement(repeated)
    assert replacement.dropped == () and replacement.refusal is None
    assert [str(c) for c in replacement.changes] == ["learning_forms/NK_COACHING/jp_rule/jp_per_unit: null -> 4"]


def test_a_version_before_the_one_in_force_compares_with_what_was_in_force_on_its_date() -> None:
    policies = PolicySet.of([Published(validate(overlay(effective_from="2026-01-01", **TARGETS_24)), 3)])
    replacement = policies.replacement(validate(overlay(version="0", effective_from="2025-01-01", **COACHING_4)))
    assert replacement.replaces is None and replacement.dropped == ()
    assert [str(c) for c in replacement.changes] == ["learning_forms/NK_COACHING/jp_rule/jp_per_unit: null -> 4"]


def test_a_national_version_compares_with_the_national_policy_in_force() -> None:
    document = copy.deepcopy(national_defaults()[0])
    document.update(version="store-1", effective_from="2026-06-01")
    document["targets"]["PNS"]["target_jp"]["value"] = 25
    del document["competency_mapping"]
    replacement = PolicySet.of([]).replacement(validate(document))
    assert replacement.replaces == "id.asn.bangkom.national-default@1"
    assert replacement.dropped == ("competency_mapping/by_form/KL_MANAJERIAL", "competency_mapping/by_form/KL_SOSKUL",
                                   "competency_mapping/by_form/KL_STRUKTURAL")
    assert Change("targets/PNS/target_jp", 20, 25) in replacement.changes


V1, V2 = "id.asn.bangkom.national-default@1", "id.asn.bangkom.national-default@2"


def test_every_shipped_national_default_is_valid_and_has_its_own_date() -> None:
    shipped = national_defaults()
    assert [(d["version"], d["effective_from"]) for d in shipped] == [("1", "2018-01-01"), ("2", "2027-01-01")]
    assert all(validate(d)["jurisdiction"] == "national" for d in shipped)
    assert national_default() is shipped[-1]


def test_national_default_v2_only_corrects_the_seminar_rule() -> None:
    v1, v2 = national_defaults()
    assert difference(v1, v2) == [Change("learning_forms/KL_SEMINAR/jp_rule/prefer_declared_jp", False, True)]
    assert "2027-01-01" in v2["note"]


def test_each_shipped_default_is_in_force_from_its_date_without_any_event() -> None:
    policies = PolicySet.of([])
    assert policies.policy_in_force(date(2026, 12, 31)).versions == (V1,)
    assert policies.policy_in_force(date(2027, 1, 1), "ANY").versions == (V2,)
    assert policies.policy_in_force(date(2017, 6, 1)).versions == (V1,)  # before any: the oldest
    seminar = policies.policy_in_force(date(2027, 1, 1)).form("KL_SEMINAR")
    assert seminar is not None and seminar.prefer_declared
    assert policies.known_until(0).policy_in_force(date(2027, 1, 1)).versions == (V2,)


def test_a_published_national_version_wins_over_a_shipped_one_by_effective_date() -> None:
    own = copy.deepcopy(national_defaults()[0])
    own.update(version="store-1", effective_from="2026-01-01")
    same_day = copy.deepcopy(national_defaults()[0])
    same_day.update(version="store-2", effective_from="2027-01-01")
    policies = PolicySet.of([Published(validate(own), 4)])
    assert policies.policy_in_force(date(2026, 6, 1)).versions == ("id.asn.bangkom.national-default@store-1",)
    assert policies.policy_in_force(date(2027, 6, 1)).versions == (V2,)  # the later effective date
    policies = PolicySet.of([Published(validate(own), 4), Published(validate(same_day), 5)])
    assert policies.policy_in_force(date(2027, 6, 1)).versions == ("id.asn.bangkom.national-default@store-2",)


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
