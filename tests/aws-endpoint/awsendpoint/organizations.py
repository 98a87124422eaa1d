"""AWS Organizations (JSON 1.1, API 2016-11-28): the discovery operations.

Implemented: DescribeOrganization, ListRoots, ListOrganizationalUnitsForParent,
ListAccountsForParent, ListAccounts, DescribeAccount.  Requests are ``POST /``
with ``X-Amz-Target: AWSOrganizationsV20161128.<Op>``, signed for the
``organizations`` service (the global endpoint lives in us-east-1).

The organisation is part of the state (``organization`` in the dump); the
config's ``organization`` key and the ``accounts`` entries whose
``organization_id`` names it seed it (:func:`from_config`), and a reset
restores that seed.

Behaviour encoded, with sources
(https://docs.aws.amazon.com/organizations/latest/APIReference/):

* a caller whose account belongs to no organisation gets
  ``AWSOrganizationsNotInUseException`` "Your account isn't a member of an
  organization..." on every operation (API_DescribeOrganization.html,
  Errors);
* DescribeOrganization may be called by any member account; the five other
  operations "can be called only from the organization's management account
  or by a member account that is a delegated administrator for an AWS
  service" (API_ListAccounts.html, API_ListRoots.html,
  API_ListOrganizationalUnitsForParent.html, API_ListAccountsForParent.html,
  API_DescribeAccount.html); any other member gets
  ``AccessDeniedException``;
* pagination: ``MaxResults`` 1..20 (a larger value is a validation error
  from the model), a page is at most that many items; ``NextToken`` is
  present only when more results exist and is passed back to continue
  (the List* pages: "The NextToken response parameter value is null only
  when there are no more results to display"); a token that was not issued
  for this call is ``InvalidInputException`` (reason INVALID_NEXT_TOKEN);
* an unknown ``ParentId`` is ``ParentNotFoundException``, an unknown
  ``AccountId`` ``AccountNotFoundException``.

The caller's identity policy is not evaluated for these operations.
"""

import base64
import copy
import hashlib
import json

from . import jsonproto
from .errors import AWSError

SERVICE = "organizations"
VALIDATION = "InvalidInputException"
DEFAULT_PAGE = 20


# -- the organisation's normal form -----------------------------------------
def _ou_id(root_id, path):
    digest = hashlib.sha256(path.encode()).hexdigest()[:8]
    return f"ou-{root_id[2:6]}-{digest}"


def normalise(spec, epoch_seconds=0):
    """Build the organisation dict (the dump form) from ``spec``.

    ``spec`` = ``{"id": "o-...", "management_account": "...",
    "root_id": "r-...", "feature_set": "ALL",
    "delegated_administrators": [...], "organizational_units": [{"Name":
    "Prod", "Parent": "Workloads"} or {"path": "Workloads/Prod"} ...],
    "accounts": [{"Id": "...", "Name": "...", "Email": "...", "Parent":
    "Workloads/Prod" or an OU/root id}]}``.  Parents are paths of OU names
    from the root (``""`` or ``"Root"`` or the root id for the root) or ids;
    ids not given are derived from the path, so a config stays short.
    """
    org_id = spec["id"]
    mgmt = str(spec["management_account"])
    root_id = spec.get("root_id") or "r-" + hashlib.sha256(
        org_id.encode()).hexdigest()[:4]
    org = {
        "id": org_id,
        "management_account": mgmt,
        "management_email": spec.get("management_email")
        or f"aws+{mgmt}@example.com",
        "feature_set": spec.get("feature_set", "ALL"),
        "root_id": root_id,
        "delegated_administrators": [
            str(a) for a in spec.get("delegated_administrators", [])],
        "organizational_units": [],
        "accounts": [],
    }
    paths = {"": root_id}  # OU path -> id
    ids = {root_id: ""}

    def parent_id(parent):
        if parent in (None, "", "Root", "/"):
            return root_id
        if parent in ids:
            return parent
        path = parent.strip("/")
        if path not in paths:
            raise ValueError(f"organization: unknown parent {parent!r}")
        return paths[path]

    for ou in spec.get("organizational_units", []):
        if "path" in ou:
            path = ou["path"].strip("/")
            name = path.rsplit("/", 1)[-1]
            parent = parent_id(path.rsplit("/", 1)[0] if "/" in path
                               else "")
        else:
            name = ou["Name"]
            parent = parent_id(ou.get("Parent"))
            path = (ids[parent] + "/" + name).strip("/")
        ou_id = ou.get("Id") or _ou_id(root_id, path)
        paths[path] = ou_id
        ids[ou_id] = path
        org["organizational_units"].append(
            {"Id": ou_id, "Name": name, "Parent": parent})
    seen = set()
    for acct in spec.get("accounts", []):
        acct_id = str(acct["Id"])
        if acct_id in seen:
            continue
        seen.add(acct_id)
        org["accounts"].append({
            "Id": acct_id,
            "Name": acct.get("Name") or f"account-{acct_id}",
            "Email": acct.get("Email") or f"aws+{acct_id}@example.com",
            "Status": acct.get("Status", "ACTIVE"),
            "JoinedMethod": acct.get("JoinedMethod") or (
                "INVITED" if acct_id == mgmt else "CREATED"),
            "JoinedTimestamp": acct.get("JoinedTimestamp", epoch_seconds),
            "Parent": parent_id(acct.get("Parent")),
        })
    return org


def from_config(config, epoch_seconds=0):
    """The organisation a config describes, or ``None``.

    The ``organization`` key gives the id, management account, OUs and
    (optionally) accounts; every ``accounts`` entry whose
    ``organization_id`` is that id joins it, under its ``ou`` path, with its
    ``name`` and ``email``."""
    spec = config.get("organization")
    if not spec:
        return None
    spec = copy.deepcopy(spec)
    listed = {str(a["Id"]) for a in spec.get("accounts", [])}
    extra = []
    for acct_id, info in (config.get("accounts") or {}).items():
        if info.get("organization_id") != spec["id"] or \
                str(acct_id) in listed:
            continue
        extra.append({"Id": str(acct_id), "Name": info.get("name"),
                      "Email": info.get("email"), "Parent": info.get("ou")})
    spec["accounts"] = spec.get("accounts", []) + extra
    if str(spec["management_account"]) not in listed | {
            a["Id"] for a in extra}:
        spec["accounts"].insert(0, {"Id": str(spec["management_account"])})
    return normalise(spec, epoch_seconds)


def generate(spec, epoch_seconds=0):
    """A generated organisation for benchmarks: ``{"accounts": N, "ous": M,
    "id": ..., "management_account": ..., "first_account": ...}``.  The
    management account sits under the root; the N-1 others are spread over
    M OUs ``Workload-00``..  round-robin, with consecutive 12-digit ids from
    ``first_account``."""
    count = int(spec.get("accounts", 100))
    ous = max(1, int(spec.get("ous", 4)))
    mgmt = str(spec.get("management_account", "111122223333"))
    first = int(spec.get("first_account", 200000000000))
    width = len(str(ous - 1))
    names = [f"Workload-{i:0{width}d}" for i in range(ous)]
    accounts = [{"Id": mgmt, "Name": "management"}]
    n = 0
    while len(accounts) < count:
        acct_id = f"{first + n:012d}"
        n += 1
        if acct_id == mgmt:
            continue
        accounts.append({"Id": acct_id, "Name": f"bench-{acct_id}",
                         "Parent": names[(len(accounts) - 1) % ous]})
    return normalise({
        "id": spec.get("id", "o-a1b2c3d4e5"), "management_account": mgmt,
        "root_id": spec.get("root_id"),
        "organizational_units": [{"Name": name} for name in names],
        "accounts": accounts}, epoch_seconds)


# -- helpers -----------------------------------------------------------------
def _arn(org, kind, suffix):
    return (f"arn:aws:organizations::{org['management_account']}:{kind}/"
            f"{org['id']}/{suffix}")


def _account_out(org, acct):
    return {"Id": acct["Id"], "Arn": _arn(org, "account", acct["Id"]),
            "Email": acct["Email"], "Name": acct["Name"],
            "Status": acct["Status"], "JoinedMethod": acct["JoinedMethod"],
            "JoinedTimestamp": acct["JoinedTimestamp"]}


def _ou_out(org, ou):
    return {"Id": ou["Id"], "Arn": _arn(org, "ou", ou["Id"]),
            "Name": ou["Name"]}


def _member_org(call):
    org = call.state.organization
    if org is None or call.account not in {
            a["Id"] for a in org["accounts"]}:
        raise AWSError("AWSOrganizationsNotInUseException",
                       "Your account isn't a member of an organization. To "
                       "make this request, you must use the credentials of "
                       "an account that belongs to an organization.")
    return org


def _admin_org(call):
    org = _member_org(call)
    if call.account != org["management_account"] and \
            call.account not in org["delegated_administrators"]:
        raise AWSError("AccessDeniedException",
                       "You don't have permissions to access this resource.")
    return org


def _page(call, params, items, scope):
    """One page of ``items``: ``(page, next_token or None)``."""
    limit = params.get("MaxResults") or DEFAULT_PAGE
    start = 0
    token = params.get("NextToken")
    if token is not None:
        try:
            data = json.loads(base64.b64decode(token, validate=True))
            if data.get("op") != call.operation or \
                    data.get("scope") != scope:
                raise ValueError("token of another call")
            start = int(data["offset"])
            if start < 0:
                raise ValueError("negative offset")
        except (ValueError, KeyError, TypeError):
            raise AWSError("InvalidInputException",
                           "The provided token is not valid.",
                           extra={"Reason": "INVALID_NEXT_TOKEN"}) from None
    page = items[start:start + limit]
    more = start + limit < len(items)
    next_token = None
    if more:
        next_token = base64.b64encode(json.dumps(
            {"op": call.operation, "scope": scope,
             "offset": start + limit}).encode()).decode()
    return page, next_token


def _parent(org, parent_id):
    if parent_id == org["root_id"] or any(
            ou["Id"] == parent_id for ou in org["organizational_units"]):
        return parent_id
    raise AWSError("ParentNotFoundException",
                   "We can't find a root or OU with the ParentId that you "
                   "specified.")


# -- operations ---------------------------------------------------------------
def describe_organization(call, params):
    org = _member_org(call)
    mgmt = org["management_account"]
    return {"Organization": {
        "Id": org["id"],
        "Arn": f"arn:aws:organizations::{mgmt}:organization/{org['id']}",
        "FeatureSet": org["feature_set"],
        "MasterAccountArn": _arn(org, "account", mgmt),
        "MasterAccountId": mgmt,
        "MasterAccountEmail": org["management_email"],
        "AvailablePolicyTypes": [],
    }}


def list_roots(call, params):
    org = _admin_org(call)
    roots = [{"Id": org["root_id"], "Arn": _arn(org, "root", org["root_id"]),
              "Name": "Root", "PolicyTypes": []}]
    page, token = _page(call, params, roots, "")
    return {"Roots": page, "NextToken": token}


def list_organizational_units_for_parent(call, params):
    org = _admin_org(call)
    parent = _parent(org, params["ParentId"])
    ous = [_ou_out(org, ou) for ou in org["organizational_units"]
           if ou["Parent"] == parent]
    page, token = _page(call, params, ous, parent)
    return {"OrganizationalUnits": page, "NextToken": token}


def list_accounts_for_parent(call, params):
    org = _admin_org(call)
    parent = _parent(org, params["ParentId"])
    accounts = [_account_out(org, a) for a in org["accounts"]
                if a["Parent"] == parent]
    page, token = _page(call, params, accounts, parent)
    return {"Accounts": page, "NextToken": token}


def list_accounts(call, params):
    org = _admin_org(call)
    accounts = [_account_out(org, a) for a in org["accounts"]]
    page, token = _page(call, params, accounts, "")
    return {"Accounts": page, "NextToken": token}


def describe_account(call, params):
    org = _admin_org(call)
    for acct in org["accounts"]:
        if acct["Id"] == params["AccountId"]:
            return {"Account": _account_out(org, acct)}
    raise AWSError("AccountNotFoundException",
                   "We can't find an AWS account with the AccountId that you "
                   "specified, or the account whose credentials you used to "
                   "make this request isn't a member of an organization.")


HANDLERS = {
    "DescribeOrganization": describe_organization,
    "ListRoots": list_roots,
    "ListOrganizationalUnitsForParent": list_organizational_units_for_parent,
    "ListAccountsForParent": list_accounts_for_parent,
    "ListAccounts": list_accounts,
    "DescribeAccount": describe_account,
}


def handle(call):
    """Run an authenticated Organizations call; return the response dict."""
    return jsonproto.dispatch(call, HANDLERS, VALIDATION)
