"""Identity-policy authorisation of the JSON services (CloudWatch Logs,
CloudTrail, KMS, Organizations), of the log-source services (EC2, ELBv2 and
RDS through ``queryproto.run``; Route 53 Resolver, WAFV2, Network Firewall and
Config through ``jsonproto.dispatch``; GuardDuty and EKS through
``restjson.dispatch``) and the record of every authorised call.

For a caller whose user or role has ``policies`` in the configuration, each
call needs its identity policies to allow the IAM action(s) of the operation
on the operation's resource (IAM User Guide, "Policy evaluation logic",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
a caller without ``policies`` keeps the endpoint's older behaviour (the
services' own checks only).  A refusal is ``AccessDeniedException`` in the
service's JSON error shape (the log-source services: each its own code and
status, :func:`_refusal`), "User: <arn> is not authorized to perform:
<action> on resource: <resource> because no identity-based policy allows the
<action> action" (the message AWS gives, "Troubleshoot access denied error
messages",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).

Actions and resources per operation (Service Authorization Reference,
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html,
list_awscloudtrail.html, list_awskeymanagementservice.html,
list_awsorganizations.html, and the "CloudWatch Logs permissions reference",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/permissions-reference-cwl.html):

* the action is ``<prefix>:<Operation>`` for every operation here;
* CloudWatch Logs: a log group's ARN in the form with the trailing ``:*``
  (``arn:aws:logs:R:A:log-group:NAME:*``, "Overview of managing access
  permissions to your CloudWatch Logs resources"); DescribeLogGroups, a
  listing, on ``arn:aws:logs:R:A:log-group:*``;
* CloudTrail: ``arn:aws:cloudtrail:R:A:trail/NAME`` (a Name given as an ARN
  is used as is); DescribeTrails and ListTrails have no resource type (``*``);
  CreateTrail/UpdateTrail with ``CloudWatchLogsRoleArn`` also need
  ``iam:PassRole`` on that role with ``iam:PassedToService`` =
  ``cloudtrail.amazonaws.com`` ("Grant a user permissions to pass a role to an
  AWS service"); with ``IsOrganizationTrail`` also ``iam:GetRole`` and
  ``iam:CreateServiceLinkedRole`` on the CloudTrail service-linked role and
  ``organizations:DescribeOrganization``,
  ``organizations:ListAWSServiceAccessForOrganization`` ("Prepare for creating
  a trail for your organization");
* KMS: the key's ARN (a key id is completed with the request's Region and the
  caller's account); CreateKey, ListKeys, ListAliases: ``*``; a key policy
  that names the caller (not the account root) allows without an identity
  policy, the key policy itself is then checked by ``kms.py`` as before;
* Organizations: per-parent listings on the parent's root or OU ARN
  (``arn:aws:organizations::<management>:root/<org>/<r-id>``, ``ou/<org>/<ou-id>``),
  DescribeAccount on ``account/<org>/<id>``, the rest ``*``.

STS AssumeRole is recorded (``sts:AssumeRole`` on the role) but decided by
the role's trust policy as before.

Every call that passes (and every S3 call authorised by ``authz.py``) is
recorded on the call as ``call.authz`` = ``[{"action", "resource"}]``; the
request log keeps it with the principal (``GET /_admin/authorized``).
"""

import base64
import json

from . import authz, iampolicy
from .errors import AWSError

_LOGS_LISTINGS = {"DescribeLogGroups"}
_TRAIL_UNSCOPED = {"DescribeTrails", "ListTrails"}
_KMS_UNSCOPED = {"CreateKey", "ListKeys", "ListAliases"}
_ORG_PARENT_OPS = {"ListAccountsForParent", "ListOrganizationalUnitsForParent",
                   "ListChildren"}
CLOUDTRAIL_SLR = ("role/aws-service-role/cloudtrail.amazonaws.com/"
                  "AWSServiceRoleForCloudTrail")


def record(call, action, resource, context=None):
    """Note one authorised (action, resource) of ``call``, with the
    operation's own condition keys (``iam:passedtoservice``...)."""
    entries = getattr(call, "authz", None)
    if entries is None:
        entries = call.authz = []
    entry = {"action": action, "resource": resource}
    if context:
        entry["context"] = dict(context)
    if entry not in entries:
        entries.append(entry)


def _logs(call, op, params):
    account, region = call.account, call.region
    if op in _LOGS_LISTINGS:
        return [(f"logs:{op}", f"arn:aws:logs:{region}:{account}:log-group:*",
                 {})]
    name = params.get("logGroupName")
    if not name and params.get("logGroupIdentifier"):
        ident = params["logGroupIdentifier"]
        name = ident.split(":log-group:", 1)[1] if ":log-group:" in ident \
            else ident
    if name:
        name = name[:-2] if name.endswith(":*") else name
        return [(f"logs:{op}",
                 f"arn:aws:logs:{region}:{account}:log-group:{name}:*", {})]
    return [(f"logs:{op}", "*", {})]


def _cloudtrail(call, op, params):
    account, region = call.account, call.region
    if op in _TRAIL_UNSCOPED:
        return [(f"cloudtrail:{op}", "*", {})]
    name = params.get("Name") or params.get("TrailName")
    if name and name.startswith("arn:"):
        trail = name
    elif name:
        trail = f"arn:aws:cloudtrail:{region}:{account}:trail/{name}"
    else:
        trail = "*"
    out = [(f"cloudtrail:{op}", trail, {})]
    if op in ("CreateTrail", "UpdateTrail"):
        role = params.get("CloudWatchLogsRoleArn")
        if role:
            out.append(("iam:PassRole", role,
                        {"iam:passedtoservice": "cloudtrail.amazonaws.com"}))
        if params.get("IsOrganizationTrail"):
            slr = f"arn:aws:iam::{account}:{CLOUDTRAIL_SLR}"
            out.append(("iam:GetRole", slr, {}))
            out.append(("iam:CreateServiceLinkedRole", slr,
                        {"iam:awsservicename": "cloudtrail.amazonaws.com"}))
            out.append(("organizations:DescribeOrganization", "*", {}))
            out.append(("organizations:ListAWSServiceAccessForOrganization",
                        "*", {}))
    return out


def _kms(call, op, params):
    if op in _KMS_UNSCOPED:
        return [(f"kms:{op}", "*", {})]
    key = params.get("KeyId")
    if not key:
        return [(f"kms:{op}", "*", {})]
    if not key.startswith("arn:"):
        key = f"arn:aws:kms:{call.region}:{call.account}:{key}" \
            if key.startswith("alias/") else \
            f"arn:aws:kms:{call.region}:{call.account}:key/{key}"
    return [(f"kms:{op}", key, {})]


def _organizations(call, op, params):
    org = call.endpoint.config.get("organization") or {}
    org_id = org.get("id", "o-unknown")
    mgmt = org.get("management_account", call.account)
    base = f"arn:aws:organizations::{mgmt}"
    if op in _ORG_PARENT_OPS and params.get("ParentId"):
        parent = params["ParentId"]
        kind = "root" if parent.startswith("r-") else "ou"
        return [(f"organizations:{op}", f"{base}:{kind}/{org_id}/{parent}",
                 {})]
    if op == "DescribeAccount" and params.get("AccountId"):
        return [(f"organizations:{op}",
                 f"{base}:account/{org_id}/{params['AccountId']}", {})]
    return [(f"organizations:{op}", "*", {})]


# -- the log-source services --------------------------------------------------
# Actions and resources: the Service Authorization Reference pages list_amazonec2.html,
# list_awselasticloadbalancingv2.html, list_amazonrds.html, list_amazonroute53resolver.html,
# list_awswafv2.html, list_awsnetworkfirewall.html, list_awsconfig.html,
# list_amazonguardduty.html and list_amazonelastickubernetesservice.html (runtime/iam_policy.c
# has the same table). An operation not named below is "<prefix>:<Operation>" on "*", as the
# listings that take no resource type are.

# The endpoint's service name -> the IAM service prefix.
PREFIXES = {"ec2": "ec2", "elbv2": "elasticloadbalancing", "rds": "rds",
            "route53resolver": "route53resolver", "wafv2": "wafv2",
            "network-firewall": "network-firewall", "config": "config",
            "guardduty": "guardduty", "eks": "eks"}


def _ec2(call, op, params):
    base = f"arn:aws:ec2:{call.region}:{call.account}"
    if op != "CreateFlowLogs":
        return [(f"ec2:{op}", "*", {})]
    # CreateFlowLogs: the flow log to create and each resource it watches; iam:PassRole on
    # DeliverLogsPermissionArn (a dependent action in the Reference); to S3 the log delivery
    # ("Publish flow logs to Amazon S3",
    # https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html).
    out = [("ec2:CreateFlowLogs", f"{base}:vpc-flow-log/*", {})]
    kind = {"VPC": "vpc", "Subnet": "subnet",
            "NetworkInterface": "network-interface"}.get(params.get("ResourceType"))
    for rid in params.get("ResourceIds") or []:
        if kind:
            out.append(("ec2:CreateFlowLogs", f"{base}:{kind}/{rid}", {}))
    if params.get("DeliverLogsPermissionArn"):
        out.append(("iam:PassRole", params["DeliverLogsPermissionArn"], {}))
    if params.get("LogDestinationType") == "s3":
        out.append(("logs:CreateLogDelivery", "*", {}))
    return out


def _elbv2(call, op, params):
    if op == "ModifyLoadBalancerAttributes" and params.get("LoadBalancerArn"):
        return [(f"elasticloadbalancing:{op}", params["LoadBalancerArn"], {})]
    return [(f"elasticloadbalancing:{op}", "*", {})]


def _rds(call, op, params):
    base = f"arn:aws:rds:{call.region}:{call.account}"
    if op == "ModifyDBInstance" and params.get("DBInstanceIdentifier"):
        return [(f"rds:{op}", f"{base}:db:{params['DBInstanceIdentifier']}", {})]
    if op == "ModifyDBCluster" and params.get("DBClusterIdentifier"):
        return [(f"rds:{op}", f"{base}:cluster:{params['DBClusterIdentifier']}", {})]
    return [(f"rds:{op}", "*", {})]


def _resolver(call, op, params):
    base = f"arn:aws:route53resolver:{call.region}:{call.account}:resolver-query-log-config"
    if op == "AssociateResolverQueryLogConfig" and params.get("ResolverQueryLogConfigId"):
        return [(f"route53resolver:{op}", f"{base}/{params['ResolverQueryLogConfigId']}",
                 {})]
    # The listings (the Reference gives them the configuration as resource type) and the
    # creation (whose ID AWS gives) on the Region's configurations.
    if op in ("ListResolverQueryLogConfigs", "ListResolverQueryLogConfigAssociations",
              "CreateResolverQueryLogConfig"):
        return [(f"route53resolver:{op}", f"{base}/*", {})]
    return [(f"route53resolver:{op}", "*", {})]


def _wafv2(call, op, params):
    arn = params.get("ResourceArn") or \
        (params.get("LoggingConfiguration") or {}).get("ResourceArn")
    if op == "ListTagsForResource" and params.get("ResourceARN"):
        return [(f"wafv2:{op}", params["ResourceARN"], {})]
    if op in ("GetLoggingConfiguration", "PutLoggingConfiguration") and arn:
        return [(f"wafv2:{op}", arn, {})]
    return [(f"wafv2:{op}", "*", {})]


def _netfw(call, op, params):
    if op in ("DescribeLoggingConfiguration", "UpdateLoggingConfiguration",
              "DescribeFirewall"):
        arn = params.get("FirewallArn") or (
            f"arn:aws:network-firewall:{call.region}:{call.account}:firewall/"
            f"{params.get('FirewallName')}" if params.get("FirewallName") else "*")
        return [(f"network-firewall:{op}", arn, {})]
    return [(f"network-firewall:{op}", "*", {})]


def _config(call, op, params):
    return [(f"config:{op}", "*", {})]


def _guardduty(call, op, params):
    base = f"arn:aws:guardduty:{call.region}:{call.account}:detector"
    det = params.get("DetectorId")
    if op in ("DescribePublishingDestination", "UpdatePublishingDestination") and det and \
            params.get("DestinationId"):
        return [(f"guardduty:{op}",
                 f"{base}/{det}/publishingDestination/{params['DestinationId']}", {})]
    if op in ("ListPublishingDestinations", "CreatePublishingDestination",
              "GetAdministratorAccount") and det:
        return [(f"guardduty:{op}", f"{base}/{det}", {})]
    return [(f"guardduty:{op}", "*", {})]


def _eks(call, op, params):
    if op in ("DescribeCluster", "UpdateClusterConfig") and params.get("name"):
        return [(f"eks:{op}",
                 f"arn:aws:eks:{call.region}:{call.account}:cluster/{params['name']}", {})]
    return [(f"eks:{op}", "*", {})]


_TABLES = {"logs": _logs, "cloudtrail": _cloudtrail, "kms": _kms,
           "organizations": _organizations, "ec2": _ec2, "elbv2": _elbv2, "rds": _rds,
           "route53resolver": _resolver, "wafv2": _wafv2, "network-firewall": _netfw,
           "config": _config, "guardduty": _guardduty, "eks": _eks}


def _refusal(call, action, resource, how):
    """The error ``call``'s service answers a refused call with ("Troubleshoot access denied
    error messages",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):

    * EC2: ``UnauthorizedOperation``, HTTP 403, whose message carries the details encoded
      ("Encoded authorization failure message: ...", decoded by
      ``sts:DecodeAuthorizationMessage``; EC2 API Reference, "Error codes for the Amazon EC2
      API", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
    * ELBv2 and RDS (Query): ``AccessDenied``, HTTP 403;
    * REST-JSON (GuardDuty, EKS): ``AccessDeniedException``, HTTP 403 (the EKS model's
      AccessDeniedException has httpStatusCode 403);
    * JSON 1.0/1.1 (CloudWatch Logs, CloudTrail, KMS, Organizations, Route 53 Resolver, WAFV2,
      Network Firewall, Config): ``AccessDeniedException``, HTTP 400 (no status in their
      models: the JSON protocols' client-error default).
    """
    text = (f"User: {call.identity.arn} is not authorized to perform: {action} on "
            f"resource: {resource} because {how}")
    if call.service == "ec2":
        detail = json.dumps({"allowed": False, "explicitDeny": how.startswith("an explicit"),
                             "context": {"principal": {"arn": call.identity.arn},
                                         "action": action, "resource": resource}},
                            separators=(",", ":"), sort_keys=True)
        encoded = base64.urlsafe_b64encode(detail.encode()).decode()
        return AWSError("UnauthorizedOperation",
                        "You are not authorized to perform this operation. Encoded "
                        f"authorization failure message: {encoded}", 403)
    if call.service in ("elbv2", "rds"):
        return AWSError("AccessDenied", text, 403)
    status = 403 if call.service in ("guardduty", "eks") else 400
    return AWSError("AccessDeniedException", text, status)


def actions_for(call, params):
    """``[(action, resource, extra context)]`` the call needs."""
    table = _TABLES.get(call.service)
    return table(call, call.operation, params or {}) if table else []


def authorize(call, params):
    """Authorise a JSON-service call against the caller's identity policies
    (raises ``AccessDeniedException``) and record what it used."""
    identity = call.identity
    if identity is None or isinstance(identity, authz.ServiceIdentity):
        return
    needed = actions_for(call, params)
    docs = authz.identity_policies(call.endpoint.config, identity)
    if docs is not None:
        principal = authz.principal_of(identity)
        base = authz.build_context(call, principal, None, {})
        for action, resource, extra in needed:
            context = dict(base)
            context.update(extra)
            decision, _ = iampolicy.evaluate(docs, action, resource, context)
            if decision is None and _key_policy_names(call, action, resource):
                decision = "allow"
            if decision != "allow":
                call.denied = {"action": action, "reason": "identity policy"}
                how = "an explicit deny in an identity-based policy" \
                    if decision == "deny" else \
                    "no identity-based policy allows the " + action + \
                    " action"
                raise _refusal(call, action, resource, how)
    for action, resource, extra in needed:
        record(call, action, resource, extra)


def _key_policy_names(call, action, resource):
    """Whether a KMS key policy allows the caller by name (its ARN or role),
    which needs no identity policy in the key's account; a grant to the
    account root delegates to IAM and does not count ("Key policies in AWS
    KMS",
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html)."""
    if call.service != "kms" or not resource.startswith("arn:aws:kms:"):
        return False
    from . import kms  # kms imports jsonproto, which imports this module
    ident = call.identity
    return bool(kms.kms_authorize(call.state, resource, {
        "principal_arn": ident.arn, "principal_account": None,
        "principal_role": ident.source_role}, action))


def set_identity_policies(config, arn, policies):
    """Replace the ``policies`` of the user or role ``arn`` (``None``
    removes them: the older behaviour).  Returns whether it was found."""
    for section in ("roles", "users"):
        for entry in config.get(section) or []:
            if entry.get("arn") == arn:
                if policies is None:
                    entry.pop("policies", None)
                else:
                    entry["policies"] = list(policies)
                return True
    return False


def authorized_calls(log_snapshot):
    """The distinct (principal, action, resource) of the logged calls, and
    the calls refused, from a request-log snapshot."""
    seen, calls, denied = set(), [], []
    for entry in log_snapshot.get("entries", []):
        principal = entry.get("principal")
        for item in entry.get("authorized") or []:
            key = (principal, item["action"], item["resource"])
            if key not in seen:
                seen.add(key)
                calls.append({"principal": principal, "action": item["action"],
                              "resource": item["resource"],
                              "context": item.get("context") or {},
                              "service": entry.get("service"),
                              "operation": entry.get("operation")})
        if entry.get("denied_action"):
            denied.append({"principal": principal,
                           "action": entry["denied_action"],
                           "service": entry.get("service"),
                           "operation": entry.get("operation"),
                           "resource": entry.get("resource")})
    return {"calls": calls, "denied": denied}
