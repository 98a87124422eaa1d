"""Service errors and their wire shapes.

Every failure inside the endpoint is raised as an :class:`AWSError` carrying
the AWS error code, the HTTP status and a message.  The protocol layer
(:mod:`awsendpoint.server`) renders it in the shape of the service that was
called:

* S3 (REST-XML): ``<Error><Code/><Message/>...<RequestId/><HostId/></Error>``,
  no namespace, ``application/xml``; HEAD responses carry no body.
  https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
* JSON 1.1 (CloudWatch Logs, CloudTrail): ``{"__type": code, "message": ...}``
  plus the ``x-amzn-RequestId`` header.
* Query (STS): ``<ErrorResponse xmlns=...><Error><Type>Sender</Type>
  <Code/><Message/></Error><RequestId/></ErrorResponse>``.
  https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html

Authentication failures are raised as :class:`AuthFailure` with a neutral
``kind``; :func:`auth_error` maps the kind to each service's own code
(S3 ``SignatureDoesNotMatch`` vs. JSON ``InvalidSignatureException`` vs.
STS ``SignatureDoesNotMatch``...).
"""

from xml.sax.saxutils import escape


class AWSError(Exception):
    """An AWS service error.

    :param code: the AWS error code (``NoSuchBucket``, ``ResourceNotFoundException``).
    :param message: human readable message.
    :param status: HTTP status code.
    :param extra: additional fields; S3 renders them as child elements of
        ``<Error>``, JSON services as extra top-level keys.
    :param headers: extra response headers (e.g. ``x-amz-bucket-region``).
    :param sender: ``Sender`` or ``Receiver`` (STS ``<Type>``).
    """

    def __init__(self, code, message, status=400, extra=None, headers=None,
                 sender=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        self.sender = sender or ("Receiver" if status >= 500 else "Sender")


class AuthFailure(Exception):
    """A request that failed authentication, before any service logic ran.

    ``kind`` is one of the keys of :data:`AUTH_ERRORS`.
    """

    def __init__(self, kind, message=None, extra=None):
        super().__init__(kind if message is None else f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.extra = dict(extra or {})


# kind -> {protocol: (code, status, default message)}
# Protocols: "s3" (rest-xml), "json" (Logs, CloudTrail), "query" (STS).
# Sources: S3 ErrorResponses (link above); the "Common Errors" page that every
# JSON/query API reference carries, e.g.
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html
# and https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html
_SIG_MISMATCH = ("The request signature we calculated does not match the "
                 "signature you provided. Check your key and signing method.")
_JSON_SIG_MISMATCH = (
    "The request signature we calculated does not match the signature you "
    "provided. Check your AWS Secret Access Key and signing method. Consult "
    "the service documentation for details.")

AUTH_ERRORS = {
    "missing": {
        "s3": ("AccessDenied", 403, "Access Denied"),
        "json": ("MissingAuthenticationTokenException", 403,
                 "Missing Authentication Token"),
        "query": ("MissingAuthenticationToken", 403,
                  "Request is missing Authentication Token"),
    },
    "malformed": {
        "s3": ("AuthorizationHeaderMalformed", 400,
               "The authorization header is malformed."),
        "json": ("IncompleteSignatureException", 403,
                 "The request signature does not conform to AWS standards."),
        "query": ("IncompleteSignature", 403,
                  "The request signature does not conform to AWS standards."),
    },
    "unsupported_algorithm": {
        "s3": ("InvalidRequest", 400,
               "The authorization mechanism you have provided is not "
               "supported. Please use AWS4-HMAC-SHA256."),
        "json": ("IncompleteSignatureException", 403,
                 "Unsupported AWS 'algorithm'"),
        "query": ("IncompleteSignature", 403, "Unsupported AWS 'algorithm'"),
    },
    "missing_date": {
        "s3": ("AccessDenied", 403,
               "AWS authentication requires a valid Date or x-amz-date header"),
        "json": ("IncompleteSignatureException", 403,
                 "Authorization header requires existence of either a "
                 "'X-Amz-Date' or a 'Date' header."),
        "query": ("IncompleteSignature", 403,
                  "Authorization header requires existence of either a "
                  "'X-Amz-Date' or a 'Date' header."),
    },
    "skew": {
        "s3": ("RequestTimeTooSkewed", 403,
               "The difference between the request time and the current "
               "time is too large."),
        "json": ("InvalidSignatureException", 403, "Signature expired"),
        "query": ("SignatureDoesNotMatch", 403, "Signature expired"),
    },
    "unknown_key": {
        "s3": ("InvalidAccessKeyId", 403,
               "The AWS Access Key Id you provided does not exist in our "
               "records."),
        "json": ("UnrecognizedClientException", 403,
                 "The security token included in the request is invalid."),
        "query": ("InvalidClientTokenId", 403,
                  "The security token included in the request is invalid."),
    },
    "invalid_token": {
        "s3": ("InvalidToken", 400,
               "The provided token is malformed or otherwise invalid."),
        "json": ("UnrecognizedClientException", 403,
                 "The security token included in the request is invalid."),
        "query": ("InvalidClientTokenId", 403,
                  "The security token included in the request is invalid."),
    },
    "expired_token": {
        "s3": ("ExpiredToken", 400, "The provided token has expired."),
        "json": ("ExpiredTokenException", 403,
                 "The security token included in the request is expired"),
        "query": ("ExpiredToken", 403,
                  "The security token included in the request is expired"),
    },
    "signature_mismatch": {
        "s3": ("SignatureDoesNotMatch", 403, _SIG_MISMATCH),
        "json": ("InvalidSignatureException", 403, _JSON_SIG_MISMATCH),
        "query": ("SignatureDoesNotMatch", 403, _JSON_SIG_MISMATCH),
    },
    "headers_not_signed": {
        "s3": ("AccessDenied", 403,
               "There were headers present in the request which were not "
               "signed"),
        "json": ("IncompleteSignatureException", 403,
                 "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                 "Authorization."),
        "query": ("IncompleteSignature", 403,
                  "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                  "Authorization."),
    },
    # S3 only: x-amz-content-sha256 is mandatory with SigV4 and must match
    # the body (sig-v4-header-based-auth.html, "Signed payload option").
    "missing_content_sha256": {
        "s3": ("InvalidRequest", 400,
               "Missing required header for this request: "
               "x-amz-content-sha256"),
    },
    "bad_content_sha256": {
        "s3": ("InvalidArgument", 400,
               "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
               "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value."),
    },
    "content_sha256_mismatch": {
        "s3": ("XAmzContentSHA256Mismatch", 400,
               "The provided 'x-amz-content-sha256' header does not match "
               "what was computed."),
    },
    "streaming": {
        "s3": ("NotImplemented", 501,
               "aws-chunked (STREAMING-*) payloads are not implemented by "
               "this endpoint."),
        "json": ("IncompleteSignatureException", 403,
                 "Streaming payloads are not supported."),
        "query": ("IncompleteSignature", 403,
                  "Streaming payloads are not supported."),
    },
    "presigned": {
        "s3": ("NotImplemented", 501,
               "Query-string (presigned) authentication is not implemented "
               "by this endpoint."),
        "json": ("IncompleteSignatureException", 403,
                 "Query-string authentication is not supported."),
        "query": ("IncompleteSignature", 403,
                  "Query-string authentication is not supported."),
    },
}


def auth_error(failure, protocol):
    """Translate an :class:`AuthFailure` into the :class:`AWSError` that the
    service speaking ``protocol`` (``s3``/``json``/``query``) returns."""
    table = AUTH_ERRORS.get(failure.kind, AUTH_ERRORS["malformed"])
    code, status, default = table.get(protocol) or table.get("s3")
    if protocol == "s3":
        # S3 keeps its fixed texts and reports details as extra elements.
        message = failure.message if failure.kind == "malformed" else None
    else:
        message = failure.message
    message = message or default
    extra = dict(failure.extra) if protocol == "s3" else {}
    return AWSError(code, message, status, extra=extra)


def s3_error_body(err, request_id, host_id):
    """Render an S3 ``<Error>`` document (bytes)."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<Error>',
             f"<Code>{escape(err.code)}</Code>",
             f"<Message>{escape(err.message)}</Message>"]
    for key, value in err.extra.items():
        if isinstance(value, (list, tuple)):
            for item in value:
                parts.append(f"<{key}>{escape(str(item))}</{key}>")
        else:
            parts.append(f"<{key}>{escape(str(value))}</{key}>")
    parts.append(f"<RequestId>{escape(request_id)}</RequestId>")
    parts.append(f"<HostId>{escape(host_id)}</HostId></Error>")
    return "".join(parts).encode("utf-8")


def query_error_body(err, request_id, namespace):
    """Render a query-protocol ``<ErrorResponse>`` document (bytes)."""
    return (
        f'<ErrorResponse xmlns="{namespace}">\n'
        f"  <Error>\n"
        f"    <Type>{escape(err.sender)}</Type>\n"
        f"    <Code>{escape(err.code)}</Code>\n"
        f"    <Message>{escape(err.message)}</Message>\n"
        f"  </Error>\n"
        f"  <RequestId>{escape(request_id)}</RequestId>\n"
        f"</ErrorResponse>\n"
    ).encode("utf-8")


def json_error_body(err):
    """The JSON 1.1 error document as a dict."""
    body = {"__type": err.code, "message": err.message}
    for key, value in err.extra.items():
        body.setdefault(key, value)
    return body
