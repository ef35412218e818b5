"""Build a shipped national default version, national-default.vN.json, from the domain brief's
policy-default.json (run by hand by a developer:
`python schemas/policy/build_national_default.py ../shared/domain/policy-default.json [VERSION]`,
VERSION defaulting to the newest in RELEASES).

The product never reads the brief at run time: the built files are committed, and each is in force
without any event from its effective_from. A shipped version is never rebuilt with other content,
since the figures already computed with it would change: when the brief is corrected, add a
release with the date the correction takes effect. Every value keeps its source; where the brief
has no number the value stays null (never invented)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent
GEN = "../shared/tools/xapi_gen.py (what it emits); product default [P]"
MANAJERIAL = ["INT", "KS", "KOM", "OPH", "PP", "PDOL", "MP", "PK"]  # PermenPANRB 38/2017 (brief 6.2)
PROFILE = "schemas/profile/jejak.jsonld (Jejak's xAPI Profile); product default [P]"

# Every shipped version: its effective_from (None: the brief's own) and why it was released.
RELEASES: dict[str, tuple[str | None, str | None]] = {
    "1": (None, None),
    "2": ("2027-01-01",
          "Corrects version 1 as the domain brief was corrected: a seminar, conference or webinar "
          "(KL_SEMINAR) counts the JP its certificate states first, and its attended duration only "
          "when the certificate states none (jp_rule prefer certificate_jp). In force from 2027-01-01, "
          "the first day of the reporting period (calendar year, Asia/Jakarta) after the correction "
          "shipped in December 2026. The brief gives no legal date for it (no regulation sets the "
          "seminar rule; it is a product default); starting at a period boundary, no period mixes the "
          "two rules, and the figures of 2026 and earlier, some already reported, keep version 1's. "
          "An instansi that wants the correction sooner publishes an overlay setting it."),
}


def output(version: str) -> Path:
    return DIR / f"national-default.v{version}.json"


def sourced(value: Any, source: str) -> dict[str, Any]:
    return {"value": value, "source": source}


# What counts as one completion reported twice: nothing in the regulations says (issue 11).
DEDUPLICATION = {
    "window_minutes": sourced(30, "issue 11: an LMS that resends a completion (a retry after a lost reply, "
                              "a sync run twice) does so within minutes, under a new statement id and often "
                              "without a registration; a real second completion of the same activity takes "
                              "at least the learning itself, and the least JP credited (0.5 JP at 45 minutes "
                              "per JP) is 22.5 minutes. Not regulated; product default [P]"),
    "once_per_period": sourced(["certificate"], "issue 11: a certificate (STTPP, sertifikat) is issued "
                               "once per training, and its JP is the JP printed on it (jp_rule_semantics "
                               "per=certificate), so the same certified activity twice in one period is one "
                               "training reported twice. Not regulated; product default [P]"),
    "suspect_within_minutes": sourced(1440, "issue 11: completions of the same activity within a day of "
                                      "each other that are not one completion still count, and are listed "
                                      "for a person to check (suspected_duplicates). Not regulated; product "
                                      "default [P]"),
}


def _target(entry: dict[str, Any]) -> dict[str, Any]:
    """A status's target; with R-PPPK-01's ceiling on assigned development where the brief has one."""
    built = {"target_jp": sourced(entry["target_jp"], entry.get("source") or entry.get("note", ""))}
    if "max_jp_assigned" in entry:
        built["max_jp_assigned"] = sourced(entry["max_jp_assigned"], f"R-PPPK-01, {entry['source']}: "
                                           f"{entry['note']}")
    return built


def build(brief: dict[str, Any], version: str) -> dict[str, Any]:
    """National default `version` (a key of RELEASES) from the brief as it is now."""
    effective_from, release_note = RELEASES[version]
    target = brief["annual_target"]
    by_type = brief["annual_target_by_employee_type"]
    unit = brief["jp_unit"]
    forms = {}
    notes = {f["code"]: f["jp_rule"].get("note", "") for f in brief["learning_forms"]}
    for form in brief["learning_forms"]:
        rule = dict(form["jp_rule"])
        src = form["source"]
        # Coaching's note names the unit of its fallback ("count recorded minutes at jp_unit
        # nonclassical_synchronous"); mentoring's note is "As for coaching."
        note = notes["NK_COACHING"] if rule.get("note") == "As for coaching." else rule.get("note", "")
        if rule.get("fallback") == "hour" and "minutes_per_jp_ref" not in rule and "nonclassical_synchronous" in note:
            rule["minutes_per_jp_ref"] = "jp_unit.minutes_per_jp.nonclassical_synchronous"
        forms[form["code"]] = {
            "name": form["name_id"],
            "mode": form["mode"],
            "jp_rule": {
                "per": rule["per"],
                "minutes_per_jp": (rule.get("minutes_per_jp_ref") or "").rsplit(".", 1)[-1] or None,
                "prefer_declared_jp": rule.get("prefer") == "certificate_jp",
                "jp_per_unit": sourced(rule.get("jp_per_unit"), rule.get("note", src)),
                "fallback": rule.get("fallback"),
                "source": src,
            },
            "annual_cap_jp": sourced(form["annual_cap_jp"], form.get("annual_cap_note", src)),
            "verification": sourced(form["verification"], "R-VER-01: " + src),
        }
    minutes = {
        mode: sourced(entry["value"], entry.get("source") or entry.get("note", ""))
        for mode, entry in unit["minutes_per_jp"].items()
    }
    return {
        "$schema": "./policy.schema.json",
        "policy_id": brief["policy_id"],
        "version": version,
        "effective_from": effective_from or brief["effective_from"],
        "jurisdiction": "national",
        "instansi": None,
        "built_from": f"policy-default.json {brief['policy_id']} version {brief['version']}",
        **({"note": release_note} if release_note else {}),
        "iris": {
            "jp_extension": sourced("https://jejak.example/xapi/ext/jp", GEN),
            "learning_form_extension": sourced("https://jejak.example/xapi/ext/learning-form", GEN),
            "approval_verb": sourced("https://jejak.example/xapi/verbs/approved", GEN),
            "counting_verbs": sourced(["http://adlnet.gov/expapi/verbs/completed",
                                       "http://adlnet.gov/expapi/verbs/attended"], GEN),
            "account_home_pages": sourced(["https://siasn.bkn.go.id"], GEN),
            "match_mbox": sourced(True, "issue 5: account (homePage + NIP) or mbox [P]"),
            "rejection_verb": sourced("https://jejak.example/xapi/verbs/rejected", PROFILE),
            "validation_verb": sourced("https://jejak.example/xapi/verbs/validated", PROFILE),
            "jp_approved_extension": sourced("https://jejak.example/xapi/ext/jp-approved", PROFILE),
            "reason_extension": sourced("https://jejak.example/xapi/ext/reason", PROFILE),
            "assessment_verb": sourced("https://jejak.example/xapi/verbs/assessed", PROFILE),
            "planned_verb": sourced("https://jejak.example/xapi/verbs/planned", PROFILE),
            "competency_codes_extension": sourced("https://jejak.example/xapi/ext/competency-codes", PROFILE),
            "competency_level_extension": sourced("https://jejak.example/xapi/ext/competency-level", PROFILE),
            "plan_year_extension": sourced("https://jejak.example/xapi/ext/plan-year", PROFILE),
        },
        "competency_mapping": {
            "by_form": {
                code: sourced(codes, "domain brief 6.4: pelatihan manajerial and structural leadership -> "
                                     "manajerial codes, pelatihan sosial kultural -> PB [P]")
                for code, codes in (("KL_STRUKTURAL", MANAJERIAL), ("KL_MANAJERIAL", MANAJERIAL),
                                    ("KL_SOSKUL", ["PB"]))
            },
            "by_activity": {},
        },
        "recognition": {
            "supervisor_on": sourced("activity_date", "domain brief 5.2: the approver must be the "
                                     "learner's atasan langsung on the activity date [P]"),
            "approved_jp_limit": sourced("claimed", "issue 6: a decision may adjust the JP within the "
                                         "policy's limits; product default: lower, never raise [P]"),
            "without_atasan": sourced("unit_pengelola", "issue 11: the top official of an instansi has no atasan "
                                      "in the roster; the instansi's unit pengelola (acting for the PPK) "
                                      "recognises their learning [P]"),
        },
        "period": {
            "type": sourced(target["period"]["type"], target["period"]["note"]),
            "timezone": sourced(target["period"]["timezone"], "R-PERIOD-01 [P]"),
        },
        "reporting": {
            "denominator": sourced("period_end_roster_with_target", "R-REP-01: all active ASN of the type on "
                                   "31 Dec [P]; the brief leaves exclusions (tugas belajar, leave, mid-year "
                                   "joiners) to policy and asks that the rule be printed on every report "
                                   "(7.2, OQ-5)"),
        },
        "targets": {status: _target(entry) for status, entry in by_type.items()},
        "rounding_step_jp": sourced(unit["rounding"]["step_jp"], unit["rounding"]["note"]),
        "deduplication": DEDUPLICATION,
        "minutes_per_jp": minutes,
        "learning_forms": forms,
    }


def main() -> None:
    brief = json.loads(Path(sys.argv[1]).read_text())
    version = sys.argv[2] if len(sys.argv) > 2 else list(RELEASES)[-1]
    text = json.dumps(build(brief, version), indent=2, ensure_ascii=False) + "\n"
    out = output(version)
    if out.exists() and out.read_text() != text:
        sys.exit(f"{out.name} is shipped and the brief now builds it differently; a shipped version is "
                 "never edited (figures computed with it would change): add a release to RELEASES with "
                 "the date the correction takes effect")
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
