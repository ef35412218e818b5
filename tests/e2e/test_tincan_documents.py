"""Documents as an LMS keeps them: TinCanPython (`tincan`) against a real `lrs serve`.

Quirks of TinCanPython 1.0.0 met here:
- Document content is text (str or bytearray; it decodes every reply as UTF-8).
- `save_state` sends its PUT twice; the second PUT of the same bytes changes nothing (no event).
- It looks up response headers with `"etag" in response.getheaders()` (a list of pairs), so a
  retrieved document never carries its ETag: a client reads `response.getheader("ETag")`.
- Its profile PUT carries neither If-Match nor If-None-Match unless `etag` is set, and it has
  no way to send If-None-Match: xAPI 1.0.3 (Communication 3.1.s3.b1) makes that header a
  client MUST, so creating a profile needs If-None-Match: * from another client (here: raw HTTP).
"""
from __future__ import annotations

import json
import uuid

import pytest
from tincan import (  # type: ignore[import-untyped]
    Activity, ActivityProfileDocument, Agent, RemoteLRS, StateDocument,
)

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.slow

COURSE = Activity(id="https://lms.example.go.id/course/anti-korupsi")
SITI = Agent(name="Siti", mbox="mailto:siti@example.go.id")


def remote(server: LiveServer) -> RemoteLRS:
    return RemoteLRS(endpoint=server.base, username=server.key, password=server.secret,
                     version="1.0.3")


def test_state_round_trip(live_server: LiveServer) -> None:
    lrs = remote(live_server)
    registration = str(uuid.uuid4())
    bookmark = StateDocument(id="bookmark", activity=COURSE, agent=SITI,
                             content='{"page": 7}', content_type="application/json")
    saved = lrs.save_state(bookmark)
    assert saved.success and saved.response.status == 204, saved.data
    scratch = StateDocument(id="scratch", activity=COURSE, agent=SITI, content="catatan: hal 7",
                            content_type="text/plain; charset=utf-8")
    assert lrs.save_state(scratch).success

    got = lrs.retrieve_state(COURSE, SITI, "bookmark")
    assert got.success, got.data
    assert json.loads(got.content.content) == {"page": 7}
    assert got.response.getheader("ETag").startswith('"')
    assert lrs.retrieve_state(COURSE, SITI, "scratch").content.content == bytearray(b"catatan: hal 7")

    ids = lrs.retrieve_state_ids(COURSE, SITI)
    assert ids.success and sorted(ids.content) == ["bookmark", "scratch"]
    assert lrs.retrieve_state_ids(COURSE, SITI, registration=registration).content == []

    assert lrs.delete_state(scratch).success
    assert lrs.retrieve_state_ids(COURSE, SITI).content == ["bookmark"]
    assert lrs.clear_state(COURSE, SITI).success
    assert lrs.retrieve_state_ids(COURSE, SITI).content == []
    missing = lrs.retrieve_state(COURSE, SITI, "bookmark")
    assert missing.response.status == 404

    events = live_server.request("GET", "statements").json()["statements"]
    assert events == []  # documents never show up as statements


def test_activity_profile_with_etags(live_server: LiveServer) -> None:
    lrs = remote(live_server)
    path = f"activities/profile?activityId={COURSE.id}&profileId=settings"
    created = live_server.request("PUT", path, {"theme": "dark"}, headers={"If-None-Match": "*"})
    assert created.status == 204

    got = lrs.retrieve_activity_profile(COURSE, "settings")
    assert got.success and json.loads(got.content.content) == {"theme": "dark"}
    etag = got.response.getheader("ETag")

    blind = ActivityProfileDocument(id="settings", activity=COURSE, content='{"theme": "light"}',
                                    content_type="application/json")
    conflict = lrs.save_activity_profile(blind)
    assert not conflict.success and conflict.response.status == 409, conflict.data

    blind.etag = etag
    assert lrs.save_activity_profile(blind).success
    stale = lrs.save_activity_profile(blind)  # the same ETag again: the document moved on
    assert not stale.success and stale.response.status == 412

    ids = lrs.retrieve_activity_profile_ids(COURSE)
    assert ids.success and ids.content == ["settings"]
    assert json.loads(lrs.retrieve_activity_profile(COURSE, "settings").content.content) == {"theme": "light"}
    blind.etag = None
    assert lrs.delete_activity_profile(blind).success
    assert lrs.retrieve_activity_profile_ids(COURSE).content == []
