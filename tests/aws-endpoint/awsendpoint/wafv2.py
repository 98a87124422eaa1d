"""AWS WAF (wafv2, JSON 1.1, API 2019-07-29): web ACLs and their logging
configurations.

Implemented: ListWebACLs, ListLoggingConfigurations, GetLoggingConfiguration,
PutLoggingConfiguration, ListTagsForResource (of web ACLs: ``TagInfoForResource``
with ``TagList``, ``Limit`` 1-100 and ``NextMarker`` as the listings,
.../API_ListTagsForResource.html; an unknown ARN is
``WAFNonexistentItemException``). Tags are seeded per ACL with ``web_acl_tags``:
``{"<name>": [{"Key": ..., "Value": ...}]}``.

Behaviour encoded, with sources (AWS WAF API Reference):

* ``Scope`` ``CLOUDFRONT`` is served only in us-east-1 ("To work with
  CloudFront, you must also specify the Region US East (N. Virginia)",
  https://docs.aws.amazon.com/waf/latest/APIReference/API_ListWebACLs.html);
  elsewhere ``WAFInvalidParameterException``;
* ``Limit`` 1-100, default 100; ``NextMarker`` (.../API_ListLoggingConfigurations.html);
  an unknown marker is ``WAFInvalidParameterException``;
* GetLoggingConfiguration of an ACL without one, or of an unknown ACL:
  ``WAFNonexistentItemException`` (.../API_GetLoggingConfiguration.html);
* PutLoggingConfiguration: "You can associate one logging destination to a
  web ACL" (more than one is ``WAFInvalidParameterException``); the
  destination's name must start with ``aws-waf-logs-`` (S3 bucket, log
  group, Firehose stream: "Logging web ACL traffic" in the AWS WAF Developer
  Guide), else ``WAFInvalidParameterException``; an unknown ACL is
  ``WAFNonexistentItemException`` (.../API_PutLoggingConfiguration.html).
"""

import uuid

from . import jsonproto, restjson
from .errors import AWSError

SERVICE = "wafv2"
VALIDATION = "WAFInvalidParameterException"
PAGE_MAX = 100


def _store(state, account, region):
    s = restjson.store(state, SERVICE, account, region)
    s.setdefault("acls", {"REGIONAL": [], "CLOUDFRONT": []})
    s.setdefault("logging", {})
    return s


def _scope(call, p):
    scope = p["Scope"]
    if scope == "CLOUDFRONT" and call.region != "us-east-1":
        raise AWSError(VALIDATION,
                       "Error reason: The scope is not valid., field: "
                       "SCOPE_VALUE, parameter: CLOUDFRONT")
    return scope


def _bad_marker():
    return AWSError(VALIDATION, "Error reason: The parameter contains "
                    "formatting that is not valid., field: NEXT_MARKER")


def list_web_acls(call, p):
    s = _store(call.state, call.account, call.region)
    acls = s["acls"][_scope(call, p)]
    chunk, marker = restjson.page(acls, p.get("NextMarker"),
                                  p.get("Limit", PAGE_MAX), _bad_marker())
    return {"WebACLs": [dict(a) for a in chunk], "NextMarker": marker}


def list_logging(call, p):
    s = _store(call.state, call.account, call.region)
    scope = _scope(call, p)
    arns = {a["ARN"] for a in s["acls"][scope]}
    items = [c for arn, c in s["logging"].items() if arn in arns]
    chunk, marker = restjson.page(items, p.get("NextMarker"),
                                  p.get("Limit", PAGE_MAX), _bad_marker())
    return {"LoggingConfigurations": [dict(c) for c in chunk],
            "NextMarker": marker}


def _acl(s, arn):
    for scope in ("REGIONAL", "CLOUDFRONT"):
        for acl in s["acls"][scope]:
            if acl["ARN"] == arn:
                return acl
    return None


def _nonexistent():
    return AWSError("WAFNonexistentItemException",
                    "AWS WAF couldn’t perform the operation because your "
                    "resource doesn’t exist.")


def get_logging(call, p):
    s = _store(call.state, call.account, call.region)
    call.resource = p["ResourceArn"]
    config = s["logging"].get(p["ResourceArn"])
    if config is None:
        raise _nonexistent()
    return {"LoggingConfiguration": dict(config)}


def _destination_name(arn):
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    if parts[2] == "s3":
        return parts[5].split("/", 1)[0]
    if parts[2] == "logs" and parts[5].startswith("log-group:"):
        return parts[5][len("log-group:"):].split(":", 1)[0]
    if parts[2] == "firehose" and parts[5].startswith("deliverystream/"):
        return parts[5][len("deliverystream/"):]
    return None


def put_logging(call, p):
    s = _store(call.state, call.account, call.region)
    config = p["LoggingConfiguration"]
    arn = config["ResourceArn"]
    call.resource = arn
    if _acl(s, arn) is None:
        raise _nonexistent()
    dests = config["LogDestinationConfigs"]
    if len(dests) != 1:
        raise AWSError(VALIDATION, "Error reason: You can associate only "
                       "one logging destination., field: "
                       "LOG_DESTINATION")
    name = _destination_name(dests[0])
    if name is None or not name.startswith("aws-waf-logs-"):
        raise AWSError(VALIDATION, "Error reason: The ARN isn’t valid. "
                       "The name of a logging destination must start with "
                       "aws-waf-logs-., field: LOG_DESTINATION, parameter: "
                       f"{dests[0]}")
    stored = {"ResourceArn": arn, "LogDestinationConfigs": list(dests),
              "ManagedByFirewallManager": False}
    for key in ("RedactedFields", "LoggingFilter"):
        if key in config:
            stored[key] = config[key]
    s["logging"][arn] = stored
    return {"LoggingConfiguration": dict(stored)}


def list_tags(call, p):
    s = _store(call.state, call.account, call.region)
    call.resource = p["ResourceARN"]
    acl = _acl(s, p["ResourceARN"])
    if acl is None:
        raise _nonexistent()
    chunk, marker = restjson.page(s.setdefault("tags", {}).get(acl["ARN"], []),
                                  p.get("NextMarker"), p.get("Limit", PAGE_MAX),
                                  _bad_marker())
    return {"TagInfoForResource": {"ResourceARN": acl["ARN"],
                                   "TagList": [dict(t) for t in chunk]},
            "NextMarker": marker}


HANDLERS = {
    "ListWebACLs": list_web_acls,
    "ListLoggingConfigurations": list_logging,
    "GetLoggingConfiguration": get_logging,
    "PutLoggingConfiguration": put_logging,
    "ListTagsForResource": list_tags,
}


def handle(call):
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)


def seed(state, account, region, spec):
    acls = spec.get("web_acls") or {}
    out = []
    s = None
    for scope in ("REGIONAL", "CLOUDFRONT"):
        for name in restjson.names(acls.get(scope), "acl-"):
            if scope == "CLOUDFRONT" and region != "us-east-1":
                raise ValueError("CLOUDFRONT web ACLs live in us-east-1")
            s = s or _store(state, account, region)
            ident = str(uuid.uuid4())
            where = "global" if scope == "CLOUDFRONT" else "regional"
            acl = {"Name": name, "Id": ident, "LockToken": str(uuid.uuid4()),
                   "ARN": f"arn:aws:wafv2:{region}:{account}:{where}/"
                          f"webacl/{name}/{ident}"}
            s["acls"][scope].append(acl)
            tags = (spec.get("web_acl_tags") or {}).get(name) or []
            if tags:
                s.setdefault("tags", {})[acl["ARN"]] = [
                    {"Key": str(t["Key"]), "Value": str(t.get("Value", ""))}
                    for t in tags]
            out.append({"scope": scope, "name": name, "arn": acl["ARN"]})
    return {"web_acls": out} if out else {}
