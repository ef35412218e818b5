"""Names the whole LRS shares: the IRIs it recognises itself, credential scopes and roles, the
form of a NIP. The kernel: imports nothing of ours."""
from __future__ import annotations

import re

# xAPI Data 2.3.2: a statement with this verb voids the statement its StatementRef names.
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
# The homePage of the account in a credential's authority agent: its name is the credential key.
CREDENTIALS_HOME = "urn:jejak:credentials"

# xAPI 1.0.3 Communication 4.2: `state` reads and writes State documents; `profile` reads and
# writes Agent and Activity Profile documents and reads the Agents and Activities resources.
# `reports` reads the JP reports under /api/v1/ (not part of xAPI). `audit` reads everything the
# other scopes read (every statement, documents, Agents, Activities, /api/v1 with its audit
# endpoints) and writes nothing.
SCOPES = ("all", "statements/write", "statements/read", "statements/read/mine", "state", "profile", "reports",
          "audit")
AUDIT = "audit"
# What `audit` may read: the scopes that open a resource for reading.
READ_BY_AUDIT = ("statements/read", "statements/read/mine", "state", "profile", "reports", AUDIT)
# Who reads /api/v1 (projections/rules/access.py): a credential bound to nobody reads every
# report with `reports` (or `all`); a bound one (a person, a verifier, a unit pengelola) reads
# within its binding with `reports` or `statements/write`, the scope its app holds to record
# learning and decide claims, so it sees what its statements do.
READS_REPORTS = ("all", "reports", "audit")
READS_BOUND_REPORTS = ("all", "reports", "audit", "statements/write")
# Roles a credential may be bound to: a delegated verifier of a unit kerja (in place of the
# atasan), the unit pengelola kompetensi of an instansi, an assessor of an instansi's pegawai
# (whose competency assessments set the assessed level, domain brief 6.3).
VERIFIER, UNIT_PENGELOLA, ASSESSOR = "verifier", "unit_pengelola", "assessor"
ROLES = (VERIFIER, UNIT_PENGELOLA, ASSESSOR)

# A NIP (nomor induk pegawai) is 18 digits.
NIP = re.compile(r"^[0-9]{18}$")
