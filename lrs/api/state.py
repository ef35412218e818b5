"""The State resource: /xapi/activities/state (xAPI 1.0.3 Communication 2.3)."""
from __future__ import annotations

from lrs.api.document_resources import DocumentResource, blueprint
from lrs.xapi.documents import PutRule, Resource

# State is exempt from the concurrency headers in 1.0.3 (Communication 3.1.s3).
bp = blueprint(__name__, "state", "/xapi/activities/state",
               DocumentResource(Resource.STATE, "stateId", "state", PutRule.ALLOWED))
