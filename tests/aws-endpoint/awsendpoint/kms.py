"""AWS Key Management Service (JSON 1.1, API 2014-11-01): keys and key policies.

Implemented: CreateKey, DescribeKey, GetKeyPolicy, PutKeyPolicy,
ListKeyPolicies, CreateAlias, ListAliases.  Other operations of the model
answer ``501 NotImplementedException``.  Requests carry
``X-Amz-Target: TrentService.<Operation>`` and are signed for the ``kms``
service.

Behaviour encoded, with sources:

* every key has one key policy, named ``default``
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html,
  API_ListKeyPolicies.html); another name is ``NotFoundException``;
* CreateKey without ``Policy`` gives the default key policy, which allows the
  account's root principal ``kms:*`` and so delegates to IAM
  ("Default key policy",
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
* PutKeyPolicy (and CreateKey with ``Policy``): the document is at most
  32 KB, JSON with statements that each have ``Effect``, a principal, an
  action and a resource, else ``MalformedPolicyDocumentException``; unless
  ``BypassPolicyLockoutSafetyCheck`` is true, the new policy must allow the
  principal making the request to call ``kms:PutKeyPolicy`` afterwards, else
  ``MalformedPolicyDocumentException``
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html,
  "Key policies in AWS KMS",
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html);
* authorisation: a call on a key needs the key policy to allow it.  A
  statement whose principal is the key's account (``arn:aws:iam::A:root`` or
  ``A``) delegates to IAM; this endpoint does not model identity policies
  for KMS, so every identity of that account counts as allowed by IAM.  A
  caller from another account needs the key policy to name it (its ARN, its
  role, or its account root).  Denied calls are ``AccessDeniedException``
  "User: ... is not authorized to perform: kms:... on resource: ...";
* keys are addressed by key id (caller's account, request region) or key
  ARN; DescribeKey also takes alias names and alias ARNs.  A key in another
  region than the request's is ``NotFoundException``, as each region's KMS
  knows only its own keys; a malformed ARN is ``InvalidArnException``;
* alias names start with ``alias/`` and never ``alias/aws/``
  (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html).

:func:`kms_authorize` evaluates a key policy for a service principal (or an
AWS principal) context, for the S3 delivery path of SSE-KMS buckets.
"""

import json
import re
import uuid

from . import jsonproto
from .errors import AWSError

SERVICE = "kms"
VALIDATION = "ValidationException"
POLICY_NAME = "default"
# PutKeyPolicy: "The key policy ... maximum length of 32768" (API_PutKeyPolicy.html,
# Policy: Length Constraints Maximum length of 32768).
POLICY_MAX_BYTES = 32768

_KEY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):kms:(?P<region>[a-z0-9-]+):"
    r"(?P<account>\d{12}):(?P<kind>key|alias)/(?P<name>.+)$")


# ---------------------------------------------------------------------------
# state

def default_policy(account, partition="aws"):
    """The key policy KMS gives a key created without one
    (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)."""
    return json.dumps({
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [{
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }, indent=2)


def normalise_key(arn, key, clock_epoch):
    """A stored key from its seed (``{"policy": ..., "owner": ...}``):
    missing fields get CreateKey defaults."""
    match = _KEY_ARN_RE.match(arn)
    if not match or match.group("kind") != "key":
        raise ValueError(f"not a key ARN: {arn}")
    out = {
        "owner": match.group("account"),
        "region": match.group("region"),
        "key_id": match.group("name"),
        "description": "",
        "creation_date": clock_epoch,
        "enabled": True,
        "aliases": [],
    }
    out.update(key or {})
    if not out.get("policy"):
        out["policy"] = default_policy(out["owner"], match.group("partition"))
    return out


def _keys(call):
    return call.state.keys


# ---------------------------------------------------------------------------
# policy evaluation

def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _wildcard(pattern, value, ignore_case=False):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                    for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def _role_of(arn):
    """The role ARN of an assumed-role session ARN, else None."""
    m = re.match(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/", arn or "")
    if not m:
        return None
    return f"arn:{m.group(1)}:iam::{m.group(2)}:role/{m.group(3)}"


def _aws_principal_matches(entry, context, key_account):
    """Whether an ``AWS`` principal entry names the caller of ``context``."""
    arn = context.get("principal_arn")
    account = context.get("principal_account")
    if arn is None:
        return False  # a service principal is never an AWS principal
    if entry == "*":
        return True
    root = re.match(r"^(?:arn:[^:]+:iam::)?(\d{12})(?::root)?$", entry)
    if root:
        # The account principal: every identity of that account whose IAM
        # policies allow the call.  The endpoint models no KMS identity
        # policies, so the account's identities count as allowed.
        return root.group(1) == account
    if entry == arn:
        return True
    role = context.get("principal_role") or _role_of(arn)
    return role is not None and entry == role


def _principal_matches(principal, context, key_account):
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if any(_aws_principal_matches(e, context, key_account)
           for e in _as_list(principal.get("AWS")) if isinstance(e, str)):
        return True
    service = context.get("principal_service")
    return service is not None and service in _as_list(
        principal.get("Service"))


def _condition_holds(operator, key_values, ctx):
    op = operator
    qualifier = None
    for q in ("ForAnyValue:", "ForAllValues:"):
        if op.startswith(q):
            qualifier, op = q, op[len(q):]
    if_exists = op.endswith("IfExists")
    if if_exists:
        op = op[:-len("IfExists")]
    for key, expected in key_values.items():
        actual = ctx.get(key.lower())
        expected = [str(e) for e in _as_list(expected)]
        if op == "Null":
            want_absent = bool(expected) and expected[0].lower() == "true"
            if (actual is None) != want_absent:
                return False
            continue
        negated = "Not" in op
        if actual is None:
            # A missing key: ...IfExists and negated operators hold, the
            # others do not (IAM condition operators, "...IfExists" and
            # "Condition keys that are not present").
            if if_exists or negated or qualifier == "ForAllValues:":
                continue
            return False
        values = [str(v) for v in _as_list(actual)]
        if op in ("StringEquals", "StringNotEquals", "ArnEquals",
                  "ArnNotEquals"):
            hits = [v in expected for v in values]
        elif op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
            low = [e.lower() for e in expected]
            hits = [v.lower() in low for v in values]
        elif op in ("StringLike", "StringNotLike", "ArnLike", "ArnNotLike"):
            hits = [any(_wildcard(e, v) for e in expected) for v in values]
        elif op == "Bool":
            low = [e.lower() for e in expected]
            hits = [v.lower() in low for v in values]
        else:
            return False  # unknown operators never match
        hit = all(hits) if qualifier == "ForAllValues:" else any(hits)
        if hit == negated:
            return False
    return True


def _statement_applies(st, action, key_arn, context, key_account):
    if "Principal" in st:
        if not _principal_matches(st["Principal"], context, key_account):
            return False
    elif "NotPrincipal" in st:
        if _principal_matches(st["NotPrincipal"], context, key_account):
            return False
    else:
        return False
    if "Action" in st:
        if not any(_wildcard(a, action, ignore_case=True)
                   for a in _as_list(st["Action"]) if isinstance(a, str)):
            return False
    elif "NotAction" in st:
        if any(_wildcard(a, action, ignore_case=True)
               for a in _as_list(st["NotAction"]) if isinstance(a, str)):
            return False
    else:
        return False
    # In a key policy "*" means the key itself
    # (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
    if "Resource" in st:
        if not any(_wildcard(r, key_arn)
                   for r in _as_list(st["Resource"]) if isinstance(r, str)):
            return False
    elif "NotResource" in st:
        if any(_wildcard(r, key_arn)
               for r in _as_list(st["NotResource"]) if isinstance(r, str)):
            return False
    else:
        return False
    cond_ctx = {k.lower(): v for k, v in context.items()
                if ":" in k}
    for operator, key_values in (st.get("Condition") or {}).items():
        if not isinstance(key_values, dict):
            return False
        if not _condition_holds(operator, key_values, cond_ctx):
            return False
    return True


def policy_allows(document, key_arn, key_account, context, action):
    """IAM evaluation of one key policy: an explicit Deny wins, else an
    Allow is needed."""
    allowed = False
    for st in _as_list(document.get("Statement")):
        if not isinstance(st, dict):
            continue
        if not _statement_applies(st, action, key_arn, context, key_account):
            continue
        if st.get("Effect") == "Deny":
            return False
        if st.get("Effect") == "Allow":
            allowed = True
    return allowed


def kms_authorize(state, key_arn, context, action):
    """Whether the key policy of ``key_arn`` lets the principal of
    ``context`` perform ``action`` (``kms:GenerateDataKey``, ...).

    :param context: the request context.  For a service principal:
        ``{"principal_service": "cloudtrail.amazonaws.com",
        "aws:SourceArn": ..., "aws:SourceAccount": ...,
        "kms:ViaService": "s3.us-east-1.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": ...}``; for an AWS principal:
        ``{"principal_arn": ..., "principal_account": ...}`` (plus
        condition keys).  Condition keys are matched case-insensitively.
    :returns: False for an unknown or disabled key.
    """
    with state.lock:
        key = state.keys.get(key_arn)
        if key is None or not key.get("enabled", True):
            return False
        try:
            document = json.loads(key["policy"])
        except ValueError:
            return False
        if not isinstance(document, dict):
            return False
        ctx = dict(context)
        if "principal_service" in ctx:
            ctx.setdefault("aws:PrincipalServiceName", ctx["principal_service"])
            ctx.setdefault("aws:PrincipalIsAWSService", "true")
        if "principal_arn" in ctx:
            # aws:PrincipalArn of a role session is the role's ARN, path
            # included (IAM Identity Center roles live under
            # aws-reserved/sso.amazonaws.com/).
            ctx.setdefault("aws:PrincipalArn",
                           ctx.get("principal_role") or _role_of(ctx["principal_arn"])
                           or ctx["principal_arn"])
            ctx.setdefault("aws:PrincipalAccount", ctx.get("principal_account"))
            ctx.setdefault("kms:CallerAccount", ctx.get("principal_account"))
        ctx = {k: v for k, v in ctx.items() if v is not None}
        return policy_allows(document, key_arn, key["owner"], ctx, action)


def _caller_context(call):
    ident = call.identity
    return {"principal_arn": ident.arn,
            "principal_account": ident.account,
            "principal_role": ident.source_role}


# ---------------------------------------------------------------------------
# lookup

def _resolve(call, key_id, aliases=False):
    """The ``(arn, key)`` that ``key_id`` names, or NotFoundException."""
    if not key_id:
        raise AWSError(VALIDATION, "KeyId must not be empty")
    keys = _keys(call)
    if key_id.startswith("arn:"):
        match = _KEY_ARN_RE.match(key_id)
        if not match:
            raise AWSError("InvalidArnException",
                           f"ARN {key_id} is not a valid KMS ARN.")
        if match.group("kind") == "alias":
            if not aliases:
                raise AWSError("NotFoundException",
                               f"Key '{key_id}' does not exist")
            return _by_alias(call, match.group("account"),
                             match.group("region"), "alias/" +
                             match.group("name"), key_id)
        key = keys.get(key_id)
        if key is None or key["region"] != call.region:
            raise AWSError("NotFoundException",
                           f"Key '{key_id}' does not exist")
        return key_id, key
    if key_id.startswith("alias/"):
        if not aliases:
            raise AWSError("NotFoundException",
                           f"Key '{key_id}' does not exist")
        return _by_alias(call, call.account, call.region, key_id, key_id)
    for arn, key in keys.items():
        if key["key_id"] == key_id and key["owner"] == call.account and \
                key["region"] == call.region:
            return arn, key
    arn = f"arn:aws:kms:{call.region}:{call.account}:key/{key_id}"
    raise AWSError("NotFoundException", f"Key '{arn}' does not exist")


def _by_alias(call, account, region, alias, shown):
    for arn, key in _keys(call).items():
        if key["owner"] == account and key["region"] == region and \
                alias in key.get("aliases", []):
            return arn, key
    raise AWSError("NotFoundException", f"Alias {shown} is not found.")


def _authorize(call, arn, key, action):
    if not kms_authorize(call.state, arn, _caller_context(call), action):
        raise AWSError(
            "AccessDeniedException",
            f"User: {call.identity.arn} is not authorized to perform: "
            f"{action} on resource: {arn} because no resource-based policy "
            f"allows the {action} action")


def _check_policy_name(name):
    if name != POLICY_NAME:
        raise AWSError("NotFoundException",
                       f"Policy {name} is not found. The only valid key "
                       "policy name is 'default'.")


def _parse_policy(text):
    """The document of a key policy, or MalformedPolicyDocumentException."""
    def bad(why):
        return AWSError("MalformedPolicyDocumentException", why)
    if len(text.encode("utf-8")) > POLICY_MAX_BYTES:
        raise bad("The key policy exceeds the maximum size of 32 KB.")
    try:
        document = json.loads(text)
    except ValueError:
        raise bad("The key policy is not valid JSON.") from None
    if not isinstance(document, dict):
        raise bad("The key policy must be a JSON object.")
    statements = document.get("Statement")
    if not statements:
        raise bad("The key policy has no Statement.")
    for st in _as_list(statements):
        if not isinstance(st, dict) or st.get("Effect") not in ("Allow",
                                                                 "Deny"):
            raise bad("Policy contains a statement without a valid Effect.")
        if "Principal" not in st and "NotPrincipal" not in st:
            raise bad("Policy contains a statement with no principal.")
        if "Action" not in st and "NotAction" not in st:
            raise bad("Policy contains a statement with no action.")
        if "Resource" not in st and "NotResource" not in st:
            raise bad("Policy contains a statement with no resource.")
    return document


def _lockout_check(call, arn, owner, document):
    # PutKeyPolicy: "If you don't set BypassPolicyLockoutSafetyCheck to true,
    # the key policy must allow the principal that is making the PutKeyPolicy
    # request to make a subsequent PutKeyPolicy request on the KMS key."
    ctx = {k: v for k, v in _caller_context(call).items() if v is not None}
    ctx["aws:PrincipalArn"] = call.identity.source_role or call.identity.arn
    ctx["aws:PrincipalAccount"] = call.identity.account
    ctx["kms:CallerAccount"] = call.identity.account
    if not policy_allows(document, arn, owner, ctx, "kms:PutKeyPolicy"):
        raise AWSError(
            "MalformedPolicyDocumentException",
            "The new key policy will not allow you to update the key policy "
            "in the future.")


def _metadata(arn, key):
    return {
        "AWSAccountId": key["owner"],
        "KeyId": key["key_id"],
        "Arn": arn,
        "CreationDate": key["creation_date"],
        "Enabled": key.get("enabled", True),
        "Description": key.get("description", ""),
        "KeyUsage": "ENCRYPT_DECRYPT",
        "KeyState": "Enabled" if key.get("enabled", True) else "Disabled",
        "Origin": "AWS_KMS",
        "KeyManager": "CUSTOMER",
        "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
        "MultiRegion": False,
    }


# ---------------------------------------------------------------------------
# operations

def create_key(call, p):
    key_id = str(uuid.uuid4())
    arn = f"arn:aws:kms:{call.region}:{call.account}:key/{key_id}"
    policy = p.get("Policy")
    if policy is not None:
        document = _parse_policy(policy)
        if not p.get("BypassPolicyLockoutSafetyCheck"):
            _lockout_check(call, arn, call.account, document)
    key = normalise_key(arn, {"policy": policy,
                              "description": p.get("Description", "")},
                        call.clock.epoch())
    _keys(call)[arn] = key
    call.resource = arn
    return {"KeyMetadata": _metadata(arn, key)}


def describe_key(call, p):
    arn, key = _resolve(call, p["KeyId"], aliases=True)
    call.resource = arn
    _authorize(call, arn, key, "kms:DescribeKey")
    return {"KeyMetadata": _metadata(arn, key)}


def get_key_policy(call, p):
    arn, key = _resolve(call, p["KeyId"])
    call.resource = arn
    _check_policy_name(p.get("PolicyName", POLICY_NAME))
    _authorize(call, arn, key, "kms:GetKeyPolicy")
    return {"Policy": key["policy"]}


def put_key_policy(call, p):
    arn, key = _resolve(call, p["KeyId"])
    call.resource = arn
    _check_policy_name(p["PolicyName"])
    _authorize(call, arn, key, "kms:PutKeyPolicy")
    document = _parse_policy(p["Policy"])
    if not p.get("BypassPolicyLockoutSafetyCheck"):
        _lockout_check(call, arn, key["owner"], document)
    key["policy"] = p["Policy"]
    return {}


def list_key_policies(call, p):
    arn, key = _resolve(call, p["KeyId"])
    call.resource = arn
    _authorize(call, arn, key, "kms:ListKeyPolicies")
    return {"PolicyNames": [POLICY_NAME], "Truncated": False}


def create_alias(call, p):
    name = p["AliasName"]
    if not name.startswith("alias/") or name.startswith("alias/aws/"):
        raise AWSError("InvalidAliasNameException",
                       f"Alias must start with the prefix \"alias/\" and "
                       f"must not begin with \"alias/aws/\": {name}")
    arn, key = _resolve(call, p["TargetKeyId"])
    if key["owner"] != call.account:
        raise AWSError("NotFoundException", f"Key '{arn}' does not exist")
    for other in _keys(call).values():
        if other["owner"] == call.account and \
                other["region"] == call.region and \
                name in other.get("aliases", []):
            raise AWSError("AlreadyExistsException",
                           f"An alias with the name arn:aws:kms:{call.region}:"
                           f"{call.account}:{name} already exists")
    key.setdefault("aliases", []).append(name)
    call.resource = arn
    return {}


def list_aliases(call, p):
    only = None
    if p.get("KeyId"):
        only, _ = _resolve(call, p["KeyId"])
    out = []
    for arn, key in sorted(_keys(call).items()):
        if key["owner"] != call.account or key["region"] != call.region:
            continue
        if only is not None and arn != only:
            continue
        for name in sorted(key.get("aliases", [])):
            out.append({"AliasName": name,
                        "AliasArn": f"arn:aws:kms:{call.region}:"
                                    f"{call.account}:{name}",
                        "TargetKeyId": key["key_id"]})
    out.sort(key=lambda a: a["AliasName"])
    return {"Aliases": out, "Truncated": False}


HANDLERS = {
    "CreateKey": create_key,
    "DescribeKey": describe_key,
    "GetKeyPolicy": get_key_policy,
    "PutKeyPolicy": put_key_policy,
    "ListKeyPolicies": list_key_policies,
    "CreateAlias": create_alias,
    "ListAliases": list_aliases,
}


def handle(call):
    """Run an authenticated KMS call; return the response dict."""
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)
