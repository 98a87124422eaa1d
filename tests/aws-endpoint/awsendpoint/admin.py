"""The admin API: unsigned JSON endpoints under ``/_admin/``, loopback only.

========================  ====================================================
``GET  /_admin/health``   ``{"ok": true, "botocore": "1.29.27", ...}``
``POST /_admin/reset``    clear state, faults, request log, clock offset and
                          account switches (body ``{"state": false}`` etc.
                          keeps a part)
``GET  /_admin/state``    dump the state (see :mod:`awsendpoint.state`)
``POST /_admin/state``    replace the state with the body; ``?mode=merge``
                          merges it instead
``POST /_admin/bulk``     create many resources, e.g. ``{"log_groups":
                          {"prefix": "/bench/", "count": 10000,
                          "retention": 30}, "buckets": {"prefix": "b-",
                          "count": 50}, "organization": {"accounts": 100,
                          "ous": 4, "roles": ["LogkeepDeploy"]}}``
``POST /_admin/sources``  seed the log-source services' resources (VPCs,
                          web ACLs, firewalls, recorders, detectors,
                          clusters) in one account and Region; see
                          :mod:`awsendpoint.restjson`
``GET  /_admin/faults``   list fault rules
``POST /_admin/faults``   add a rule (or ``{"rules": [...]}`` / a list); see
                          :mod:`awsendpoint.faults`
``DELETE /_admin/faults`` remove all rules (also ``POST /_admin/faults/reset``)
``GET  /_admin/log``      request log and per-operation counts; filters
                          ``?service=&operation=&since=<seq>&limit=``
``POST /_admin/log/reset`` clear the log (also ``DELETE /_admin/log``)
``GET|POST /_admin/clock`` read or set ``{"offset_seconds": N}``, the shift of
                          the endpoint clock (signature skew, expiry, Date)
``GET  /_admin/credentials``  list accepted credentials (issued ones too)
``POST /_admin/credentials``  add one (same fields as the config file)
``GET  /_admin/config``   the configuration in force
``POST /_admin/deliver``  deliver an object as an AWS service would (see
                          :mod:`awsendpoint.delivery`)
``GET  /_admin/accounts`` per-account switches in force
``POST /_admin/accounts`` set them: ``{"<account>": {"deny_assume_role":
                          true, "disabled_regions": [...]}}`` (see
                          :mod:`awsendpoint.accounts`)
``GET|POST /_admin/workloads``  VPCs, flow logs, load balancers, DB instances
                          and clusters per account and Region (see
                          :mod:`awsendpoint.queryproto`)
``GET|POST|DELETE /_admin/variants``  response variants (emulator dialects,
                          recorded bodies; see :mod:`awsendpoint.variants`)
========================  ====================================================

Every answer is JSON; failures are ``{"error": "..."}`` with 400/403/404.
"""

import ipaddress
import json

from . import authz_json, delivery, models, queryproto, restjson, variants
from .accounts import AccountControlError


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _body_json(request, default=None):
    if not request.body.strip():
        return default
    try:
        return json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdminError(400, f"body is not JSON: {exc}") from None


def _bulk_roles(endpoint, names):
    """Give every account of the (generated) organisation the roles
    ``names``, copied from the config's role of that name in
    ``default_account`` (trust, external id, policies); a name the config
    does not have trusts the default account and has AdministratorAccess.
    Returns the number of roles added."""
    org = endpoint.state.organization
    if org is None:
        raise AdminError(400, "organization roles need an organization")
    config_roles = endpoint.config.setdefault("roles", [])
    by_arn = {r["arn"]: r for r in config_roles}
    home = endpoint.state.default_account
    added = 0
    for name in names:
        template = by_arn.get(f"arn:aws:iam::{home}:role/{name}") or {
            "trusted_principals": [f"arn:aws:iam::{home}:root"],
            "web_identity": False, "policies": ["AdministratorAccess"]}
        for acct in org["accounts"]:
            arn = f"arn:aws:iam::{acct['Id']}:role/{name}"
            if arn in by_arn:
                continue
            role = dict(template, arn=arn)
            role.pop("role_id", None)
            config_roles.append(role)
            by_arn[arn] = role
            endpoint.credentials.add_role(role)
            added += 1
    return added


def handle(endpoint, request):
    """Answer an admin request: ``(status, dict)``."""
    if not _is_loopback(request.client[0]):
        return 403, {"error": "the admin API answers loopback clients only"}
    try:
        return 200, _route(endpoint, request)
    except AdminError as exc:
        return exc.status, {"error": exc.message}
    except (ValueError, KeyError, TypeError) as exc:
        return 400, {"error": f"{type(exc).__name__}: {exc}"}


def _route(endpoint, request):
    path = request.path.rstrip("/")
    method = request.method
    query = request.query_dict()
    if path == "/_admin/health" and method == "GET":
        return {"ok": True, "botocore": models.botocore_version(),
                "api_versions": models.SERVICE_VERSIONS,
                "clock_offset_seconds": endpoint.clock.offset,
                "port": endpoint.port}
    if path == "/_admin/reset" and method == "POST":
        parts = _body_json(request, {}) or {}
        if parts.get("state", True):
            endpoint.state.reset()
            restjson.reset(endpoint.state)
            queryproto.reset(endpoint)
        if parts.get("faults", True):
            endpoint.faults.clear()
        if parts.get("log", True):
            endpoint.log.reset()
        if parts.get("clock", True):
            endpoint.clock.set_offset(0)
        if parts.get("accounts", True):
            endpoint.accounts.reset()
        if parts.get("variants", True):
            endpoint.variants.clear()
        return {"ok": True}
    if path == "/_admin/state":
        if method == "GET":
            return endpoint.state.dump()
        if method in ("POST", "PUT"):
            data = _body_json(request, {})
            mode = query.get("mode", "replace")
            if isinstance(data, dict) and "state" in data and \
                    set(data) <= {"state", "mode"}:
                mode = data.get("mode", mode)
                data = data["state"]
            if mode not in ("replace", "merge"):
                raise AdminError(400, "mode must be replace or merge")
            endpoint.state.load(data, merge=(mode == "merge"))
            return {"ok": True}
    if path == "/_admin/sources" and method == "POST":
        return restjson.admin_seed(endpoint, _body_json(request, {}) or {})
    if path == "/_admin/bulk" and method == "POST":
        spec = _body_json(request, {})
        created = endpoint.state.bulk(spec)
        org_spec = spec.get("organization") or {}
        if org_spec.get("roles"):
            created["roles"] = _bulk_roles(endpoint, org_spec["roles"])
        return created
    if path == "/_admin/faults":
        if method == "GET":
            return {"rules": endpoint.faults.list()}
        if method == "POST":
            data = _body_json(request, {})
            rules = data if isinstance(data, list) else \
                data.get("rules", [data])
            return {"rules": [endpoint.faults.add(r) for r in rules]}
        if method == "DELETE":
            endpoint.faults.clear()
            return {"ok": True}
    if path == "/_admin/faults/reset" and method == "POST":
        endpoint.faults.clear()
        return {"ok": True}
    if path == "/_admin/log":
        if method == "GET":
            return endpoint.log.snapshot(
                service=query.get("service"),
                operation=query.get("operation"),
                since=int(query.get("since", 0)),
                limit=int(query["limit"]) if "limit" in query else None)
        if method == "DELETE":
            endpoint.log.reset()
            return {"ok": True}
    if path == "/_admin/log/reset" and method == "POST":
        endpoint.log.reset()
        return {"ok": True}
    if path == "/_admin/clock":
        if method == "POST":
            data = _body_json(request, {})
            endpoint.clock.set_offset(float(data.get("offset_seconds", 0)))
        if method in ("GET", "POST"):
            return {"offset_seconds": endpoint.clock.offset,
                    "now": endpoint.clock.now().strftime(
                        "%Y-%m-%dT%H:%M:%SZ")}
    if path == "/_admin/credentials":
        if method == "GET":
            return {"credentials": endpoint.credentials.all()}
        if method == "POST":
            entry = endpoint.credentials.add(_body_json(request, {}))
            return {"credential": entry.to_json()}
    if path == "/_admin/deliver" and method == "POST":
        return delivery.deliver(endpoint, _body_json(request, {}))
    if path == "/_admin/accounts":
        if method == "GET":
            return {"accounts": endpoint.accounts.all()}
        if method == "POST":
            try:
                return {"accounts": endpoint.accounts.update(
                    _body_json(request, {}))}
            except AccountControlError as exc:
                raise AdminError(400, str(exc)) from None
    if path.startswith("/_admin/variants"):
        try:
            answer = variants.handle_admin(endpoint, method, path,
                                           _body_json(request, {}))
        except variants.VariantError as exc:
            raise AdminError(400, str(exc)) from None
        if answer is not None:
            return answer
    if path == "/_admin/authorized" and method == "GET":
        return authz_json.authorized_calls(endpoint.log.snapshot())
    if path == "/_admin/identity-policies" and method == "POST":
        data = _body_json(request, {}) or {}
        if not authz_json.set_identity_policies(
                endpoint.config, data.get("arn"), data.get("policies")):
            raise AdminError(404, f"no user or role {data.get('arn')}")
        return {"ok": True}
    if path == "/_admin/workloads" and method in ("GET", "POST"):
        return queryproto.admin(endpoint, method, _body_json(request, {}))
    if path == "/_admin/config" and method == "GET":
        return endpoint.config
    raise AdminError(404, f"no admin resource {method} {request.path}")
