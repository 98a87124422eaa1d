"""Authorisation of S3 calls: identity-based policies, bucket policies and
the AWS service principals that deliver logs.

Decision (IAM User Guide, "Policy evaluation logic" and its pages
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):

* an explicit ``Deny`` in the identity policy or the bucket policy wins;
* same account (the caller's account owns the bucket): allowed when the
  identity policy OR the bucket policy allows ("If either the
  identity-based policy or the resource-based policy within the same account
  allows the request and the other doesn't, the request is still allowed");
  a bucket-policy grant to the account itself (``arn:aws:iam::A:root`` or
  ``A``) delegates to the account, so the identity policy must allow too
  (reference_policies_elements_principal.html, "AWS account principals");
* another account: the identity policy AND the bucket policy must allow
  ("Cross-account policy evaluation logic");
* an AWS service principal has no identity policy: the bucket policy must
  allow it.

Identities come from the configuration: ``roles[].policies`` and
``users[].policies`` name entries of ``managed_policies`` or give policy
documents inline.  A credential whose user or role has no ``policies`` key
keeps the endpoint's older behaviour: it may do anything to resources of
its own account (bucket-policy denies still apply) and nothing elsewhere.

Actions per operation follow the Service Authorization Reference for
Amazon S3 (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)
and each operation's API page ("Permissions").

Request context keys ("AWS global condition context keys",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
and the S3 keys of the Service Authorization Reference):

* IAM principals: ``aws:PrincipalArn`` (the role ARN for a role session,
  not the session ARN), ``aws:PrincipalAccount``, ``aws:PrincipalType``
  (``User``/``AssumedRole``), ``aws:userid``, ``aws:username`` (users),
  ``aws:PrincipalOrgID`` (when the account has an ``organization_id`` in the
  config's ``accounts``), ``aws:PrincipalIsAWSService`` = ``false``,
  ``aws:SourceIp``;
* service principals: ``aws:PrincipalIsAWSService`` = ``true``,
  ``aws:PrincipalServiceName`` and ``aws:PrincipalServiceNamesList`` (only
  present for service principals), ``aws:SourceArn``/``aws:SourceAccount``
  when the delivery names them; no ``aws:PrincipalArn``,
  ``aws:PrincipalAccount``, ``aws:userid``;
* every request: ``aws:SecureTransport`` (``true`` on a TLS port; on plain
  HTTP ``true`` unless the config sets ``assume_secure_transport`` false),
  ``aws:CurrentTime``, ``aws:EpochTime``, ``aws:RequestedRegion``,
  ``aws:ResourceAccount``/``s3:ResourceAccount``, ``s3:signatureversion``,
  ``s3:authType``, ``s3:x-amz-content-sha256``; from the request
  ``s3:x-amz-acl``, ``s3:x-amz-server-side-encryption``,
  ``s3:x-amz-server-side-encryption-aws-kms-key-id``, ``s3:prefix``,
  ``s3:delimiter``, ``s3:max-keys``, ``s3:VersionId``,
  ``s3:object-lock-mode``, ``s3:object-lock-retain-until-date``,
  ``s3:object-lock-legal-hold``.

A denial is ``403 AccessDenied`` "Access Denied", S3's answer
(https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).

KMS: when a bucket's default encryption is SSE-KMS with a key, writing an
object needs ``kms:GenerateDataKey`` and reading it ``kms:Decrypt`` on that
key (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html);
the endpoint asks ``awsendpoint.kms.kms_authorize(state, key_arn, context,
action)`` when that module exists and allows otherwise.  ``context`` is the
S3 request context plus ``kms:viaservice``,
``kms:encryptioncontext:aws:s3:arn`` and, for IAM callers,
``endpoint:identitypolicydecision`` (what the caller's identity policies
say about the KMS action on the key: ``"allow"``, ``"deny"`` or ``None``),
for key policies that delegate to IAM.
"""

import importlib
import json

from . import iampolicy
from .errors import AWSError

ACCESS_DENIED = "Access Denied"

# Operation -> IAM action (Service Authorization Reference for Amazon S3).
BUCKET_ACTIONS = {
    "CreateBucket": "s3:CreateBucket",
    "DeleteBucket": "s3:DeleteBucket",
    "HeadBucket": "s3:ListBucket",
    "ListBuckets": "s3:ListAllMyBuckets",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketAcl": "s3:GetBucketAcl",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "PutBucketPolicy": "s3:PutBucketPolicy",
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "DeleteBucketPolicy": "s3:DeleteBucketPolicy",
    "PutBucketVersioning": "s3:PutBucketVersioning",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "DeleteBucketEncryption": "s3:PutEncryptionConfiguration",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
}


def actions_for(operation, params):
    """The IAM actions an S3 call needs, each with ``"bucket"``/
    ``"object"``/``"*"`` as its resource kind."""
    versioned = params.get("VersionId") is not None
    if operation in ("GetObject", "HeadObject"):
        return [("s3:GetObjectVersion" if versioned else "s3:GetObject",
                 "object")]
    if operation == "DeleteObject":
        return [("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject",
                 "object")]
    if operation == "PutObject":
        # PutObject API "Permissions": retention and legal-hold headers
        # need s3:PutObjectRetention / s3:PutObjectLegalHold as well.
        out = [("s3:PutObject", "object")]
        if params.get("ObjectLockMode") or \
                params.get("ObjectLockRetainUntilDate"):
            out.append(("s3:PutObjectRetention", "object"))
        if params.get("ObjectLockLegalHoldStatus"):
            out.append(("s3:PutObjectLegalHold", "object"))
        return out
    if operation == "ListBuckets":
        return [("s3:ListAllMyBuckets", "*")]
    action = BUCKET_ACTIONS.get(operation)
    return [(action, "bucket")] if action else []


# ---------------------------------------------------------------------------
# Principals and their identity policies

class ServiceIdentity:
    """An AWS service principal acting on its own (log delivery)."""

    access_key_id = None
    account = None
    arn = None
    user_id = None
    source_role = None
    owner_name = None

    def __init__(self, service, source_arn=None, source_account=None):
        self.service = service
        self.source_arn = source_arn
        self.source_account = source_account


def principal_of(identity):
    if isinstance(identity, ServiceIdentity):
        return iampolicy.Principal("service", service=identity.service)
    return iampolicy.Principal("iam", account=identity.account,
                               arn=identity.arn,
                               role_arn=identity.source_role,
                               user_id=identity.user_id)


def _resolve(config, entries):
    managed = config.get("managed_policies") or {}
    docs = []
    for entry in entries:
        if isinstance(entry, str):
            if entry not in managed:
                raise ValueError(f"unknown managed policy {entry}")
            docs.append(managed[entry])
        elif isinstance(entry, dict):
            docs.append(entry)
    return docs


def identity_policies(config, identity):
    """The identity-based policy documents of a caller, or ``None`` when its
    user/role declares none (older behaviour: own account only)."""
    target = identity.source_role or identity.arn
    for section in ("roles", "users"):
        for entry in config.get(section) or []:
            if entry.get("arn") == target and "policies" in entry:
                return _resolve(config, entry["policies"])
    return None


# ---------------------------------------------------------------------------
# Request context

def _org_id(config, account):
    info = (config.get("accounts") or {}).get(str(account)) or {}
    return info.get("organization_id")


def secure_transport(endpoint):
    if getattr(endpoint, "tls", False):
        return True
    return bool(endpoint.config.get("assume_secure_transport", True))


def build_context(call, principal, bucket, params):
    """The request context (lower-case keys) of an S3 call."""
    endpoint = call.endpoint
    now = call.clock.now()
    ctx = {
        "aws:securetransport": "true" if secure_transport(endpoint)
        else "false",
        "aws:currenttime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:epochtime": str(int(now.timestamp())),
        "aws:requestedregion": call.region,
        "s3:signatureversion": "AWS4-HMAC-SHA256",
        "s3:authtype": "REST-HEADER",
    }
    identity = call.identity
    if principal.kind == "service":
        ctx["aws:principalisawsservice"] = "true"
        ctx["aws:principalservicename"] = principal.service
        ctx["aws:principalservicenameslist"] = [principal.service]
        if identity.source_arn:
            ctx["aws:sourcearn"] = identity.source_arn
        if identity.source_account:
            ctx["aws:sourceaccount"] = str(identity.source_account)
        ctx["aws:securetransport"] = "true"
    else:
        ctx["aws:principalisawsservice"] = "false"
        ctx["aws:principalarn"] = principal.principal_arn
        ctx["aws:principalaccount"] = principal.account
        ctx["aws:principaltype"] = ("AssumedRole" if principal.role_arn
                                    else "User")
        if principal.user_id:
            ctx["aws:userid"] = principal.user_id
        if not principal.role_arn and ":user/" in (principal.arn or ""):
            ctx["aws:username"] = principal.arn.rsplit("/", 1)[-1]
        org = _org_id(endpoint.config, principal.account)
        if org:
            ctx["aws:principalorgid"] = org
        client = getattr(call.request, "client", None)
        if client:
            ctx["aws:sourceip"] = client[0]
    if bucket is not None:
        ctx["aws:resourceaccount"] = bucket["owner"]
        ctx["s3:resourceaccount"] = bucket["owner"]
    headers = call.request.headers
    for header, key in (("x-amz-acl", "s3:x-amz-acl"),
                        ("x-amz-server-side-encryption",
                         "s3:x-amz-server-side-encryption"),
                        ("x-amz-server-side-encryption-aws-kms-key-id",
                         "s3:x-amz-server-side-encryption-aws-kms-key-id"),
                        ("x-amz-content-sha256", "s3:x-amz-content-sha256"),
                        ("x-amz-object-lock-mode", "s3:object-lock-mode"),
                        ("x-amz-object-lock-retain-until-date",
                         "s3:object-lock-retain-until-date"),
                        ("x-amz-object-lock-legal-hold",
                         "s3:object-lock-legal-hold")):
        value = headers.get(header)
        if value is not None:
            ctx[key] = value
    for member, key in (("Prefix", "s3:prefix"),
                        ("Delimiter", "s3:delimiter"),
                        ("MaxKeys", "s3:max-keys"),
                        ("VersionId", "s3:versionid")):
        if params.get(member) is not None:
            ctx[key] = str(params[member])
    return ctx


# ---------------------------------------------------------------------------
# Decisions

def _bucket_policy(bucket):
    text = (bucket or {}).get("policy")
    if not text:
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        return []


def decide(endpoint, identity, action, resource, context, bucket):
    """``(allowed, why)`` for one action on one resource."""
    principal = principal_of(identity)
    owner = bucket["owner"] if bucket is not None else None
    id_decision = None
    if principal.kind == "iam":
        docs = identity_policies(endpoint.config, identity)
        if docs is None:
            same = owner is None or owner == principal.account
            id_decision = "allow" if same else None
        else:
            id_decision, _ = iampolicy.evaluate(docs, action, resource,
                                                context)
    res_decision, st = iampolicy.evaluate(
        _bucket_policy(bucket), action, resource, context, principal,
        resource_policy=True)
    if res_decision == "deny":
        return False, f"explicit deny in the bucket policy " \
            f"({st.get('Sid', 'no Sid')})"
    if id_decision == "deny":
        return False, "explicit deny in an identity-based policy"
    if principal.kind == "service":
        return res_decision == "allow", "bucket policy"
    if owner is None or owner == principal.account:
        if id_decision == "allow" or res_decision == "allow":
            return True, "allowed"
        return False, "no identity-based or bucket policy allows it"
    if id_decision == "allow" and res_decision in ("allow", "allow-account"):
        return True, "allowed"
    return False, "cross-account: identity and bucket policy must allow"


def _kms_module():
    try:
        return importlib.import_module(__package__ + ".kms")
    except ImportError:
        return None


def kms_key_of(bucket):
    for rule in (bucket.get("encryption") or {}).get("Rules") or []:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse") and \
                default.get("KMSMasterKeyID"):
            return default["KMSMasterKeyID"]
    return None


def kms_check(call, bucket, context, action):
    """Ask the KMS module (if any) whether ``action`` on the bucket's key is
    allowed; ``True`` when there is no key or no KMS module."""
    key = kms_key_of(bucket)
    if key is None:
        return True
    module = _kms_module()
    hook = getattr(module, "kms_authorize", None) if module else None
    if hook is None:
        return True
    ctx = dict(context)
    ctx["kms:viaservice"] = f"s3.{bucket['region']}.amazonaws.com"
    ctx["kms:encryptioncontext:aws:s3:arn"] = f"arn:aws:s3:::{bucket['name']}"
    identity = getattr(call, "identity", None)
    # Who asks, in the form kms_authorize() matches Principal elements with.
    if isinstance(identity, ServiceIdentity):
        ctx["principal_service"] = identity.service
        # CloudTrail encrypts log files under the encryption context
        # aws:cloudtrail:arn = the trail's ARN ("Configure AWS KMS key
        # policies for CloudTrail",
        # https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
        if identity.service == "cloudtrail.amazonaws.com" and identity.source_arn:
            ctx["kms:encryptioncontext:aws:cloudtrail:arn"] = identity.source_arn
    elif identity is not None:
        ctx["principal_arn"] = identity.arn
        ctx["principal_account"] = identity.account
        ctx["principal_role"] = identity.source_role
    if identity is not None and not isinstance(identity, ServiceIdentity):
        # For key policies that delegate to IAM (the account as principal):
        # what the caller's identity policies say about the KMS action on
        # the key ("allow", "deny" or None; own account only when the
        # caller declares no policies).
        docs = identity_policies(call.endpoint.config, identity)
        if docs is None:
            key_account = key.split(":")[4] if key.count(":") >= 5 else None
            decision = "allow" if key_account in (None, "",
                                                  identity.account) else None
        else:
            decision, _ = iampolicy.evaluate(docs, action, key, ctx)
        ctx["endpoint:identitypolicydecision"] = decision
    return bool(hook(call.state, key, ctx, action))


def _resource(kind, bucket_name, key):
    if kind == "*":
        return "*"
    if kind == "object":
        return f"arn:aws:s3:::{bucket_name}/{key}"
    return f"arn:aws:s3:::{bucket_name}"


def _deny(call, action, why):
    call.denied = {"action": action, "reason": why}
    raise AWSError("AccessDenied", ACCESS_DENIED, 403)


def authorize_s3(call, bucket, params, bucket_name=None):
    """Authorise an S3 call (raises ``403 AccessDenied``).  ``bucket`` is
    the stored bucket, or ``None`` for CreateBucket/ListBuckets."""
    if getattr(call, "authorized", False) or call.identity is None:
        return
    name = bucket["name"] if bucket is not None else bucket_name
    key = params.get("Key")
    principal = principal_of(call.identity)
    context = build_context(call, principal, bucket, params)
    call.auth_context = context
    for action, kind in actions_for(call.operation, params):
        resource = _resource(kind, name, key)
        allowed, why = decide(call.endpoint, call.identity, action,
                              resource, context, bucket)
        if not allowed:
            _deny(call, action, why)
        # The record of authorised calls (awsendpoint.authz_json).
        call.authz = getattr(call, "authz", None) or []
        call.authz.append({"action": action, "resource": resource})
    if bucket is not None and call.operation in ("PutObject", "GetObject",
                                                 "HeadObject"):
        kms_action = ("kms:GenerateDataKey" if call.operation == "PutObject"
                      else "kms:Decrypt")
        if not kms_check(call, bucket, context, kms_action):
            _deny(call, kms_action, "the KMS key policy does not allow it")
    call.authorized = True


def authorize_extra(call, action):
    """Authorise one more action of the current call (for example
    ``s3:BypassGovernanceRetention``), on the call's object or bucket."""
    if call.identity is None:
        return
    bucket = call.state.buckets.get(call.resource)
    params = getattr(call, "params", {}) or {}
    key = params.get("Key")
    kind = "object" if key else "bucket"
    context = getattr(call, "auth_context", None) or build_context(
        call, principal_of(call.identity), bucket, params)
    allowed, why = decide(call.endpoint, call.identity, action,
                          _resource(kind, call.resource, key), context,
                          bucket)
    if not allowed:
        _deny(call, action, why)
