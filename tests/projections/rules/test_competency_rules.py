"""Which assessments set the assessed level (assessment_standing) and how the profile shows the
others: plain values, no database."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from projections.rules.competency import WithoutEffect, assessment_standing, profile
from projections.rules.facts import Assessment, Binding, RosterEntry, Standard
from projections.rules.jp import JpTotal
from projections.rules.policy import PolicySet

NIP, ASESOR_NIP = "199001012020121001", "198503032010011003"
POLICY = PolicySet.of([]).policy_in_force(date(2026, 12, 31))
# The pegawai moves from KEMENKEU to KEMENDAGRI on 1 July 2026.
HISTORY = [RosterEntry(NIP, date(2020, 1, 1), "Siti", "PNS", "Analis", "Biro SDM", "KEMENKEU", None, None),
           RosterEntry(NIP, date(2026, 7, 1), "Siti", "PNS", "Analis", "Biro Umum", "KEMENDAGRI", None, None)]
BINDINGS = {
    "asesor": Binding("asesor", ASESOR_NIP, "assessor", "KEMENKEU", None),
    "asesor-dagri": Binding("asesor-dagri", None, "assessor", "KEMENDAGRI", None),
    "asesor-sdm": Binding("asesor-sdm", None, "assessor", "KEMENKEU", "Biro SDM"),
    "asesor-keuangan": Binding("asesor-keuangan", None, "assessor", "KEMENKEU", "Biro Keuangan"),
    "bpsdm": Binding("bpsdm", None, "unit_pengelola", "KEMENKEU", None),
    "verifier": Binding("verifier", ASESOR_NIP, "verifier", "KEMENKEU", "Biro SDM"),
    "own": Binding("own", NIP, None, None, None),
    "self-asesor": Binding("self-asesor", NIP, "assessor", "KEMENKEU", None),
    "own-lms": Binding("own-lms", NIP, None, None, None),
}
TRUSTED = frozenset({"assessment-centre", "own-lms"})


def assessed(key: str | None, *, level: int = 3, at: str = "2026-03-01T09:00:00+07:00", seq: int = 1,
             code: str = "INT", voided: bool = False) -> Assessment:
    return Assessment(f"a{seq}", seq, code, level, None, at, key, voided)


def standing(key: str | None, at: str = "2026-03-01T09:00:00+07:00") -> tuple[bool, str]:
    return assessment_standing(assessed(key, at=at), NIP, HISTORY, BINDINGS, TRUSTED, POLICY)


def test_an_assessor_of_the_pegawais_instansi_counts() -> None:
    assert standing("asesor") == (True, "assessor of KEMENKEU")
    assert standing("asesor-sdm") == (True, "assessor of Biro SDM, KEMENKEU")


def test_an_assessor_of_another_instansi_or_unit_does_not_count() -> None:
    counts, why = standing("asesor-dagri")
    assert not counts and "assessor of KEMENDAGRI" in why and "works in Biro SDM, KEMENKEU" in why
    assert not standing("asesor-keuangan")[0]


def test_the_instansi_is_the_one_on_the_assessment_day_in_the_policy_timezone() -> None:
    # 30 June 23:30 UTC is 1 July 06:30 WIB: the pegawai is in KEMENDAGRI that day.
    assert standing("asesor-dagri", "2026-06-30T23:30:00Z")[0]
    counts, why = standing("asesor", "2026-06-30T23:30:00Z")
    assert not counts and "2026-07-01" in why
    assert standing("asesor", "2026-06-30T16:30:00Z")[0]  # 23:30 WIB on 30 June


def test_the_unit_pengelola_of_the_instansi_counts() -> None:
    assert standing("bpsdm") == (True, "unit pengelola of KEMENKEU")


def test_a_trusted_source_counts_unless_it_is_the_pegawais_own_credential() -> None:
    assert standing("assessment-centre") == (True, "trusted source assessment-centre")
    counts, why = standing("own-lms")
    assert not counts and "nobody assesses themselves" in why


def test_the_pegawais_own_credential_does_not_count() -> None:
    counts, why = standing("own")
    assert not counts and why == f"credential own is {NIP}'s own: nobody assesses themselves"


def test_an_assessor_assessing_themselves_does_not_count() -> None:
    counts, why = standing("self-asesor")
    assert not counts and "nobody assesses themselves" in why


def test_other_credentials_do_not_count() -> None:
    for key in ("verifier", "phone"):
        counts, why = standing(key)
        assert not counts and "neither an assessor nor a unit pengelola" in why
    assert standing(None) == (False, "posted by no credential of this LRS")
    counts, why = assessment_standing(assessed("asesor"), NIP, [], BINDINGS, TRUSTED, POLICY)
    assert not counts and "not in the roster on the assessment date 2026-03-01" in why


def test_the_profile_lists_assessments_without_effect_and_keeps_the_latest_effective_level() -> None:
    standards = [Standard("", "Analis", "INT", "manajerial", 3, date(2020, 1, 1), 1)]
    jp = JpTotal(NIP, 2026, "Siti", "PNS", "Biro Umum", "KEMENDAGRI", Decimal(0), Decimal(0), {}, None, None,
                 "", ())
    assessments = [
        assessed("asesor", level=2, at="2026-02-01T09:00:00+07:00", seq=1),
        assessed("own", level=5, at="2026-03-01T09:00:00+07:00", seq=2),  # later, but the pegawai's own
        assessed("phone", level=4, at="2026-04-01T09:00:00+07:00", seq=3, code="TK.ANGGARAN"),
        assessed("bpsdm", level=3, at="2026-05-01T09:00:00+07:00", seq=4, voided=True),
        assessed("asesor", level=1, at="2027-01-02T09:00:00+07:00", seq=5),  # after the year: not yet
    ]
    found = profile(NIP, 2026, HISTORY, jp, [], assessments, standards, [], POLICY,
                    bindings=BINDINGS, trusted=TRUSTED)
    rows = {row.code: row for row in found.competencies}
    assert (rows["INT"].assessed_level, rows["INT"].assessment_id, rows["INT"].gap) == (2, "a1", 1)
    assert rows["INT"].assessments_without_effect == (
        WithoutEffect("a2", 5, f"credential own is {NIP}'s own: nobody assesses themselves"),
        WithoutEffect("a4", 3, "voided"))
    # A code named only by a refused assessment is listed, with no assessed level.
    assert rows["TK.ANGGARAN"].assessed_level is None and rows["TK.ANGGARAN"].gap is None
    assert [r.statement_id for r in rows["TK.ANGGARAN"].assessments_without_effect] == ["a3"]
    assert found.jpm == Decimal("0.6667")
