"""Typed errors the domain raises on purpose; lrs/api/errors.py maps them to HTTP."""


class LrsError(Exception):
    """Base for every error we raise on purpose."""


class BadRequest(LrsError):
    """The request is malformed: a parameter, header or body the spec forbids."""


class InvalidStatement(BadRequest):
    """A statement breaks a rule of the xAPI data model; the message names the field."""


class Unauthenticated(LrsError):
    """No credentials, or credentials we do not know."""


class NotAuthorized(LrsError):
    """The credential is known but its scope does not allow this request."""


class NotFound(LrsError):
    """The requested resource does not exist."""


class StatementConflict(LrsError):
    """A statement id is already stored with different content."""


class DocumentConflict(LrsError):
    """A PUT would overwrite a document the client has not said it knows (xAPI Communication 3.1)."""


class PreconditionFailed(LrsError):
    """An If-Match or If-None-Match header does not hold for the document as stored."""


class PayloadTooLarge(LrsError):
    """The request body is larger than the configured limit."""


class UnsupportedVersion(BadRequest):
    """The X-Experience-API-Version header is missing or names a version we do not speak."""


class InvalidPolicy(BadRequest):
    """A policy document breaks policy.schema.json or a rule it cannot say (the JP floor)."""


class BrokenChain(LrsError):
    """Events offered to the log do not follow its head, or a hash does not recompute."""


class SigningKeyError(LrsError):
    """A signing key file is missing, unreadable, or not an Ed25519 private key."""


class InvalidCheckpoint(BadRequest):
    """A checkpoint document lacks a field or holds one of the wrong form; the message names it."""


class InvalidExport(LrsError):
    """An export file is not one `lrs export` writes: the message names the line and the field."""


class ImportRefused(LrsError):
    """An export file cannot be imported: the store is not empty, the file is malformed, or its
    chain or checkpoints do not verify. Nothing was written."""


class TooManyRequests(LrsError):
    """Too many failed authentications for a key or from an address; `retry_after` seconds
    until the next attempt is checked."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(LrsError):
    """The database cannot be reached or cannot take the work for now; the same request may be
    sent again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InsufficientStorage(ServiceUnavailable):
    """The database has no room left (a full disk): the request was not stored."""
