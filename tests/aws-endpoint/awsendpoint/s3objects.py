"""Amazon S3 objects: PutObject, GetObject, HeadObject, DeleteObject,
ListObjects, ListObjectsV2 and ListObjectVersions, with versioning and
Object Lock retention.

Objects live in the bucket's ``objects`` map: key -> list of versions, the
newest first.  A version is a dict with ``VersionId``, ``IsDeleteMarker``,
``ETag``, ``Size``, ``LastModified``, ``Body`` (base64, so the state dump is
JSON), ``ContentType``, ``Acl`` (the ``x-amz-acl`` header it was written
with), ``Owner`` (the writer's account or service principal) and, under
Object Lock, ``ObjectLockMode``/``ObjectLockRetainUntilDate``/
``ObjectLockLegalHoldStatus``.  Bodies are kept in memory: at most
``s3_max_object_bytes`` (default 5 MiB) per object and
``s3_max_stored_bytes`` (default 64 MiB) in all (400 ``EntityTooLarge``
beyond).

Behaviour, with its sources:

* versioning: with versioning ``Enabled`` every PutObject adds a version with
  a new id; unversioned or ``Suspended`` buckets write the version ``null``,
  replacing the previous ``null`` version; DeleteObject without a version id
  adds a delete marker (versioned) or removes the object (unversioned); with
  a version id it removes that version
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/AddingObjectstoVersionSuspendedBuckets.html)
* GetObject/HeadObject of a key whose current version is a delete marker:
  404 ``NoSuchKey`` with ``x-amz-delete-marker: true``; of a delete marker's
  version id: 405 ``MethodNotAllowed``; an unknown version id: 404
  ``NoSuchVersion``
  (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html)
* Object Lock: the bucket's default retention applies to each new version
  at put time (``x-amz-object-lock-mode`` and
  ``x-amz-object-lock-retain-until-date`` on the request override it); a
  locked version cannot be deleted by version id before its retain-until
  date: COMPLIANCE never, GOVERNANCE only with
  ``x-amz-bypass-governance-retention: true`` and the
  ``s3:BypassGovernanceRetention`` permission; a legal hold blocks deletion
  until removed.  Delete markers can always be added
  (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html)
* listings: keys in UTF-8 binary order, ``max-keys`` default and maximum
  1000, ``prefix``, ``delimiter`` (CommonPrefixes), ``continuation-token``/
  ``start-after`` (V2), ``marker`` (V1), ``key-marker``/``version-id-marker``
  (versions; the versions of one key newest first, delete markers among
  them) (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html,
  https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html)
"""

import base64
import datetime
import hashlib
import secrets

from . import models
from .context import Response
from .credentials import iso8601, parse_iso8601
from .errors import AWSError

DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_STORED_BYTES = 64 * 1024 * 1024
MAX_KEYS = 1000
LOCK_DENIED = "Access Denied because object protected by object lock."


def _iso_ms(when):
    return when.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _http_date(text):
    when = parse_iso8601(text)
    return when.strftime("%a, %d %b %Y %H:%M:%S GMT")


def _new_version_id():
    # S3 version ids are opaque URL-safe strings of 32 characters.
    return secrets.token_urlsafe(24)[:32]


def _versioning(bucket):
    return (bucket.get("versioning") or {}).get("Status")


def _owner(account):
    return {"ID": hashlib.sha256(str(account).encode()).hexdigest(),
            "DisplayName": str(account)}


def stored_bytes(state):
    total = 0
    for bucket in state.buckets.values():
        for versions in (bucket.get("objects") or {}).values():
            total += sum(v.get("Size", 0) for v in versions)
    return total


def versions_of(bucket, key):
    return (bucket.setdefault("objects", {})).get(key) or []


def find_version(bucket, key, version_id):
    for v in versions_of(bucket, key):
        if v["VersionId"] == version_id:
            return v
    return None


def _no_such_key(key):
    return AWSError("NoSuchKey", "The specified key does not exist.", 404,
                    extra={"Key": key})


def _retention_for_put(call, bucket, params):
    """(mode, retain-until ISO) for a new version, or (None, None)."""
    mode = params.get("ObjectLockMode")
    until = params.get("ObjectLockRetainUntilDate")
    if mode or until:
        if not bucket.get("object_lock_enabled"):
            raise AWSError("InvalidRequest", "Bucket is missing Object Lock "
                           "Configuration")
        if not (mode and until):
            raise AWSError("InvalidRequest", "x-amz-object-lock-mode and "
                           "x-amz-object-lock-retain-until-date must both "
                           "be supplied")
        if mode not in ("GOVERNANCE", "COMPLIANCE"):
            raise AWSError("InvalidArgument", "Unknown wormMode directive.")
        try:
            when = parse_iso8601(str(until))
        except ValueError:
            raise AWSError("InvalidArgument", "The retain until date must "
                           "be provided in ISO 8601 format") from None
        if when <= call.clock.now():
            raise AWSError("InvalidArgument", "The retain until date must "
                           "be in the future!")
        return mode, iso8601(when)
    rule = ((bucket.get("object_lock") or {}).get("Rule") or {}).get(
        "DefaultRetention")
    if not bucket.get("object_lock_enabled") or not rule:
        return None, None
    # Years are counted as 365 days (S3 does not document leap handling).
    days = rule.get("Days") or 365 * int(rule.get("Years") or 0)
    until = call.clock.now() + datetime.timedelta(days=int(days))
    return rule["Mode"], iso8601(until)


def put_object(call, params, bucket):
    key = params["Key"]
    body = params.get("Body") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    config = call.endpoint.config
    limit = int(config.get("s3_max_object_bytes", DEFAULT_MAX_OBJECT_BYTES))
    total_limit = int(config.get("s3_max_stored_bytes",
                                 DEFAULT_MAX_STORED_BYTES))
    if len(body) > limit or \
            stored_bytes(call.state) + len(body) > total_limit:
        raise AWSError("EntityTooLarge", "Your proposed upload exceeds the "
                       "maximum allowed size",
                       extra={"ProposedSize": str(len(body)),
                              "MaxSizeAllowed": str(limit)})
    mode, until = _retention_for_put(call, bucket, params)
    legal_hold = params.get("ObjectLockLegalHoldStatus")
    if legal_hold and not bucket.get("object_lock_enabled"):
        raise AWSError("InvalidRequest", "Bucket is missing Object Lock "
                       "Configuration")
    return store_version(call, bucket, key, body, params.get("ACL"),
                         params.get("ContentType"), mode, until, legal_hold,
                         owner=call.principal_owner())


def store_version(call, bucket, key, body, acl=None, content_type=None,
                  mode=None, until=None, legal_hold=None, owner=None):
    """Write a new object version as PutObject does; the Response."""
    status = _versioning(bucket)
    version_id = _new_version_id() if status == "Enabled" else "null"
    version = {
        "VersionId": version_id,
        "IsDeleteMarker": False,
        "ETag": '"' + hashlib.md5(body).hexdigest() + '"',
        "Size": len(body),
        "LastModified": _iso_ms(call.clock.now()),
        "Body": base64.b64encode(body).decode("ascii"),
        "ContentType": content_type or "binary/octet-stream",
        "Acl": acl or "private",
        "Owner": owner or bucket["owner"],
    }
    if mode:
        version["ObjectLockMode"] = mode
        version["ObjectLockRetainUntilDate"] = until
    if legal_hold:
        version["ObjectLockLegalHoldStatus"] = legal_hold
    _insert(bucket, key, version)
    headers = [("ETag", version["ETag"])]
    if status:
        headers.append(("x-amz-version-id", version_id))
    sse = _sse_headers(bucket)
    return Response(200, headers + sse)


def _insert(bucket, key, version):
    objects = bucket.setdefault("objects", {})
    versions = objects.setdefault(key, [])
    if version["VersionId"] == "null":
        versions[:] = [v for v in versions if v["VersionId"] != "null"]
    versions.insert(0, version)


def _sse_headers(bucket):
    rules = (bucket.get("encryption") or {}).get("Rules") or []
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algo = default.get("SSEAlgorithm")
        if algo:
            headers = [("x-amz-server-side-encryption", algo)]
            if default.get("KMSMasterKeyID"):
                headers.append(("x-amz-server-side-encryption-aws-kms-key-id",
                                default["KMSMasterKeyID"]))
            return headers
    return []


def _select(bucket, key, version_id):
    """The version a Get/Head addresses (errors as S3 answers them)."""
    if version_id is not None:
        version = find_version(bucket, key, version_id)
        if version is None:
            raise AWSError("NoSuchVersion", "The specified version does not "
                           "exist.", 404,
                           extra={"Key": key, "VersionId": version_id})
        if version["IsDeleteMarker"]:
            raise AWSError("MethodNotAllowed", "The specified method is not "
                           "allowed against this resource.", 405,
                           extra={"Method": "GET",
                                  "ResourceType": "DeleteMarker"},
                           headers={"x-amz-delete-marker": "true",
                                    "x-amz-version-id": version_id})
        return version
    versions = versions_of(bucket, key)
    if not versions:
        raise _no_such_key(key)
    if versions[0]["IsDeleteMarker"]:
        err = _no_such_key(key)
        err.headers["x-amz-delete-marker"] = "true"
        err.headers["x-amz-version-id"] = versions[0]["VersionId"]
        raise err
    return versions[0]


def _object_headers(bucket, version):
    headers = [("ETag", version["ETag"]),
               ("Last-Modified", _http_date(version["LastModified"])),
               ("Content-Type", version.get("ContentType")
                or "binary/octet-stream"),
               ("Accept-Ranges", "bytes")]
    if _versioning(bucket) or version["VersionId"] != "null":
        headers.append(("x-amz-version-id", version["VersionId"]))
    if version.get("ObjectLockMode"):
        headers.append(("x-amz-object-lock-mode", version["ObjectLockMode"]))
        headers.append(("x-amz-object-lock-retain-until-date",
                        version["ObjectLockRetainUntilDate"]))
    if version.get("ObjectLockLegalHoldStatus"):
        headers.append(("x-amz-object-lock-legal-hold",
                        version["ObjectLockLegalHoldStatus"]))
    return headers + _sse_headers(bucket)


def get_object(call, params, bucket):
    version = _select(bucket, params["Key"], params.get("VersionId"))
    body = base64.b64decode(version["Body"])
    return Response(200, _object_headers(bucket, version), body)


def head_object(call, params, bucket):
    version = _select(bucket, params["Key"], params.get("VersionId"))
    return Response(200, _object_headers(bucket, version)
                    + [("Content-Length", str(version["Size"]))], b"")


def lock_blocks_delete(call, version):
    """Why Object Lock forbids deleting ``version`` now: ``None`` when it
    does not, ``"governance"`` when only a governance bypass would help,
    ``"locked"`` otherwise."""
    if version.get("ObjectLockLegalHoldStatus") == "ON":
        return "locked"
    until = version.get("ObjectLockRetainUntilDate")
    if not until or parse_iso8601(until) <= call.clock.now():
        return None
    if version.get("ObjectLockMode") == "GOVERNANCE":
        return "governance"
    return "locked"


def _bypass_requested(call):
    value = call.request.headers.get("x-amz-bypass-governance-retention")
    return value is not None and value.strip().lower() == "true"


def delete_object(call, params, bucket):
    key = params["Key"]
    version_id = params.get("VersionId")
    status = _versioning(bucket)
    if version_id is not None:
        version = find_version(bucket, key, version_id)
        if version is None:
            # Deleting a version that does not exist succeeds (204).
            return Response(204, [("x-amz-version-id", version_id)])
        blocked = lock_blocks_delete(call, version)
        if blocked == "governance" and _bypass_requested(call):
            call.authorize_extra("s3:BypassGovernanceRetention")
            blocked = None
        if blocked:
            raise AWSError("AccessDenied", LOCK_DENIED, 403)
        versions = versions_of(bucket, key)
        versions.remove(version)
        if not versions:
            del bucket["objects"][key]
        headers = [("x-amz-version-id", version_id)]
        if version["IsDeleteMarker"]:
            headers.append(("x-amz-delete-marker", "true"))
        return Response(204, headers)
    if not status:
        bucket.setdefault("objects", {}).pop(key, None)
        return Response(204)
    marker = {
        "VersionId": _new_version_id() if status == "Enabled" else "null",
        "IsDeleteMarker": True,
        "LastModified": _iso_ms(call.clock.now()),
        "Owner": call.principal_owner(),
    }
    _insert(bucket, key, marker)
    return Response(204, [("x-amz-delete-marker", "true"),
                          ("x-amz-version-id", marker["VersionId"])])


# -- listings -------------------------------------------------------------------

def _max_keys(params):
    value = params.get("MaxKeys")
    if value is None:
        return MAX_KEYS
    if value < 0:
        raise AWSError("InvalidArgument", "Provided max-keys not an integer "
                       "or within integer range",
                       extra={"ArgumentName": "max-keys",
                              "ArgumentValue": str(value)})
    return min(value, MAX_KEYS)


def _rollup(key, prefix, delimiter):
    """The common prefix ``key`` rolls up into, or ``None``."""
    if not delimiter:
        return None
    rest = key[len(prefix):]
    i = rest.find(delimiter)
    if i < 0:
        return None
    return prefix + rest[:i + len(delimiter)]


def _utf8_sorted(keys):
    return sorted(keys, key=lambda k: k.encode("utf-8"))


def _list_current(bucket, params, after):
    """Entries (key, version or common prefix) after ``after``."""
    prefix = params.get("Prefix") or ""
    delimiter = params.get("Delimiter")
    limit = _max_keys(params)
    contents, prefixes = [], []
    truncated = False
    last = None
    objects = bucket.get("objects") or {}
    seen_prefixes = set()
    for key in _utf8_sorted(objects):
        if not key.startswith(prefix):
            continue
        if after is not None and key.encode("utf-8") <= after.encode("utf-8"):
            continue
        if after is not None and delimiter and after.endswith(delimiter) \
                and key.startswith(after):
            continue  # rolled up into the previous page's common prefix
        versions = objects[key]
        if not versions or versions[0]["IsDeleteMarker"]:
            continue
        common = _rollup(key, prefix, delimiter)
        if common is not None and common in seen_prefixes:
            continue
        if len(contents) + len(prefixes) >= limit:
            truncated = True
            break
        if common is not None:
            seen_prefixes.add(common)
            prefixes.append({"Prefix": common})
            last = common
            continue
        v = versions[0]
        contents.append({"Key": key, "LastModified": v["LastModified"],
                         "ETag": v["ETag"], "Size": v["Size"],
                         "StorageClass": "STANDARD",
                         "Owner": _owner(bucket["owner"])})
        last = key
    return contents, prefixes, truncated, last


def _output_shape(operation):
    return models.service_model("s3").operation_model(
        operation).output_shape


def _xml(data, operation, root):
    body = models.params_to_xml(data, _output_shape(operation), root)
    return Response(200, [("Content-Type", "application/xml")], body)


def _token(key):
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii")


def _untoken(token):
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode(
            "utf-8")
    except (ValueError, UnicodeError):
        raise AWSError("InvalidArgument", "The continuation token provided "
                       "is incorrect",
                       extra={"ArgumentName": "continuation-token"}) \
            from None


def list_objects_v2(call, params, bucket):
    after = params.get("StartAfter")
    if params.get("ContinuationToken") is not None:
        after = _untoken(params["ContinuationToken"])
    contents, prefixes, truncated, last = _list_current(bucket, params,
                                                        after)
    out = {"Name": bucket["name"], "Prefix": params.get("Prefix") or "",
           "MaxKeys": _max_keys(params),
           "KeyCount": len(contents) + len(prefixes),
           "IsTruncated": truncated}
    if not params.get("FetchOwner"):
        for item in contents:
            item.pop("Owner", None)
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if params.get("Delimiter"):
        out["Delimiter"] = params["Delimiter"]
    if params.get("ContinuationToken") is not None:
        out["ContinuationToken"] = params["ContinuationToken"]
    if params.get("StartAfter") is not None:
        out["StartAfter"] = params["StartAfter"]
    if truncated:
        out["NextContinuationToken"] = _token(last)
    return _xml(out, "ListObjectsV2", "ListBucketResult")


def list_objects(call, params, bucket):
    contents, prefixes, truncated, last = _list_current(
        bucket, params, params.get("Marker"))
    out = {"Name": bucket["name"], "Prefix": params.get("Prefix") or "",
           "Marker": params.get("Marker") or "",
           "MaxKeys": _max_keys(params), "IsTruncated": truncated}
    if contents:
        out["Contents"] = contents
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if params.get("Delimiter"):
        out["Delimiter"] = params["Delimiter"]
        if truncated:
            out["NextMarker"] = last
    return _xml(out, "ListObjects", "ListBucketResult")


def list_object_versions(call, params, bucket):
    prefix = params.get("Prefix") or ""
    delimiter = params.get("Delimiter")
    key_marker = params.get("KeyMarker")
    vid_marker = params.get("VersionIdMarker")
    if vid_marker and not key_marker:
        raise AWSError("InvalidArgument", "A version-id marker cannot be "
                       "specified without a key marker.",
                       extra={"ArgumentName": "version-id-marker",
                              "ArgumentValue": vid_marker})
    limit = _max_keys(params)
    objects = bucket.get("objects") or {}
    versions_out, markers_out, prefixes = [], [], []
    seen_prefixes = set()
    truncated = False
    next_key = next_vid = None
    count = 0
    for key in _utf8_sorted(objects):
        if not key.startswith(prefix):
            continue
        kb = key.encode("utf-8")
        if key_marker is not None:
            mb = key_marker.encode("utf-8")
            if kb < mb or (kb == mb and not vid_marker):
                continue
        common = _rollup(key, prefix, delimiter)
        if common is not None:
            if common in seen_prefixes:
                continue
            if count >= limit:
                truncated = True
                break
            seen_prefixes.add(common)
            prefixes.append({"Prefix": common})
            count += 1
            next_key, next_vid = common, None
            continue
        entries = objects[key]
        start = 0
        if key_marker is not None and kb == key_marker.encode("utf-8"):
            ids = [v["VersionId"] for v in entries]
            if vid_marker not in ids:
                raise AWSError("InvalidArgument", "Invalid version id "
                               "specified",
                               extra={"ArgumentName": "version-id-marker",
                                      "ArgumentValue": vid_marker})
            start = ids.index(vid_marker) + 1
        for index in range(start, len(entries)):
            v = entries[index]
            if count >= limit:
                truncated = True
                break
            item = {"Key": key, "VersionId": v["VersionId"],
                    "IsLatest": index == 0,
                    "LastModified": v["LastModified"],
                    "Owner": _owner(v.get("Owner") or bucket["owner"])}
            if v["IsDeleteMarker"]:
                markers_out.append(item)
            else:
                item.update({"ETag": v["ETag"], "Size": v["Size"],
                             "StorageClass": "STANDARD"})
                versions_out.append(item)
            count += 1
            next_key, next_vid = key, v["VersionId"]
        if truncated:
            break
    out = {"Name": bucket["name"], "Prefix": prefix,
           "KeyMarker": key_marker or "",
           "VersionIdMarker": vid_marker or "",
           "MaxKeys": limit, "IsTruncated": truncated}
    if delimiter:
        out["Delimiter"] = delimiter
    if versions_out:
        out["Versions"] = versions_out
    if markers_out:
        out["DeleteMarkers"] = markers_out
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if truncated:
        out["NextKeyMarker"] = next_key
        if next_vid is not None:
            out["NextVersionIdMarker"] = next_vid
    return _xml(out, "ListObjectVersions", "ListVersionsResult")


HANDLERS = {
    "PutObject": put_object,
    "GetObject": get_object,
    "HeadObject": head_object,
    "DeleteObject": delete_object,
    "ListObjects": list_objects,
    "ListObjectsV2": list_objects_v2,
    "ListObjectVersions": list_object_versions,
}
