"""Jejak's xAPI Profile: the document is well formed, agrees with the policy's IRIs, and
statements using its concepts are checked against it."""
from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from lrs.errors import InvalidStatement
from lrs.xapi import profile
from lrs.xapi.validate import validate_statement
from projections.rules.policy import national_default

BASE = "https://jejak.example/xapi"
CLAIM_ID = "3f1c9a52-6d0e-4c8f-9b1a-2a7e5d4c3b21"


def _statement(verb: str, obj: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    return {"actor": {"objectType": "Agent", "account": {"homePage": "https://siasn.bkn.go.id",
                                                          "name": "199001012020121001"}},
            "verb": {"id": verb}, "object": obj or {"objectType": "StatementRef", "id": CLAIM_ID}, **parts}


def _competency(code: str = "INT") -> dict[str, Any]:
    return {"objectType": "Activity", "id": f"{BASE}/competencies/{code}",
            "definition": {"type": f"{BASE}/activity-types/competency",
                           "extensions": {f"{BASE}/ext/competency-codes": [code]}}}


ASSESSOR = {"objectType": "Agent", "mbox": "mailto:assessor@bkn.go.id"}
VALID = {
    "approval": _statement(f"{BASE}/verbs/approved"),
    "approval with JP": _statement(f"{BASE}/verbs/approved", result={"extensions": {f"{BASE}/ext/jp-approved": 4}}),
    "rejection with reason": _statement(f"{BASE}/verbs/rejected",
                                        result={"extensions": {f"{BASE}/ext/reason": "no mentoring log"}}),
    "validation": _statement(f"{BASE}/verbs/validated"),
    "assessment": _statement(f"{BASE}/verbs/assessed", _competency(), context={"instructor": ASSESSOR},
                             result={"extensions": {f"{BASE}/ext/competency-level": 3}}),
    "plan": _statement(f"{BASE}/verbs/planned", {"objectType": "Activity", "id": "https://lms.example.go.id/c/1"},
                       context={"extensions": {f"{BASE}/ext/plan-year": 2026,
                                               f"{BASE}/ext/learning-form": "KL_TEKNIS"}}),
    "a claim with the context extensions": _statement(
        "http://adlnet.gov/expapi/verbs/completed", {"objectType": "Activity", "id": "https://lms.example.go.id/c/1"},
        context={"extensions": {f"{BASE}/ext/jp": 4.5, f"{BASE}/ext/learning-form": "NK_ELEARNING",
                                f"{BASE}/ext/instansi": "KEMENKEU"}}),
    "no profile concept at all": _statement("http://adlnet.gov/expapi/verbs/experienced",
                                            {"objectType": "Activity", "id": "https://example.com/a"}),
}
INVALID = {
    "rejection without a reason": (_statement(f"{BASE}/verbs/rejected"), "ext/reason'] is required"),
    "approval of an activity": (_statement(f"{BASE}/verbs/approved", {"objectType": "Activity",
                                                                      "id": "https://example.com/a"}),
                                "objectType must be StatementRef"),
    "assessment without level": (_statement(f"{BASE}/verbs/assessed", _competency(), context={"instructor": ASSESSOR}),
                                 "competency-level'] is required"),
    "assessment of a course": (_statement(f"{BASE}/verbs/assessed", {"objectType": "Activity",
                                                                     "id": "https://example.com/a"}),
                               "object must be an Activity of type"),
    "plan without a year": (_statement(f"{BASE}/verbs/planned", {"objectType": "Activity", "id": "https://e.com/a"}),
                            "plan-year'] is required"),
    "JP claimed in the result": (_statement("http://adlnet.gov/expapi/verbs/completed",
                                            {"objectType": "Activity", "id": "https://e.com/a"},
                                            result={"extensions": {f"{BASE}/ext/jp": 4}}),
                                 "belongs in context.extensions, not result.extensions"),
    "negative JP": (_statement("http://adlnet.gov/expapi/verbs/completed",
                               {"objectType": "Activity", "id": "https://e.com/a"},
                               context={"extensions": {f"{BASE}/ext/jp": -1}}), "less than the minimum"),
    "JP as text": (_statement("http://adlnet.gov/expapi/verbs/completed",
                              {"objectType": "Activity", "id": "https://e.com/a"},
                              context={"extensions": {f"{BASE}/ext/jp": "4"}}), "is not of type 'number'"),
    "level 6": (_statement(f"{BASE}/verbs/assessed", _competency(), context={"instructor": ASSESSOR},
                           result={"extensions": {f"{BASE}/ext/competency-level": 6}}), "greater than the maximum"),
    "competency codes on a context activity, empty": (
        _statement("http://adlnet.gov/expapi/verbs/completed", {"objectType": "Activity", "id": "https://e.com/a"},
                   context={"contextActivities": {"category": [{"id": "https://e.com/c", "definition": {
                       "extensions": {f"{BASE}/ext/competency-codes": []}}}]}}), "should be non-empty"),
}


def test_profile_document_is_well_formed() -> None:
    document = profile.load().document
    assert document["type"] == "Profile" and document["conformsTo"] == "https://w3id.org/xapi/profiles#1.0"
    schemes = {v["id"] for v in document["versions"]}
    concepts = {c["id"]: c for c in document["concepts"]}
    for item in [*document["concepts"], *document["templates"]]:
        assert item["inScheme"] in schemes
        assert item["prefLabel"]["en"] and item["definition"]["en"]
    for concept in concepts.values():
        if "inlineSchema" in concept:
            Draft202012Validator.check_schema(json.loads(concept["inlineSchema"]))
    for template in document["templates"]:
        assert concepts[template["verb"]]["type"] == "Verb"
        if "objectActivityType" in template:
            assert concepts[template["objectActivityType"]]["type"] == "ActivityType"
        for rule in template["rules"]:
            profile.parse_location(rule["location"])
            for key in profile.parse_location(rule["location"]):
                if key is not None and key.startswith(BASE):
                    assert key in concepts, f"{rule['location']} names an extension the profile lacks"


def test_policy_default_iris_are_profile_concepts() -> None:
    concepts = {c["id"]: c["type"] for c in profile.load().document["concepts"]}
    iris = national_default()["iris"]
    assert concepts[iris["jp_extension"]["value"]] == "ContextExtension"
    assert concepts[iris["learning_form_extension"]["value"]] == "ContextExtension"
    assert concepts[iris["approval_verb"]["value"]] == "Verb"


@pytest.mark.parametrize("location", ["$.a..b", "$.a[0]", "a.b", "$.a['b\\'c']", "$[?(@.x)]"])
def test_unsupported_jsonpath_is_refused(location: str) -> None:
    with pytest.raises(ValueError):
        profile.parse_location(location)


@pytest.mark.parametrize("name", VALID)
def test_valid_statements_pass(name: str) -> None:
    validate_statement(copy.deepcopy(VALID[name]))


@pytest.mark.parametrize("name", INVALID)
def test_misused_concepts_are_refused(name: str) -> None:
    statement, message = INVALID[name]
    with pytest.raises(InvalidStatement, match="Jejak profile") as caught:
        validate_statement(copy.deepcopy(statement))
    assert message in str(caught.value)


def test_profile_is_served_without_credentials(client: FlaskClient) -> None:
    for path in ("/profiles/jejak", "/profiles/jejak.jsonld"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "application/ld+json"
        assert response.get_json(force=True)["id"] == f"{BASE}/profile"


def test_post_of_a_rejection_without_reason_is_400(client: FlaskClient, auth: dict[str, str]) -> None:
    statement = INVALID["rejection without a reason"][0] | {"id": str(uuid.uuid4())}
    response = client.post("/xapi/statements", json=statement, headers=auth)
    assert response.status_code == 400
    assert "ext/reason'] is required" in response.get_data(as_text=True)
    good = VALID["rejection with reason"] | {"id": str(uuid.uuid4())}
    assert client.post("/xapi/statements", json=good, headers=auth).status_code == 200
