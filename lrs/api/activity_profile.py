"""The Activity Profile resource: /xapi/activities/profile (xAPI 1.0.3 Communication 2.7)."""
from __future__ import annotations

from lrs.api.document_resources import DocumentResource, blueprint
from lrs.xapi.documents import PutRule, Resource

bp = blueprint(__name__, "activity_profile", "/xapi/activities/profile",
               DocumentResource(Resource.ACTIVITY_PROFILE, "profileId", "profile", PutRule.REQUIRED))
