"""Signature Version 4 verification with botocore's own signer.

The endpoint does not implement SigV4 itself.  For every signed request it
rebuilds a :class:`botocore.awsrequest.AWSRequest` holding exactly the headers
the client listed in ``SignedHeaders``, sets the signing timestamp to the
request's own ``X-Amz-Date`` and asks botocore's
:class:`botocore.auth.SigV4Auth` (or :class:`botocore.auth.S3SigV4Auth` for
S3) for the canonical request, the string to sign and the signature.  The
result is compared with the client's signature in constant time.

Rules applied (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):

* ``Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
  SignedHeaders=a;b, Signature=hex``; anything else is malformed;
* ``host`` must be signed; for S3 every ``x-amz-*`` header present must be
  signed too (S3 answers ``AccessDenied`` with ``HeadersNotSigned``);
* the request time (``X-Amz-Date``, else ``Date``) must be within 15 minutes
  of the server clock (S3 ``RequestTimeTooSkewed`` with
  ``MaxAllowedSkewMilliseconds`` 900000; other services "Signature expired");
* the credential scope date must be the date of ``X-Amz-Date``;
* S3 signs the path encoded once and not normalised, and requires
  ``x-amz-content-sha256`` (the body's SHA-256 or ``UNSIGNED-PAYLOAD``),
  which must match the body;
* session credentials must present their ``X-Amz-Security-Token``; expired
  ones are refused.
"""

import datetime
import hashlib
import hmac
import re
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote_to_bytes

from botocore.auth import S3SigV4Auth, SigV4Auth, SIGV4_TIMESTAMP
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from .errors import AuthFailure

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=15)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+"
    r"Credential\s*=\s*(?P<cred>[^,\s]+)\s*,\s*"
    r"SignedHeaders\s*=\s*(?P<signed>[^,\s]+)\s*,\s*"
    r"Signature\s*=\s*(?P<sig>[0-9a-fA-F]+)\s*$")
_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class ParsedAuthorization:
    """The fields of a SigV4 ``Authorization`` header."""

    def __init__(self, access_key_id, date, region, service, signed_headers,
                 signature):
        self.access_key_id = access_key_id
        self.date = date
        self.region = region
        self.service = service
        self.signed_headers = signed_headers
        self.signature = signature


def parse_authorization(value):
    """Parse an ``Authorization`` header; raise :class:`AuthFailure`."""
    value = value.strip()
    if not value.startswith(ALGORITHM + " "):
        raise AuthFailure("unsupported_algorithm",
                          "Unsupported AWS 'algorithm': "
                          f"'{value.split(' ', 1)[0]}'")
    match = _AUTH_RE.match(value)
    if not match:
        raise AuthFailure(
            "malformed",
            "Authorization header requires 'Credential', 'SignedHeaders' and "
            "'Signature' parameters. Authorization="
            + value[len(ALGORITHM) + 1:])
    cred = match.group("cred").split("/")
    if len(cred) != 5 or cred[4] != "aws4_request" or not cred[0]:
        raise AuthFailure(
            "malformed",
            "The authorization header is malformed; the Credential is "
            "mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/"
            "aws4_request\".")
    signed = match.group("signed").split(";")
    return ParsedAuthorization(cred[0], cred[1], cred[2], cred[3],
                               [h.strip().lower() for h in signed if h],
                               match.group("sig").lower())


def request_timestamp(headers):
    """The SigV4 timestamp (``YYYYMMDDTHHMMSSZ``) of a request, from
    ``X-Amz-Date`` or else ``Date``; ``None`` when neither parses."""
    amz = headers.get("X-Amz-Date")
    if amz is not None:
        amz = amz.strip()
        return amz if _DATE_RE.match(amz) else None
    date = headers.get("Date")
    if date:
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError):
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed.astimezone(datetime.timezone.utc).strftime(
            SIGV4_TIMESTAMP)
    return None


def _header_values(headers, name):
    """All values of a header, as the client sent the bytes (http.server
    decodes header bytes as latin-1; undo that to get the UTF-8 text)."""
    values = headers.get_all(name) or []
    out = []
    for value in values:
        try:
            out.append(value.encode("latin-1").decode("utf-8"))
        except (UnicodeEncodeError, UnicodeDecodeError):
            out.append(value)
    return out


def verify(request, credentials, clock, is_s3):
    """Authenticate ``request``.

    :param request: an :class:`awsendpoint.context.Request`.
    :param credentials: the :class:`CredentialStore`.
    :param clock: the endpoint :class:`Clock`.
    :param is_s3: apply the S3 signing rules.
    :returns: ``(identity, parsed)``: the
        :class:`awsendpoint.credentials.Identity` and the
        :class:`ParsedAuthorization` (credential scope region and service).
    :raises AuthFailure: with the failure kind.
    """
    headers = request.headers
    auth = parse_authorization(headers.get("Authorization", ""))

    if "host" not in auth.signed_headers:
        raise AuthFailure("headers_not_signed",
                          extra={"HeadersNotSigned": "host"})
    if is_s3:
        unsigned = sorted({k.lower() for k in headers.keys()
                           if k.lower().startswith("x-amz-")
                           and k.lower() not in auth.signed_headers})
        if unsigned:
            raise AuthFailure("headers_not_signed",
                              extra={"HeadersNotSigned": ", ".join(unsigned)})

    timestamp = request_timestamp(headers)
    if timestamp is None:
        raise AuthFailure("missing_date")
    when = datetime.datetime.strptime(timestamp, SIGV4_TIMESTAMP).replace(
        tzinfo=datetime.timezone.utc)
    now = clock.now()
    if abs(now - when) > MAX_SKEW:
        now_s = now.strftime(SIGV4_TIMESTAMP)
        if when < now:
            limit = (now - MAX_SKEW).strftime(SIGV4_TIMESTAMP)
            msg = (f"Signature expired: {timestamp} is now earlier than "
                   f"{limit} ({now_s} - 15 min.)")
        else:
            limit = (now + MAX_SKEW).strftime(SIGV4_TIMESTAMP)
            msg = (f"Signature not yet current: {timestamp} is still later "
                   f"than {limit} ({now_s} + 15 min.)")
        raise AuthFailure("skew", msg, extra={
            "RequestTime": headers.get("X-Amz-Date") or headers.get("Date"),
            "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "MaxAllowedSkewMilliseconds": 900000,
        })
    if auth.date != timestamp[:8]:
        raise AuthFailure(
            "malformed",
            "The authorization header is malformed; Invalid credential date. "
            "Date is not the same as X-Amz-Date.")

    identity = credentials.lookup(auth.access_key_id)
    if identity is None:
        raise AuthFailure("unknown_key",
                          extra={"AWSAccessKeyId": auth.access_key_id})
    token = headers.get("X-Amz-Security-Token")
    if identity.session_token:
        if token is None or not hmac.compare_digest(
                token.encode(), identity.session_token.encode()):
            raise AuthFailure("invalid_token")
        if identity.expiration is not None and identity.expiration <= now:
            raise AuthFailure("expired_token")
    elif token is not None:
        raise AuthFailure("invalid_token")

    # Payload hash.
    content_sha = None
    if is_s3:
        content_sha = headers.get("x-amz-content-sha256")
        if content_sha is None:
            raise AuthFailure("missing_content_sha256")
        content_sha = content_sha.strip()
        if content_sha.startswith("STREAMING-"):
            raise AuthFailure("streaming")
        if content_sha != "UNSIGNED-PAYLOAD" and \
                not _SHA256_RE.match(content_sha):
            raise AuthFailure("bad_content_sha256")

    # Rebuild the request with the signed headers only, and sign it.
    signed = HTTPHeaders()
    for name in auth.signed_headers:
        values = _header_values(headers, name)
        if not values:
            raise AuthFailure("signature_mismatch", extra={
                "Detail": f"signed header {name} is not in the request"})
        for value in values:
            signed[name] = value
    if is_s3:
        # Encoded once, not normalised; re-encode from the decoded bytes so
        # that the comparison does not depend on the client's hex case.
        path = quote(unquote_to_bytes(request.raw_path), safe="/~")
    else:
        path = request.raw_path or "/"
    aws_request = AWSRequest(method=request.method,
                             url="http://localhost" + (path or "/"),
                             headers=signed, data=request.body,
                             params=list(request.query) or None)
    aws_request.context["timestamp"] = timestamp
    creds = Credentials(identity.access_key_id, identity.secret_access_key,
                        identity.session_token)
    signer_cls = S3SigV4Auth if is_s3 else SigV4Auth
    signer = signer_cls(creds, auth.service, auth.region)
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    expected = signer.signature(string_to_sign, aws_request)

    if not hmac.compare_digest(expected, auth.signature):
        raise AuthFailure("signature_mismatch", extra={
            "AWSAccessKeyId": auth.access_key_id,
            "StringToSign": string_to_sign,
            "SignatureProvided": auth.signature,
            "CanonicalRequest": canonical,
        })
    body_sha = hashlib.sha256(request.body).hexdigest()
    if is_s3:
        if content_sha != "UNSIGNED-PAYLOAD" and content_sha != body_sha:
            raise AuthFailure("content_sha256_mismatch", extra={
                "ClientComputedContentSHA256": content_sha,
                "S3ComputedContentSHA256": body_sha,
            })
    else:
        # botocore uses a signed x-amz-content-sha256 header as the payload
        # hash; other services hash the body themselves.
        claimed = headers.get("x-amz-content-sha256")
        if claimed is not None and claimed.strip() != body_sha:
            raise AuthFailure("signature_mismatch")
    return identity, auth
