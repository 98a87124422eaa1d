"""Amazon S3 (REST-XML, API 2006-03-01): the bucket-level operations logkeep uses.

Requests are routed with the model's ``http.method``/``requestUri`` of every
non-deprecated operation, their members are read from the places the input
shape declares (``uri``, ``header``, ``querystring``, XML ``payload``), and
responses are written with the operations' output shapes.

Implemented: CreateBucket, DeleteBucket, HeadBucket, ListBuckets,
GetBucketLocation, Put/Get/DeleteBucketLifecycleConfiguration,
Put/Get/DeleteBucketPolicy, Put/GetBucketVersioning,
Put/GetObjectLockConfiguration, Put/Get/DeletePublicAccessBlock,
Put/Get/DeleteBucketEncryption.  Any other operation the model knows answers
``501 NotImplemented``.

Behaviour encoded, with sources:

* error codes and statuses: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
* integrity header on the configuration PUTs (model ``httpChecksum.
  requestChecksumRequired``): without ``Content-MD5`` or an
  ``x-amz-checksum-*`` header S3 answers ``400 InvalidRequest``
  "Missing required header for this request: Content-MD5"; a wrong MD5 is
  ``400 BadDigest``, an undecodable one ``400 InvalidDigest``
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html)
* bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
* CreateBucket regions: no LocationConstraint means us-east-1, ``EU`` means
  eu-west-1, an explicit ``us-east-1`` is ``InvalidLocationConstraint``, and a
  constraint other than the endpoint's region is
  ``IllegalLocationConstraintException``
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html)
* a request signed for a region other than the bucket's gets
  ``400 AuthorizationHeaderMalformed`` with ``<Region>`` and the
  ``x-amz-bucket-region`` header (what botocore's S3RegionRedirector reads)
* Object Lock: a bucket created with ``x-amz-bucket-object-lock-enabled`` has
  versioning enabled; PutObjectLockConfiguration on any other bucket needs
  versioning ``Enabled`` (else ``409 InvalidBucketState``); versioning of an
  Object Lock bucket cannot be suspended
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html)
* lifecycle rule checks: https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
  and https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
* bucket policies: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
  (stored byte for byte, returned as given; at most 20 KB)
"""

import base64
import binascii
import hashlib
import ipaddress
import json
import re
import zlib

from . import authz, iampolicy, models, s3objects
from .context import Response
from .errors import AWSError
from .state import new_bucket

SERVICE = "s3"

MALFORMED_XML = ("The XML you provided was not well-formed or did not "
                 "validate against our published schema")

# Operations implemented here; every other model operation is NotImplemented.
IMPLEMENTED = {
    "CreateBucket", "DeleteBucket", "HeadBucket", "ListBuckets",
    "GetBucketLocation",
    "PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration",
    "DeleteBucketLifecycle",
    "PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy",
    "PutBucketVersioning", "GetBucketVersioning",
    "PutObjectLockConfiguration", "GetObjectLockConfiguration",
    "PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
    "PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
    "GetBucketAcl",
} | set(s3objects.HANDLERS)

# Allowed values of x-amz-transition-default-minimum-object-size
# (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html).
TRANSITION_MIN_SIZES = ("varies_by_storage_class", "all_storage_classes_128K")
DEFAULT_TRANSITION_MIN_SIZE = "all_storage_classes_128K"

MAX_POLICY_BYTES = 20 * 1024


# ---------------------------------------------------------------------------
# Routing

class Route:
    def __init__(self, name, method, kind, query):
        self.name = name
        self.method = method
        self.kind = kind          # "service" | "bucket" | "object"
        self.query = query        # list of (key, value-or-None)


def _build_routes():
    model = models.service_model(SERVICE)
    routes = []
    for name in model.operation_names:
        op = model.operation_model(name)
        if op.deprecated:
            continue
        uri = op.http["requestUri"]
        path, _, query = uri.partition("?")
        if path == "/":
            kind = "service"
        elif "{Key" in path:
            kind = "object"
        else:
            kind = "bucket"
        reqs = []
        for part in filter(None, query.split("&")):
            key, eq, value = part.partition("=")
            reqs.append((key, value if eq else None))
        routes.append(Route(name, op.http["method"], kind, reqs))
    return routes


_ROUTES = None


def routes():
    global _ROUTES
    if _ROUTES is None:
        _ROUTES = _build_routes()
    return _ROUTES


_VHOST_RE = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*[a-z0-9])\."
                       r"(?:s3[.-]|localhost(?::\d+)?$)")


def address(request):
    """Split a request into ``(bucket, key)`` from the Host header
    (virtual-hosted style ``bucket.s3.<region>.amazonaws.com`` or
    ``bucket.localhost``) or else from the path (path style)."""
    host = (request.headers.get("Host") or "").strip().lower()
    match = _VHOST_RE.match(host)
    path = request.path
    if match:
        bucket = match.group("bucket")
        key = path[1:] if path.startswith("/") else path
        return bucket, (key or None)
    parts = path.lstrip("/").split("/", 1)
    bucket = parts[0] or None
    key = parts[1] if len(parts) > 1 and parts[1] else None
    return bucket, key


def route(request):
    """The operation name for an S3 request, or ``None``."""
    bucket, key = address(request)
    kind = "object" if key else ("bucket" if bucket else "service")
    present = {}
    for k, v in request.query:
        present.setdefault(k, v)
    best, best_score = None, -1
    for r in routes():
        if r.method != request.method or r.kind != kind:
            continue
        ok = True
        for qk, qv in r.query:
            if qk not in present or (qv is not None and present[qk] != qv):
                ok = False
                break
        if not ok:
            continue
        score = len(r.query) * 10
        # Prefer the operation whose required query members are all present
        # (GetBucketAnalyticsConfiguration with ?id= vs the List variant).
        model = models.service_model(SERVICE).operation_model(r.name)
        shape = model.input_shape
        if shape is not None:
            for req in shape.metadata.get("required", []):
                member = shape.members[req]
                if member.serialization.get("location") == "querystring":
                    if member.serialization.get("name") in present:
                        score += 1
                    else:
                        score -= 5
                elif member.serialization.get("location") == "header" and \
                        member.serialization.get("name") not in \
                        request.headers:
                    # CopyObject (x-amz-copy-source) vs PutObject.
                    score -= 5
        if score > best_score:
            best, best_score = r.name, score
    return best


# ---------------------------------------------------------------------------
# Reading a request into the input shape

def _header_value(text, shape, name):
    kind = shape.type_name
    if kind == "boolean":
        low = text.strip().lower()
        if low not in ("true", "false"):
            raise AWSError("InvalidArgument",
                           f"Invalid value for header {name}: {text}",
                           extra={"ArgumentName": name,
                                  "ArgumentValue": text})
        return low == "true"
    if kind in ("integer", "long"):
        try:
            return int(text.strip())
        except ValueError:
            raise AWSError("InvalidArgument",
                           f"Invalid value for header {name}: {text}",
                           extra={"ArgumentName": name,
                                  "ArgumentValue": text}) from None
    return text


def read_params(call, op_model, bucket, key):
    """Read the operation's members from the request (model-driven)."""
    request = call.request
    shape = op_model.input_shape
    params = {}
    if shape is None:
        return params
    query = request.query_dict()
    payload_name = shape.serialization.get("payload")
    for name, mshape in shape.members.items():
        loc = mshape.serialization.get("location")
        loc_name = mshape.serialization.get("name", name)
        if loc == "uri":
            if loc_name == "Bucket" and bucket is not None:
                params[name] = bucket
            elif loc_name.startswith("Key") and key is not None:
                params[name] = key
        elif loc == "header":
            value = request.headers.get(loc_name)
            if value is not None:
                params[name] = _header_value(value, mshape, loc_name)
        elif loc == "headers":
            prefix = loc_name.lower()
            found = {k[len(prefix):]: v for k, v in request.headers.items()
                     if k.lower().startswith(prefix)}
            if found:
                params[name] = found
        elif loc == "querystring":
            if loc_name in query:
                value = query[loc_name]
                if mshape.type_name in ("integer", "long"):
                    try:
                        value = int(value)
                    except ValueError:
                        raise AWSError("InvalidArgument",
                                       f"Invalid value for {loc_name}") \
                            from None
                params[name] = value
    if payload_name:
        pshape = shape.members[payload_name]
        body = request.body
        if pshape.type_name == "structure":
            if body.strip():
                root = pshape.serialization.get("name", payload_name)
                try:
                    params[payload_name] = models.xml_to_params(
                        body, pshape, root)
                except models.ShapeError:
                    raise AWSError("MalformedXML", MALFORMED_XML) from None
        elif pshape.type_name in ("string", "blob"):
            if body:
                params[payload_name] = (body.decode("utf-8", "replace")
                                        if pshape.type_name == "string"
                                        else body)
    # Constraint and type checks of the XML body: S3 reports them as
    # MalformedXML; header/query problems as InvalidArgument.
    if payload_name and payload_name in params and \
            shape.members[payload_name].type_name == "structure":
        pshape = shape.members[payload_name]
        if models.constraint_errors(params[payload_name], pshape):
            raise AWSError("MalformedXML", MALFORMED_XML)
    problems = models.type_errors(params, shape)
    if problems:
        raise AWSError("InvalidArgument", problems.splitlines()[0])
    return params


# ---------------------------------------------------------------------------
# Integrity headers

def _crc32c(data):
    crc = 0xFFFFFFFF
    table = _crc32c_table()
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


_CRC32C_TABLE = None


def _crc32c_table():
    global _CRC32C_TABLE
    if _CRC32C_TABLE is None:
        table = []
        for i in range(256):
            crc = i
            for _ in range(8):
                crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
            table.append(crc)
        _CRC32C_TABLE = table
    return _CRC32C_TABLE


_CHECKSUMS = {
    "crc32": lambda b: (zlib.crc32(b) & 0xFFFFFFFF).to_bytes(4, "big"),
    "crc32c": lambda b: _crc32c(b).to_bytes(4, "big"),
    "sha1": lambda b: hashlib.sha1(b).digest(),
    "sha256": lambda b: hashlib.sha256(b).digest(),
}


def check_integrity(call, op_model):
    """Enforce the model's ``requestChecksumRequired`` and verify any
    ``Content-MD5`` / ``x-amz-checksum-*`` header against the body."""
    headers = call.request.headers
    body = call.request.body
    md5 = headers.get("Content-MD5")
    present = []
    if md5 is not None:
        try:
            digest = base64.b64decode(md5.strip(), validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) != 16:
            raise AWSError("InvalidDigest",
                           "The Content-MD5 you specified was invalid.",
                           extra={"Content-MD5": md5})
        if digest != hashlib.md5(body).digest():
            raise AWSError(
                "BadDigest",
                "The Content-MD5 you specified did not match what we "
                "received.",
                extra={"ExpectedDigest": md5,
                       "CalculatedDigest": base64.b64encode(
                           hashlib.md5(body).digest()).decode()})
        present.append("md5")
    for name in list(headers.keys()):
        low = name.lower()
        if not low.startswith("x-amz-checksum-") or \
                low == "x-amz-checksum-mode":
            continue
        algo = low[len("x-amz-checksum-"):]
        fn = _CHECKSUMS.get(algo)
        if fn is None:
            raise AWSError("InvalidRequest",
                           f"Unsupported checksum header {name}")
        value = headers.get(name).strip()
        try:
            claimed = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            claimed = None
        actual = fn(body)
        if claimed is None or len(claimed) != len(actual):
            raise AWSError("InvalidRequest",
                           f"Value for {low} header is invalid.")
        if claimed != actual:
            raise AWSError(
                "BadDigest",
                f"The {algo.upper()} you specified did not match the "
                "calculated checksum.")
        present.append(algo)
    sdk_algo = headers.get("x-amz-sdk-checksum-algorithm")
    if sdk_algo and sdk_algo.strip().lower() not in present:
        raise AWSError(
            "InvalidRequest",
            "x-amz-sdk-checksum-algorithm specified, but no corresponding "
            "x-amz-checksum-* or x-amz-trailer headers were found.")
    checksum = op_model.http_checksum or {}
    required = (checksum.get("requestChecksumRequired")
                or getattr(op_model, "http_checksum_required", False))
    if required and not present:
        raise AWSError("InvalidRequest",
                       "Missing required header for this request: "
                       "Content-MD5")


# ---------------------------------------------------------------------------
# Handlers

def _xml_response(data, status=200, headers=None):
    return Response(status, [("Content-Type", "application/xml")]
                    + list(headers or []), data)


_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def valid_bucket_name(name):
    """General purpose bucket naming rules (see module docstring)."""
    if not 3 <= len(name) <= 63:
        return False
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]*[a-z0-9]", name):
        return False
    if ".." in name or ".-" in name or "-." in name:
        return False
    try:
        ipaddress.IPv4Address(name)
        return False
    except ValueError:
        pass
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        if name.startswith(prefix):
            return False
    for suffix in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        if name.endswith(suffix):
            return False
    return True


def _no_such_bucket(name):
    return AWSError("NoSuchBucket", "The specified bucket does not exist",
                    404, extra={"BucketName": name})


def _bucket(call, params, check_region=True):
    name = params.get("Bucket")
    call.resource = name
    bucket = call.state.buckets.get(name)
    if bucket is None:
        raise _no_such_bucket(name)
    expected = params.get("ExpectedBucketOwner")
    authz.authorize_s3(call, bucket, params)
    if expected is not None and expected != bucket["owner"]:
        raise AWSError("AccessDenied", "Access Denied", 403)
    if check_region and call.endpoint.config.get("s3_enforce_bucket_region",
                                                 True) \
            and bucket["region"] != call.region:
        raise AWSError(
            "AuthorizationHeaderMalformed",
            f"The authorization header is malformed; the region "
            f"'{call.region}' is wrong; expecting '{bucket['region']}'",
            400, extra={"Region": bucket["region"]},
            headers={"x-amz-bucket-region": bucket["region"]})
    return bucket


def _output_shape(operation):
    return models.service_model(SERVICE).operation_model(
        operation).output_shape


def create_bucket(call, params):
    name = params["Bucket"]
    call.resource = name
    if not valid_bucket_name(name):
        raise AWSError("InvalidBucketName", "The specified bucket is not "
                       "valid.", extra={"BucketName": name})
    authz.authorize_s3(call, None, params, bucket_name=name)
    config = params.get("CreateBucketConfiguration") or {}
    constraint = config.get("LocationConstraint")
    if constraint == "us-east-1" or (
            constraint not in (None, "", "EU")
            and not _REGION_RE.match(constraint)):
        raise AWSError("InvalidLocationConstraint",
                       "The specified location-constraint is not valid",
                       extra={"LocationConstraint": constraint})
    region = {"": "us-east-1", None: "us-east-1",
              "EU": "eu-west-1"}.get(constraint, constraint)
    if call.endpoint.config.get("s3_enforce_bucket_region", True) and \
            region != call.region:
        shown = constraint if constraint else "unspecified"
        raise AWSError(
            "IllegalLocationConstraintException",
            f"The {shown} location constraint is incompatible for the "
            "region specific endpoint this request was sent to.")
    existing = call.state.buckets.get(name)
    if existing is not None:
        if existing["owner"] != call.account:
            raise AWSError("BucketAlreadyExists",
                           "The requested bucket name is not available. The "
                           "bucket namespace is shared by all users of the "
                           "system. Please select a different name and try "
                           "again.", 409, extra={"BucketName": name})
        if region != "us-east-1":
            raise AWSError("BucketAlreadyOwnedByYou",
                           "Your previous request to create the named bucket "
                           "succeeded and you already own it.", 409,
                           extra={"BucketName": name})
        # us-east-1 keeps its legacy answer: 200 for a bucket you own.
        return Response(200, [("Location", f"/{name}")])
    bucket = new_bucket(
        name, call.account, region, call.clock,
        object_lock=params.get("ObjectLockEnabledForBucket", False),
        default_encryption=call.endpoint.config.get("s3_default_encryption",
                                                    True))
    bucket["location_constraint"] = constraint or ""
    call.state.buckets[name] = bucket
    return Response(200, [("Location", f"/{name}")])


def delete_bucket(call, params):
    bucket = _bucket(call, params)
    if any(bucket.get("objects") or {}):
        raise AWSError("BucketNotEmpty", "The bucket you tried to delete is "
                       "not empty", 409, extra={"BucketName": bucket["name"]})
    del call.state.buckets[bucket["name"]]
    return Response(204)


def head_bucket(call, params):
    name = params.get("Bucket")
    call.resource = name
    bucket = call.state.buckets.get(name)
    if bucket is None:
        raise _no_such_bucket(name)
    bucket = _bucket(call, params)
    return Response(200, [("x-amz-bucket-region", bucket["region"]),
                          ("x-amz-access-point-alias", "false")])


def list_buckets(call, params):
    authz.authorize_s3(call, None, params)
    owned = sorted((b for b in call.state.buckets.values()
                    if b["owner"] == call.account), key=lambda b: b["name"])
    out = {
        "Buckets": [{"Name": b["name"], "CreationDate": b["creation_date"]}
                    for b in owned],
        "Owner": {"ID": hashlib.sha256(call.account.encode()).hexdigest(),
                  "DisplayName": call.account},
    }
    return _xml_response(models.params_to_xml(
        out, _output_shape("ListBuckets"), "ListAllMyBucketsResult"))


def get_bucket_location(call, params):
    bucket = _bucket(call, params, check_region=False)
    constraint = bucket.get("location_constraint")
    if constraint is None:
        constraint = "" if bucket["region"] == "us-east-1" else \
            bucket["region"]
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + (f'<LocationConstraint xmlns="{models.S3_NS}">{constraint}'
               "</LocationConstraint>").encode())
    return _xml_response(body)


# -- lifecycle ---------------------------------------------------------------

def _invalid_argument(message, name=None, value=None):
    extra = {}
    if name is not None:
        extra["ArgumentName"] = name
        extra["ArgumentValue"] = "" if value is None else str(value)
    return AWSError("InvalidArgument", message, extra=extra)


def validate_lifecycle(config):
    """Semantic checks S3 applies to a lifecycle configuration beyond its
    schema (see the module docstring for the sources)."""
    rules = config.get("Rules") or []
    if not rules:
        raise AWSError("MalformedXML", MALFORMED_XML)
    if len(rules) > 1000:
        raise _invalid_argument("Lifecycle configuration cannot have more "
                                "than 1000 rules.")
    seen_ids = set()
    for rule in rules:
        rid = rule.get("ID")
        if rid is not None:
            if len(rid) > 255:
                raise _invalid_argument(
                    "ID length should not exceed allowed limit of 255",
                    "ID", rid)
            if rid in seen_ids:
                raise _invalid_argument(
                    "Rule ID must be unique. Found same ID for more than one "
                    "rule", "ID", rid)
            seen_ids.add(rid)
        has_filter = "Filter" in rule
        has_prefix = "Prefix" in rule
        if has_filter == has_prefix:
            # Exactly one of Filter or the deprecated Prefix.
            raise AWSError("MalformedXML", MALFORMED_XML)
        if has_filter:
            chosen = [k for k in ("Prefix", "Tag", "And",
                                  "ObjectSizeGreaterThan",
                                  "ObjectSizeLessThan")
                      if k in rule["Filter"]]
            if len(chosen) > 1:
                raise AWSError("MalformedXML", MALFORMED_XML)
        actions = [k for k in ("Expiration", "Transitions",
                               "NoncurrentVersionExpiration",
                               "NoncurrentVersionTransitions",
                               "AbortIncompleteMultipartUpload")
                   if rule.get(k)]
        if not actions:
            raise AWSError("InvalidRequest",
                           "At least one action needs to be specified in a "
                           "rule")
        exp = rule.get("Expiration")
        if exp is not None:
            kinds = [k for k in ("Days", "Date", "ExpiredObjectDeleteMarker")
                     if k in exp]
            if len(kinds) != 1:
                raise AWSError("MalformedXML", MALFORMED_XML)
            if "Days" in exp and exp["Days"] <= 0:
                raise _invalid_argument("'Days' for Expiration action must "
                                        "be a positive integer", "Days",
                                        exp["Days"])
            if "Date" in exp and "T00:00:00" not in exp["Date"]:
                raise _invalid_argument("'Date' must be at midnight GMT",
                                        "Date", exp["Date"])
        max_transition_days = 0
        for tr in rule.get("Transitions") or []:
            kinds = [k for k in ("Days", "Date") if k in tr]
            if len(kinds) != 1 or "StorageClass" not in tr:
                raise AWSError("MalformedXML", MALFORMED_XML)
            if "Days" in tr:
                days = tr["Days"]
                if days < 0:
                    raise _invalid_argument("'Days' in Transition action "
                                            "must be nonnegative", "Days",
                                            days)
                if tr["StorageClass"] in ("STANDARD_IA", "ONEZONE_IA") and \
                        days < 30:
                    raise _invalid_argument(
                        "'Days' in Transition action must be greater than "
                        "or equal to 30 for storageClass "
                        f"'{tr['StorageClass']}'", "Days", days)
                max_transition_days = max(max_transition_days, days)
        if exp is not None and "Days" in exp and max_transition_days and \
                exp["Days"] <= max_transition_days:
            raise _invalid_argument(
                "'Days' in the Expiration action for filter must be greater "
                "than 'Days' in the Transition action", "Days", exp["Days"])
        nve = rule.get("NoncurrentVersionExpiration")
        if nve is not None:
            if nve.get("NoncurrentDays") is None and \
                    nve.get("NewerNoncurrentVersions") is None:
                raise AWSError("MalformedXML", MALFORMED_XML)
            if nve.get("NoncurrentDays") is not None and \
                    nve["NoncurrentDays"] <= 0:
                raise _invalid_argument(
                    "'NoncurrentDays' for NoncurrentVersionExpiration action "
                    "must be a positive integer", "NoncurrentDays",
                    nve["NoncurrentDays"])
        for tr in rule.get("NoncurrentVersionTransitions") or []:
            if "StorageClass" not in tr or tr.get("NoncurrentDays") is None:
                raise AWSError("MalformedXML", MALFORMED_XML)
            if tr["StorageClass"] in ("STANDARD_IA", "ONEZONE_IA") and \
                    tr["NoncurrentDays"] < 30:
                raise _invalid_argument(
                    "'NoncurrentDays' in NoncurrentVersionTransition action "
                    "must be greater than or equal to 30 for storageClass "
                    f"'{tr['StorageClass']}'", "NoncurrentDays",
                    tr["NoncurrentDays"])
        abort = rule.get("AbortIncompleteMultipartUpload")
        if abort is not None:
            if abort.get("DaysAfterInitiation") is None:
                raise AWSError("MalformedXML", MALFORMED_XML)
            if abort["DaysAfterInitiation"] <= 0:
                raise _invalid_argument(
                    "'DaysAfterInitiation' for AbortIncompleteMultipartUpload "
                    "action must be a positive integer",
                    "DaysAfterInitiation", abort["DaysAfterInitiation"])


def put_lifecycle(call, params):
    bucket = _bucket(call, params)
    config = params.get("LifecycleConfiguration")
    if config is None:
        raise AWSError("MalformedXML", MALFORMED_XML)
    size = call.request.headers.get("x-amz-transition-default-minimum-"
                                    "object-size")
    if size is not None and size not in TRANSITION_MIN_SIZES:
        raise _invalid_argument(
            "Invalid value for x-amz-transition-default-minimum-object-size",
            "x-amz-transition-default-minimum-object-size", size)
    validate_lifecycle(config)
    if (bucket.get("versioning") or {}).get("MFADelete") == "Enabled":
        # "Lifecycle configuration on MFA-enabled buckets is not supported."
        # (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-and-other-bucket-config.html).
        # The error S3 returns is not documented; see README "knowingly
        # differs".
        raise AWSError("InvalidBucketState",
                       "Lifecycle configuration is not supported on a bucket "
                       "with MFA delete enabled", 400)
    bucket["lifecycle"] = config
    bucket["lifecycle_transition_default_minimum_object_size"] = (
        size or DEFAULT_TRANSITION_MIN_SIZE)
    return Response(200, [("x-amz-transition-default-minimum-object-size",
                           size or DEFAULT_TRANSITION_MIN_SIZE)])


def get_lifecycle(call, params):
    bucket = _bucket(call, params)
    if not bucket.get("lifecycle"):
        raise AWSError("NoSuchLifecycleConfiguration",
                       "The lifecycle configuration does not exist", 404,
                       extra={"BucketName": bucket["name"]})
    shape = models.service_model(SERVICE).shape_for(
        "BucketLifecycleConfiguration")
    body = models.params_to_xml(bucket["lifecycle"], shape,
                                "LifecycleConfiguration")
    size = (bucket.get("lifecycle_transition_default_minimum_object_size")
            or DEFAULT_TRANSITION_MIN_SIZE)
    return _xml_response(body, headers=[
        ("x-amz-transition-default-minimum-object-size", size)])


def delete_lifecycle(call, params):
    bucket = _bucket(call, params)
    bucket["lifecycle"] = None
    bucket["lifecycle_transition_default_minimum_object_size"] = None
    return Response(204)


# -- policy --------------------------------------------------------------------

def _malformed_policy(message):
    return AWSError("MalformedPolicy", message)


def validate_policy(text, bucket_name):
    """Checks S3 applies to a bucket policy document."""
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise _malformed_policy("Policies must be less than 20 KB")
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        raise _malformed_policy("Policies must be valid JSON and the first "
                                "byte must be '{'")
    try:
        doc = json.loads(text)
    except ValueError:
        raise _malformed_policy("This policy contains invalid Json") from None
    if not isinstance(doc, dict):
        raise _malformed_policy("Policies must be valid JSON and the first "
                                "byte must be '{'")
    version = doc.get("Version")
    if version is not None and version not in ("2012-10-17", "2008-10-17"):
        raise _malformed_policy("The policy must contain a valid version "
                                "string")
    statements = doc.get("Statement")
    if statements is None:
        raise _malformed_policy("Missing required field Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed_policy("Missing required field Statement")
    for st in statements:
        if not isinstance(st, dict):
            raise _malformed_policy("Policy statement must be an object")
        if st.get("Effect") not in ("Allow", "Deny"):
            raise _malformed_policy("Invalid effect: "
                                    f"{st.get('Effect')}" if "Effect" in st
                                    else "Missing required field Effect")
        if "Principal" not in st and "NotPrincipal" not in st:
            raise _malformed_policy("Missing required field Principal")
        if "Action" not in st and "NotAction" not in st:
            raise _malformed_policy("Missing required field Action")
        actions = st.get("Action", st.get("NotAction"))
        for action in (actions if isinstance(actions, list) else [actions]):
            if not isinstance(action, str) or not (
                    action == "*" or action.lower().startswith("s3:")):
                raise _malformed_policy("Policy has invalid action")
        resources = st.get("Resource", st.get("NotResource"))
        if resources is None:
            raise _malformed_policy("Missing required field Resource")
        for res in (resources if isinstance(resources, list)
                    else [resources]):
            if not isinstance(res, str):
                raise _malformed_policy("Policy has invalid resource")
            if res == "*":
                continue
            arn = f"arn:aws:s3:::{bucket_name}"
            if not (res == arn or res.startswith(arn + "/")
                    or ("*" in res and _wild_prefix_ok(res, arn))):
                raise _malformed_policy("Policy has invalid resource")


def _wild_prefix_ok(pattern, arn):
    head = pattern.split("*", 1)[0].split("?", 1)[0]
    return arn.startswith(head) or head.startswith(arn)


def block_public_policy(call, bucket):
    """Whether BlockPublicPolicy is on for the bucket or its owner's account
    (S3 applies the most restrictive combination of the two:
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
    The account-level setting comes from the config's
    ``s3_account_public_access_block`` (``{account: {...}}``)."""
    accounts = call.endpoint.config.get("s3_account_public_access_block") \
        or {}
    for config in (bucket.get("public_access_block") or {},
                   accounts.get(bucket["owner"]) or {}):
        if config.get("BlockPublicPolicy"):
            return True
    return False


def put_policy(call, params):
    bucket = _bucket(call, params)
    text = params.get("Policy")
    if text is None:
        raise _malformed_policy("Policies must be valid JSON and the first "
                                "byte must be '{'")
    validate_policy(text, bucket["name"])
    if block_public_policy(call, bucket):
        public = iampolicy.public_statements(json.loads(text))
        if public:
            raise AWSError(
                "AccessDenied",
                "User: " + (call.identity.arn if call.identity else "") +
                " is not authorized to perform: s3:PutBucketPolicy on "
                f"resource: \"arn:aws:s3:::{bucket['name']}\" because "
                "public policies are blocked by the BlockPublicPolicy block "
                "public access setting.", 403)
    bucket["policy"] = text
    return Response(204)


def get_policy(call, params):
    bucket = _bucket(call, params)
    if bucket.get("policy") is None:
        raise AWSError("NoSuchBucketPolicy", "The bucket policy does not "
                       "exist", 404, extra={"BucketName": bucket["name"]})
    return Response(200, [("Content-Type", "application/json")],
                    bucket["policy"].encode("utf-8"))


def delete_policy(call, params):
    bucket = _bucket(call, params)
    bucket["policy"] = None
    return Response(204)


# -- versioning ----------------------------------------------------------------

def put_versioning(call, params):
    bucket = _bucket(call, params)
    config = params.get("VersioningConfiguration")
    if config is None:
        raise AWSError("MalformedXML", MALFORMED_XML)
    status = config.get("Status")
    if bucket.get("object_lock_enabled") and status == "Suspended":
        raise AWSError("InvalidBucketState",
                       "An Object Lock configuration is present on this "
                       "bucket, so the versioning state cannot be changed.",
                       409)
    if config.get("MFADelete") is not None and \
            call.request.headers.get("x-amz-mfa") is None:
        raise AWSError("InvalidRequest",
                       "MFA Authentication must be used for this request")
    new = dict(bucket.get("versioning") or {})
    if status is not None:
        new["Status"] = status
    if config.get("MFADelete") is not None:
        new["MFADelete"] = config["MFADelete"]
    bucket["versioning"] = new
    return Response(200)


def get_versioning(call, params):
    bucket = _bucket(call, params)
    body = models.params_to_xml(bucket.get("versioning") or {},
                                _output_shape("GetBucketVersioning"),
                                "VersioningConfiguration")
    return _xml_response(body)


# -- object lock -----------------------------------------------------------------

def put_object_lock(call, params):
    bucket = _bucket(call, params)
    config = params.get("ObjectLockConfiguration")
    if config is None or config.get("ObjectLockEnabled") != "Enabled":
        raise AWSError("MalformedXML", MALFORMED_XML)
    if not bucket.get("object_lock_enabled"):
        if (bucket.get("versioning") or {}).get("Status") != "Enabled":
            raise AWSError("InvalidBucketState",
                           "Versioning must be 'Enabled' on the bucket to "
                           "apply a Object Lock configuration", 409)
    rule = config.get("Rule")
    if rule is not None:
        retention = rule.get("DefaultRetention")
        if retention is None or "Mode" not in retention:
            raise AWSError("MalformedXML", MALFORMED_XML)
        periods = [k for k in ("Days", "Years") if k in retention]
        if len(periods) != 1:
            raise AWSError("MalformedXML", MALFORMED_XML)
        value = retention[periods[0]]
        if value <= 0:
            raise _invalid_argument("Default retention period must be a "
                                    "positive integer value", periods[0],
                                    value)
        if (periods[0] == "Days" and value > 36500) or \
                (periods[0] == "Years" and value > 100):
            raise _invalid_argument("Default retention period is too large.",
                                    periods[0], value)
    bucket["object_lock_enabled"] = True
    bucket["object_lock"] = config
    return Response(200)


def get_object_lock(call, params):
    bucket = _bucket(call, params)
    if not bucket.get("object_lock_enabled"):
        raise AWSError("ObjectLockConfigurationNotFoundError",
                       "Object Lock configuration does not exist for this "
                       "bucket", 404, extra={"BucketName": bucket["name"]})
    config = bucket.get("object_lock") or {"ObjectLockEnabled": "Enabled"}
    shape = models.service_model(SERVICE).shape_for("ObjectLockConfiguration")
    return _xml_response(models.params_to_xml(config, shape,
                                              "ObjectLockConfiguration"))


# -- public access block ---------------------------------------------------------

def put_public_access_block(call, params):
    bucket = _bucket(call, params)
    config = params.get("PublicAccessBlockConfiguration")
    if config is None:
        raise AWSError("MalformedXML", MALFORMED_XML)
    bucket["public_access_block"] = config
    return Response(200)


def get_public_access_block(call, params):
    bucket = _bucket(call, params)
    if bucket.get("public_access_block") is None:
        raise AWSError("NoSuchPublicAccessBlockConfiguration",
                       "The public access block configuration was not found",
                       404, extra={"BucketName": bucket["name"]})
    shape = models.service_model(SERVICE).shape_for(
        "PublicAccessBlockConfiguration")
    return _xml_response(models.params_to_xml(
        bucket["public_access_block"], shape,
        "PublicAccessBlockConfiguration"))


def delete_public_access_block(call, params):
    bucket = _bucket(call, params)
    bucket["public_access_block"] = None
    return Response(204)


# -- encryption ------------------------------------------------------------------

def put_encryption(call, params):
    bucket = _bucket(call, params)
    config = params.get("ServerSideEncryptionConfiguration")
    if config is None or not config.get("Rules"):
        raise AWSError("MalformedXML", MALFORMED_XML)
    for rule in config["Rules"]:
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default is None:
            continue
        algo = default.get("SSEAlgorithm")
        if default.get("KMSMasterKeyID") and \
                algo not in ("aws:kms", "aws:kms:dsse"):
            raise _invalid_argument(
                "a KMSMasterKeyID is not applicable if the default sse "
                "algorithm is not aws:kms or aws:kms:dsse",
                "ApplyServerSideEncryptionByDefault")
    bucket["encryption"] = config
    return Response(200)


def get_encryption(call, params):
    bucket = _bucket(call, params)
    if bucket.get("encryption") is None:
        raise AWSError("ServerSideEncryptionConfigurationNotFoundError",
                       "The server side encryption configuration was not "
                       "found", 404, extra={"BucketName": bucket["name"]})
    shape = models.service_model(SERVICE).shape_for(
        "ServerSideEncryptionConfiguration")
    return _xml_response(models.params_to_xml(
        bucket["encryption"], shape, "ServerSideEncryptionConfiguration"))


def delete_encryption(call, params):
    bucket = _bucket(call, params)
    if call.endpoint.config.get("s3_default_encryption", True):
        bucket["encryption"] = {"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False}]}
    else:
        bucket["encryption"] = None
    return Response(204)


# -- ACL ---------------------------------------------------------------------------

def get_bucket_acl(call, params):
    """The bucket owner's FULL_CONTROL grant: the ACL of a bucket with
    ObjectOwnership BucketOwnerEnforced, the default since April 2023
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html)."""
    bucket = _bucket(call, params)
    owner = {"ID": hashlib.sha256(bucket["owner"].encode()).hexdigest(),
             "DisplayName": bucket["owner"]}
    grantee = dict(owner, Type="CanonicalUser")
    body = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + (f'<AccessControlPolicy xmlns="{models.S3_NS}"><Owner>'
               f'<ID>{owner["ID"]}</ID><DisplayName>{owner["DisplayName"]}'
               '</DisplayName></Owner><AccessControlList><Grant>'
               '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
               ' xsi:type="CanonicalUser">'
               f'<ID>{grantee["ID"]}</ID><DisplayName>{owner["DisplayName"]}'
               '</DisplayName></Grantee><Permission>FULL_CONTROL</Permission>'
               '</Grant></AccessControlList></AccessControlPolicy>').encode())
    return _xml_response(body)


HANDLERS = {
    "CreateBucket": create_bucket,
    "DeleteBucket": delete_bucket,
    "HeadBucket": head_bucket,
    "ListBuckets": list_buckets,
    "GetBucketLocation": get_bucket_location,
    "PutBucketLifecycleConfiguration": put_lifecycle,
    "GetBucketLifecycleConfiguration": get_lifecycle,
    "DeleteBucketLifecycle": delete_lifecycle,
    "PutBucketPolicy": put_policy,
    "GetBucketPolicy": get_policy,
    "DeleteBucketPolicy": delete_policy,
    "PutBucketVersioning": put_versioning,
    "GetBucketVersioning": get_versioning,
    "PutObjectLockConfiguration": put_object_lock,
    "GetObjectLockConfiguration": get_object_lock,
    "PutPublicAccessBlock": put_public_access_block,
    "GetPublicAccessBlock": get_public_access_block,
    "DeletePublicAccessBlock": delete_public_access_block,
    "PutBucketEncryption": put_encryption,
    "GetBucketEncryption": get_encryption,
    "DeleteBucketEncryption": delete_encryption,
    "GetBucketAcl": get_bucket_acl,
}
assert set(HANDLERS) | set(s3objects.HANDLERS) == IMPLEMENTED


def handle(call):
    """Run an authenticated S3 call; return a :class:`Response`."""
    request = call.request
    if call.operation is None:
        bucket, key = address(request)
        raise AWSError("MethodNotAllowed",
                       "The specified method is not allowed against this "
                       "resource.", 405,
                       extra={"Method": request.method,
                              "ResourceType": "OBJECT" if key else
                              ("BUCKET" if bucket else "SERVICE")})
    if call.operation not in IMPLEMENTED:
        raise AWSError("NotImplemented",
                       f"{call.operation} is not implemented by this "
                       "endpoint.", 501)
    op_model = models.service_model(SERVICE).operation_model(call.operation)
    bucket, key = address(request)
    call.resource = bucket
    check_integrity(call, op_model)
    params = read_params(call, op_model, bucket, key)
    call.params = params
    call.authorizer = authz.authorize_extra
    with call.state.lock:
        if call.operation in s3objects.HANDLERS:
            return s3objects.HANDLERS[call.operation](
                call, params, _bucket(call, params))
        return HANDLERS[call.operation](call, params)
