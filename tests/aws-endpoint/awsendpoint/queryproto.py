"""The AWS Query protocols of Amazon EC2, Elastic Load Balancing v2 and
Amazon RDS: form-encoded requests, XML responses, both read and written with
botocore's models (``service-2.json`` of ec2 2016-11-15, elbv2 2015-12-01,
rds 2014-10-31).

Requests are ``POST /`` with ``Action=<Op>&Version=<api version>&...``
(form body, or the query string of a GET).  Parameter names follow the
serializers of botocore (``botocore/serialize.py``):

* ``query`` (ELBv2, RDS): a structure member is ``Prefix.Name`` (its
  ``locationName`` if the model gives one); a list is
  ``Prefix.member.N`` (``Prefix.<member locationName>.N``), a flattened
  list ``Prefix.N``; maps ``Prefix.entry.N.key``/``.value``;
* ``ec2``: lists are always ``Prefix.N``; a member's name is its
  ``queryName``, else its ``locationName`` with the first letter upper-cased,
  else the member name (so ``Filter.1.Name=vpc-id&Filter.1.Value.1=...``).

Responses (botocore ``parsers.py`` is the referee in the tests):

* ``query``: ``<OpResponse xmlns=NS><OpResult>...</OpResult>
  <ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>``, lists as
  ``<Name><member>..</member></Name>`` (or the member's ``locationName``);
* ``ec2``: ``<OpResponse xmlns=NS><requestId/>...members...</OpResponse>``
  with no result wrapper, lists as ``<vpcSet><item>..</item></vpcSet>``
  (the models' ``locationName``\\ s);
* errors: ``query`` ``<ErrorResponse><Error><Type/><Code/><Message/></Error>
  <RequestId/></ErrorResponse>``; ``ec2`` ``<Response><Errors><Error>
  <Code/><Message/></Error></Errors><RequestID/></Response>``
  (EC2 API Reference, "Error codes for the Amazon EC2 API",
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).

Throttling: EC2 answers ``503 RequestLimitExceeded`` ("Request throttling",
https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html);
ELBv2 and RDS ``400 Throttling`` (the Query services' common errors).

The resources live in one :class:`Workloads` store per endpoint, kept per
(account, Region) like the log groups, seeded with ``POST /_admin/workloads``
(:func:`admin`) and cleared by ``POST /_admin/reset``.
"""

import base64
import copy
import time
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from . import authz_json, models
from .errors import AWSError, auth_error as _base_auth_error

# SigV4 scope name -> the endpoint's service name (request log, faults).
SCOPES = {"ec2": "ec2", "elasticloadbalancing": "elbv2", "rds": "rds"}
PROTOCOLS = {"ec2": "ec2", "elbv2": "query", "rds": "query"}
VERSIONS = {"ec2": "2016-11-15", "elbv2": "2015-12-01", "rds": "2014-10-31"}
# Validation-failure codes: EC2 "InvalidParameterValue"/"MissingParameter"
# (EC2 error codes page), ELBv2 "ValidationError", RDS
# "InvalidParameterValue" (RDS API Reference, "Common Errors").
VALIDATION = {"ec2": "InvalidParameterValue", "elbv2": "ValidationError",
              "rds": "InvalidParameterValue"}
MISSING = {"ec2": "MissingParameter", "elbv2": "ValidationError",
           "rds": "MissingParameter"}


def model(service):
    return models.service_model(service)


def namespace(service):
    ns = model(service).metadata["xmlNamespace"]
    return ns if ns.endswith("/") else ns + "/"


def form_params(request):
    """Query-string plus form-body parameters (first value of each)."""
    params = {}
    for key, value in request.query:
        params.setdefault(key, value)
    ctype = (request.headers.get("Content-Type") or "").lower()
    if request.body and (ctype.startswith(
            "application/x-www-form-urlencoded") or not ctype):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise AWSError("MalformedInput", "The request body is not valid "
                           "UTF-8.") from None
        for key, value in parse_qsl(text, keep_blank_values=True):
            params.setdefault(key, value)
    return params


def operation_of(service, form):
    """The operation ``Action`` names, or ``None`` (unknown action or a
    ``Version`` that is not the model's)."""
    action = (form or {}).get("Action")
    if action not in model(service).operation_names:
        return None
    if form.get("Version") != VERSIONS[service]:
        return None
    return action


# ---------------------------------------------------------------------------
# Reading a form with a shape

def _ec2_name(name, shape):
    ser = shape.serialization
    if "queryName" in ser:
        return ser["queryName"]
    if "name" in ser:
        return ser["name"][0].upper() + ser["name"][1:]
    return name


def _member_key(protocol, name, shape):
    if protocol == "ec2":
        return _ec2_name(name, shape)
    return shape.serialization.get("name", name)


def _read(form, shape, key, protocol, keys):
    kind = shape.type_name
    if kind == "structure":
        out = {}
        for name, mshape in shape.members.items():
            sub = f"{key}.{_member_key(protocol, name, mshape)}" if key else \
                _member_key(protocol, name, mshape)
            value = _read(form, mshape, sub, protocol, keys)
            if value is not None:
                out[name] = value
        return out or None
    if kind == "list":
        if protocol == "ec2" or shape.serialization.get("flattened"):
            prefix = key
        else:
            prefix = f"{key}.{shape.member.serialization.get('name', 'member')}"
        items = []
        i = 1
        while True:
            item_key = f"{prefix}.{i}"
            if item_key not in keys and not any(
                    k.startswith(item_key + ".") for k in keys):
                break
            items.append(_read(form, shape.member, item_key, protocol, keys))
            i += 1
        if not items and form.get(key) == "":
            return []
        return items or None
    if kind == "map":
        result = {}
        i = 1
        while f"{key}.entry.{i}.key" in form:
            result[form[f"{key}.entry.{i}.key"]] = _read(
                form, shape.value, f"{key}.entry.{i}.value", protocol, keys)
            i += 1
        return result or None
    if key not in form:
        return None
    text = form[key]
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise AWSError(VALIDATION.get(protocol, "InvalidParameterValue"),
                           f"Invalid value '{text}' for {key}") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise AWSError("InvalidParameterValue",
                           f"Invalid value '{text}' for {key}")
        return text.lower() == "true"
    return text


def read_params(call, form):
    """The input of ``call`` read from ``form`` and checked against the
    model (required members, lengths, ranges, enums)."""
    service = call.service
    op = model(service).operation_model(call.operation)
    shape = op.input_shape
    if shape is None:
        return {}
    keys = set(form)
    protocol = PROTOCOLS[service]
    code = VALIDATION[service]
    try:
        params = _read(form, shape, "", protocol, keys) or {}
    except AWSError as err:
        raise AWSError(code, err.message) from None
    issues = models.constraint_errors(params, shape)
    if issues:
        missing = [i for i in issues if "must not be null" in i]
        raise AWSError(MISSING[service] if missing and
                       len(missing) == len(issues) else code,
                       models.validation_message(issues))
    return params


# ---------------------------------------------------------------------------
# Writing a response with a shape

def render(call, result):
    """The XML response body of ``call`` for ``result`` (output members)."""
    service = call.service
    op = model(service).operation_model(call.operation)
    root = ElementTree.Element(f"{call.operation}Response")
    root.set("xmlns", namespace(service))
    if PROTOCOLS[service] == "ec2":
        ElementTree.SubElement(root, "requestId").text = call.request_id
        if op.output_shape is not None:
            models._xml_fill(root, result or {}, op.output_shape)
    else:
        wrapper = op.output_shape.serialization.get("resultWrapper") or \
            f"{call.operation}Result" if op.output_shape is not None else None
        if op.output_shape is not None:
            res = ElementTree.SubElement(root, wrapper)
            models._xml_fill(res, result or {}, op.output_shape)
        meta = ElementTree.SubElement(root, "ResponseMetadata")
        ElementTree.SubElement(meta, "RequestId").text = call.request_id
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(root))


def error_body(service, err, request_id):
    """The error document ``service`` answers with."""
    esc = ElementTree.Element
    if PROTOCOLS[service] == "ec2":
        root = esc("Response")
        errors = ElementTree.SubElement(root, "Errors")
        error = ElementTree.SubElement(errors, "Error")
        ElementTree.SubElement(error, "Code").text = err.code
        ElementTree.SubElement(error, "Message").text = err.message
        ElementTree.SubElement(root, "RequestID").text = request_id
    else:
        root = esc("ErrorResponse")
        root.set("xmlns", namespace(service))
        error = ElementTree.SubElement(root, "Error")
        ElementTree.SubElement(error, "Type").text = err.sender
        ElementTree.SubElement(error, "Code").text = err.code
        ElementTree.SubElement(error, "Message").text = err.message
        ElementTree.SubElement(root, "RequestId").text = request_id
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(root))


def throttle(service):
    if PROTOCOLS[service] == "ec2":
        return AWSError("RequestLimitExceeded", "Request limit exceeded.",
                        503)
    return AWSError("Throttling", "Rate exceeded", 400)


def auth_error(failure, service):
    """An authentication failure as ``service`` reports it: EC2 answers an
    unknown key with ``401 AuthFailure`` (EC2 error codes page); the others
    as the Query protocol does."""
    if PROTOCOLS[service] == "ec2" and failure.kind in ("unknown_key",
                                                        "missing"):
        return AWSError("AuthFailure", "AWS was not able to validate the "
                        "provided access credentials", 401)
    return _base_auth_error(failure, "query")


def fault(service, code):
    """An :class:`AWSError` for a modelled error shape of ``service``: its
    wire code and HTTP status come from the model (``error`` trait)."""
    shape = model(service).shape_for(code)
    meta = shape.metadata.get("error", {})
    return meta.get("code", code), meta.get("httpStatusCode", 400)


def modelled_error(service, shape_name, message):
    code, status = fault(service, shape_name)
    return AWSError(code, message, status)


# ---------------------------------------------------------------------------
# The store

class Workloads:
    """Resources of the three services, per (account, Region)."""

    def __init__(self):
        self.regions = {}
        self.counter = 0

    def of(self, account, region):
        return self.regions.setdefault((account, region), {
            "vpcs": {}, "flow_logs": {}, "load_balancers": {},
            "db_instances": {}, "db_clusters": {}})

    def next_id(self):
        self.counter += 1
        return self.counter

    def reset(self):
        self.regions.clear()
        self.counter = 0

    def dump(self):
        out = {}
        for (account, region), kinds in self.regions.items():
            part = {k: list(copy.deepcopy(v).values())
                    for k, v in kinds.items() if v and k != "client_tokens"}
            if part:
                out.setdefault(account, {})[region] = part
        return out


def store(endpoint):
    """The endpoint's :class:`Workloads` (created on first use)."""
    found = getattr(endpoint, "workloads", None)
    if found is None:
        found = endpoint.workloads = Workloads()
    return found


def reset(endpoint):
    store(endpoint).reset()


def admin(endpoint, method, body):
    """``GET /_admin/workloads``: the store's resources per account and
    Region.  ``POST /_admin/workloads``: seed resources, e.g. ``{"account":
    "111122223333", "region": "eu-west-1", "vpcs": {"count": 30},
    "flow_logs": [{"ResourceId": "vpc-...", ...}], "load_balancers":
    [{"LoadBalancerName": "web", "Type": "application", "attributes":
    {"access_logs.s3.enabled": "true"}}], "db_instances": [...],
    "db_clusters": [...]}``.  Returns the created ids by kind."""
    from . import ec2, elbv2, rds
    with endpoint.state.lock:
        if method == "GET":
            return {"workloads": store(endpoint).dump()}
        body = body or {}
        account = str(body.get("account", endpoint.state.default_account))
        region = body.get("region", endpoint.default_region)
        where = store(endpoint).of(account, region)
        now = time.time() + endpoint.clock.offset
        made = {}
        made["vpcs"] = ec2.seed_vpcs(store(endpoint), where, account,
                                     body.get("vpcs"))
        made["flow_logs"] = ec2.seed_flow_logs(store(endpoint), where,
                                               body.get("flow_logs"), now)
        made["load_balancers"] = elbv2.seed(store(endpoint), where, account,
                                            region, body.get("load_balancers"),
                                            now)
        made["db_clusters"] = rds.seed_clusters(where, account, region,
                                                body.get("db_clusters"), now)
        made["db_instances"] = rds.seed_instances(where, account, region,
                                                  body.get("db_instances"),
                                                  now)
        return {k: v for k, v in made.items() if v}


def items_of(spec):
    """A seed list: a list of dicts, or ``{"count": N, "prefix": ...}``
    (``N`` generated entries, each ``{"index": i}`` plus the spec's other
    keys)."""
    if not spec:
        return []
    if isinstance(spec, dict):
        count = int(spec.get("count", 0))
        rest = {k: v for k, v in spec.items() if k != "count"}
        return [dict(rest, index=i) for i in range(count)]
    return list(spec)


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


# ---------------------------------------------------------------------------
# Dispatch

def page(call, items, token, size, bad_token):
    """``(page, next token or None)`` of the ordered ``items`` from the
    position ``token`` names.  Tokens are opaque: the operation and an
    offset, base64-encoded; one not issued for this operation raises
    ``bad_token`` (an :class:`AWSError`)."""
    start = 0
    if token is not None:
        try:
            op, _, offset = base64.urlsafe_b64decode(
                token.encode()).decode().partition("/")
            start = int(offset)
        except (ValueError, UnicodeError):
            raise bad_token from None
        if op != call.operation or start < 0 or start > len(items):
            raise bad_token
    chunk = items[start:start + size]
    if start + size >= len(items):
        return chunk, None
    return chunk, base64.urlsafe_b64encode(
        f"{call.operation}/{start + size}".encode()).decode()


def run(call, form, handlers):
    """Read the input, run the handler under the state lock, render."""
    from .context import Response
    if call.operation not in handlers:
        raise AWSError("InvalidAction",
                       f"The action {call.operation} is not valid for this "
                       "web service.", 400)
    params = read_params(call, form)
    # Identity policies, as for the JSON services (awsendpoint.authz_json).
    authz_json.authorize(call, params)
    with call.state.lock:
        result = handlers[call.operation](call, params)
    return Response(200, [("Content-Type", "text/xml;charset=UTF-8")],
                    render(call, result))
