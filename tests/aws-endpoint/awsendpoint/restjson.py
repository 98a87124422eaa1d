"""The AWS REST-JSON protocol (GuardDuty, EKS), and what the log-source
services share: their per-account, per-Region store, pagination tokens and
the admin seed.

REST-JSON (botocore ``protocol: rest-json``): the operation is found from the
HTTP method and the model's ``requestUri`` template
(``/detector/{detectorId}/publishingDestination``); input members come from
the path labels (``location: uri``, percent-decoded), the query string
(``location: querystring``) and the JSON body (the other members, under their
``locationName``). Output members are written under their ``locationName``
too. Errors are the JSON error document with the ``x-amzn-ErrorType``
header, which botocore reads first (``RestJSONParser._inject_error_code``).

Store: ``store(state, service, account, region)`` is a dict private to each
service module, kept on the :class:`awsendpoint.state.State` and cleared by
``POST /_admin/reset`` (:func:`reset`).

Admin seed (``POST /_admin/sources``, see :func:`admin_seed`)::

    {"account": "111122223333", "region": "us-east-1",
     "vpcs": ["vpc-0001", ...] | {"prefix": "vpc-", "count": 120},
     "web_acls": {"REGIONAL": ["acl-a", ...], "CLOUDFRONT": [...]},
     "firewalls": ["fw-a", ...] | {"prefix": "fw-", "count": 120},
     "recorders": [{"name": "default", "recording": false}],
     "detectors": 1,
     "clusters": ["c-a", ...] | {"prefix": "c-", "count": 120}}

The answer lists what was created (ids and ARNs), so a test can use them.
"""

import base64
import json
import re
from urllib.parse import unquote

from . import authz_json, models
from .errors import AWSError

_STORE_ATTR = "_log_sources"


def store(state, service, account, region):
    """The dict of ``service`` in (``account``, ``region``)."""
    root = state.__dict__.setdefault(_STORE_ATTR, {})
    return root.setdefault((service, account, region), {})


def reset(state):
    """Forget every log-source service's resources."""
    with state.lock:
        state.__dict__.pop(_STORE_ATTR, None)


# -- pagination ---------------------------------------------------------------

def encode_token(offset):
    raw = json.dumps({"v": 1, "o": offset}).encode()
    # base64url without padding: safe in a query string and in the
    # [0-9A-Za-z:/+=] pattern of Network Firewall's PaginationToken.
    return base64.b64encode(raw).decode().rstrip("=")


def decode_token(token, error):
    """The offset a token names; ``error`` (an AWSError) when it is not one
    this endpoint issued."""
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if data.get("v") != 1 or not isinstance(data.get("o"), int) or \
                data["o"] < 0:
            raise ValueError
        return data["o"]
    except (ValueError, TypeError, AttributeError):
        raise error from None


def page(items, token, limit, error):
    """``(page, next_token)``: ``limit`` items from the token's offset on."""
    offset = decode_token(token, error) if token else 0
    chunk = items[offset:offset + limit]
    more = offset + limit < len(items)
    return chunk, (encode_token(offset + limit) if more else None)


# -- REST-JSON requests ---------------------------------------------------------

_ROUTES = {}


def _compile(uri):
    path = uri.split("?", 1)[0]
    pattern = re.sub(r"\\\{([A-Za-z0-9_]+)(?:\\\+)?\\\}",
                     lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(path))
    return re.compile("^" + pattern + "$")


def routes(service):
    """``[(method, regex, operation)]`` of a REST-JSON service's model."""
    table = _ROUTES.get(service)
    if table is None:
        model = models.service_model(service)
        table = []
        for name in model.operation_names:
            http = model.operation_model(name).http
            table.append((http["method"], _compile(http["requestUri"]), name))
        _ROUTES[service] = table
    return table


def route(service, request):
    """The operation a request names (method and path), or ``None``."""
    for method, regex, name in routes(service):
        if method == request.method and regex.match(request.raw_path):
            return name
    return None


def _labels(service, operation, raw_path):
    model = models.service_model(service)
    uri = model.operation_model(operation).http["requestUri"]
    match = _compile(uri).match(raw_path)
    return {k: unquote(v) for k, v in match.groupdict().items()} \
        if match else {}


def _wire_to_model(value, shape):
    """A body value under wire names (locationName) with model names."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        out = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if wire in value:
                out[name] = _wire_to_model(value[wire], member)
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_wire_to_model(v, shape.member) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _wire_to_model(v, shape.value) for k, v in value.items()}
    return value


def read_params(call, validation_code):
    """The input of a REST-JSON call under the model's member names,
    validated as :func:`awsendpoint.jsonproto.read_params` does."""
    model = models.service_model(call.service)
    op = model.operation_model(call.operation)
    shape = op.input_shape
    if shape is None:
        return {}
    body = call.request.body
    data = {}
    if body.strip():
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise AWSError("SerializationException",
                           "Unable to parse the request body.") from None
        if not isinstance(data, dict):
            raise AWSError("SerializationException",
                           "Unable to parse the request body.")
    labels = _labels(call.service, call.operation, call.request.raw_path)
    query = call.request.query_dict()
    params = {}
    for name, member in shape.members.items():
        where = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if where == "uri":
            if wire in labels:
                params[name] = labels[wire]
        elif where == "querystring":
            if wire in query:
                value = query[wire]
                if member.type_name in ("integer", "long"):
                    try:
                        value = int(value)
                    except ValueError:
                        raise AWSError(validation_code,
                                       f"Invalid value for {wire}: "
                                       f"{value}") from None
                params[name] = value
        elif where is None and wire in data:
            params[name] = _wire_to_model(data[wire], member)
    issues = models.constraint_errors(params, shape)
    if issues:
        raise AWSError(validation_code, models.validation_message(issues))
    problems = models.type_errors(params, shape)
    if problems:
        raise AWSError("SerializationException", problems)
    return params


def dispatch(call, handlers, validation):
    """Run a REST-JSON call; returns ``(status, dict)``."""
    if call.operation not in handlers:
        raise AWSError("NotImplementedException",
                       f"{call.operation} is not implemented by this "
                       "endpoint.", 501)
    params = read_params(call, validation)
    authz_json.authorize(call, params)
    with call.state.lock:
        data = handlers[call.operation](call, params)
    http = models.service_model(call.service).operation_model(
        call.operation).http
    return int(http.get("responseCode", 200)), data


# -- admin seed -----------------------------------------------------------------

def names(spec, default_prefix):
    """A seed list: a list of names, or {"prefix", "count", "start"}."""
    if spec is None:
        return []
    if isinstance(spec, list):
        return [str(x) for x in spec]
    if isinstance(spec, dict):
        prefix = str(spec.get("prefix", default_prefix))
        start = int(spec.get("start", 1))
        count = int(spec.get("count", 0))
        if count < 0 or count > 100000:
            raise ValueError("count must be 0-100000")
        return [f"{prefix}{i:04d}" for i in range(start, start + count)]
    raise ValueError("a seed list is a list of names or "
                     "{prefix, count}")


def admin_seed(endpoint, spec):
    """``POST /_admin/sources``: create resources in one (account, Region)."""
    from . import configsvc, eks, guardduty, netfw, resolver, wafv2
    state = endpoint.state
    account = str(spec.get("account") or state.default_account)
    region = str(spec.get("region") or endpoint.default_region)
    created = {"account": account, "region": region}
    with state.lock:
        for module in (resolver, wafv2, netfw, configsvc, guardduty, eks):
            created.update(module.seed(state, account, region, spec))
    return created
