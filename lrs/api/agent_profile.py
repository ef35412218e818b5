"""The Agent Profile resource: /xapi/agents/profile (xAPI 1.0.3 Communication 2.6)."""
from __future__ import annotations

from lrs.api.document_resources import DocumentResource, blueprint
from lrs.xapi.documents import PutRule, Resource

bp = blueprint(__name__, "agent_profile", "/xapi/agents/profile",
               DocumentResource(Resource.AGENT_PROFILE, "profileId", "profile", PutRule.REQUIRED))
