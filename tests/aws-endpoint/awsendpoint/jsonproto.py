"""The AWS JSON 1.1 protocol (CloudWatch Logs, CloudTrail).

``POST /`` with ``X-Amz-Target: <targetPrefix>.<Operation>`` and a JSON
object body.  Input handling, in the order AWS applies it:

1. an ``X-Amz-Target`` the model does not know: ``UnknownOperationException``;
2. a body that is not a JSON object: ``SerializationException``;
3. members the model does not know are ignored;
4. constraint violations (missing required members, lengths, ranges,
   patterns, enums): the service's validation error, phrased
   "1 validation error detected: Value null at 'x' failed to satisfy
   constraint: Member must not be null";
5. values of the wrong type (botocore's ParamValidator):
   ``SerializationException``.
"""

import json

from . import authz_json, models
from .errors import AWSError


def target_operation(service, target):
    """The operation named by an ``X-Amz-Target`` header, or ``None``."""
    model = models.service_model(service, extended=True)
    prefix = model.metadata["targetPrefix"] + "."
    if not target or not target.startswith(prefix):
        return None
    name = target[len(prefix):]
    return name if name in model.operation_names else None


def read_params(call, validation_code):
    """Read and validate the JSON body of ``call`` against its input shape."""
    model = models.service_model(call.service, extended=True)
    op = model.operation_model(call.operation)
    body = call.request.body
    if body.strip():
        try:
            params = json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise AWSError("SerializationException",
                           "Start of structure or map found where not "
                           "expected.") from None
    else:
        params = {}
    if not isinstance(params, dict):
        raise AWSError("SerializationException",
                       "Start of structure or map found where not expected.")
    shape = op.input_shape
    if shape is None:
        return {}
    params = models.strip_unknown(params, shape)
    issues = models.constraint_errors(params, shape)
    if issues:
        raise AWSError(validation_code, models.validation_message(issues))
    problems = models.type_errors(params, shape)
    if problems:
        raise AWSError("SerializationException", problems)
    return params


def dump(data):
    """Serialise a response body (None members dropped, compact)."""
    return json.dumps(_drop_none(data or {}), separators=(",", ":")).encode()


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def dispatch(call, handlers, validation):
    """Run a JSON 1.1 call: unknown operations are 501 NotImplementedException (outside what
    this endpoint implements, see README.md); known ones are validated against the service model
    and run under the state lock. Returns the response dict."""
    if call.operation not in handlers:
        raise AWSError("NotImplementedException",
                       f"{call.operation} is not implemented by this endpoint.", 501)
    params = read_params(call, validation)
    authz_json.authorize(call, params)
    with call.state.lock:
        return handlers[call.operation](call, params)
