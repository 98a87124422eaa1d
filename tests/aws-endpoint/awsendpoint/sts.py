"""AWS STS (query protocol, API 2011-06-15): caller identity and roles.

Implemented: GetCallerIdentity, AssumeRole, AssumeRoleWithWebIdentity.

Requests are ``POST /`` with a form body ``Action=<Op>&Version=2011-06-15&...``
(or the same parameters in a GET query string); responses are
``<OpResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><OpResult>
...</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>``
written with the output shape.

Behaviour encoded, with sources (https://docs.aws.amazon.com/STS/latest/APIReference/):

* unknown ``Action``/``Version``: ``400 InvalidAction``; bad parameters:
  ``400 ValidationError`` with AWS's "N validation error(s) detected" text
  (CommonErrors.html);
* AssumeRole: a caller the role does not trust, or an unknown role, gets
  ``403 AccessDenied`` "User: <arn> is not authorized to perform:
  sts:AssumeRole on resource: <role arn>"; ``DurationSeconds`` 900..the
  role's maximum (default 3600), and at most 3600 when the caller is itself
  an assumed role (role chaining); a role with an ``external_id`` requires
  it (API_AssumeRole.html); an account whose ``deny_assume_role`` switch
  is on (:mod:`awsendpoint.accounts`) refuses the same way;
* AssumeRoleWithWebIdentity is called unsigned; a token not in the
  configured list is ``400 InvalidIdentityToken``, one marked expired is
  ``400 ExpiredTokenException`` (API_AssumeRoleWithWebIdentity.html);
* issued credentials (``ASIA...`` key, secret, session token, expiration)
  are accepted by every service of the endpoint until they expire.
"""

import json
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from . import models
from .credentials import iso8601
from .errors import AWSError

SERVICE = "sts"
VERSION = "2011-06-15"
NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
UNSIGNED_OPERATIONS = ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")


def form_params(request):
    """Query-string plus form-body parameters of an STS request."""
    params = dict(request.query)
    ctype = (request.headers.get("Content-Type") or "").lower()
    if request.body and (ctype.startswith(
            "application/x-www-form-urlencoded") or not ctype):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise AWSError("MalformedInput", "The request body is not valid "
                           "UTF-8.") from None
        params.update(parse_qsl(text, keep_blank_values=True))
    return params


def operation_of(form):
    """The Action of a form if it names an STS operation, else ``None``."""
    action = form.get("Action")
    model = models.service_model(SERVICE)
    return action if action in model.operation_names else None


def _validation(message):
    return AWSError("ValidationError", message)


def read_params(call, form):
    if form.get("Version") != VERSION:
        raise AWSError("InvalidAction",
                       f"Could not find operation {form.get('Action')} for "
                       f"version {form.get('Version')}")
    op = models.service_model(SERVICE).operation_model(call.operation)
    shape = op.input_shape
    if shape is None:
        return {}
    try:
        params = models.query_to_params(form, shape)
    except models.ShapeError as exc:
        raise _validation(str(exc)) from None
    issues = models.constraint_errors(params, shape)
    if issues:
        raise _validation(models.validation_message(issues))
    problems = models.type_errors(params, shape)
    if problems:
        raise _validation(problems)
    return params


def render(call, result):
    """The XML response document for ``result`` (output shape members)."""
    op = models.service_model(SERVICE).operation_model(call.operation)
    root = ElementTree.Element(f"{call.operation}Response")
    root.set("xmlns", NAMESPACE)
    wrapper = op.output_shape.serialization.get("resultWrapper") or \
        f"{call.operation}Result"
    res = ElementTree.SubElement(root, wrapper)
    models._xml_fill(res, result, op.output_shape)
    meta = ElementTree.SubElement(root, "ResponseMetadata")
    ElementTree.SubElement(meta, "RequestId").text = call.request_id
    return ElementTree.tostring(root)


def _check_policy(params):
    text = params.get("Policy")
    if text is None:
        return
    try:
        json.loads(text)
    except ValueError:
        raise AWSError("MalformedPolicyDocument",
                       "The policy is not in the valid JSON format.") \
            from None


def _duration(params, role, chained):
    duration = params.get("DurationSeconds", 3600)
    if chained and duration > 3600:
        raise _validation("The requested DurationSeconds exceeds the 1 hour "
                          "session limit for roles assumed by role "
                          "chaining.")
    if duration > role["max_session_duration"]:
        raise _validation("The requested DurationSeconds exceeds the "
                          "MaxSessionDuration set for this role.")
    return duration


def _credentials_result(ident, params):
    out = {
        "Credentials": {
            "AccessKeyId": ident.access_key_id,
            "SecretAccessKey": ident.secret_access_key,
            "SessionToken": ident.session_token,
            "Expiration": iso8601(ident.expiration),
        },
        "AssumedRoleUser": {
            "AssumedRoleId": ident.user_id,
            "Arn": ident.arn,
        },
    }
    if params.get("Policy") is not None or params.get("PolicyArns"):
        out["PackedPolicySize"] = 6
    if params.get("SourceIdentity"):
        out["SourceIdentity"] = params["SourceIdentity"]
    return out


def get_caller_identity(call, params):
    ident = call.identity
    return {"UserId": ident.user_id, "Account": ident.account,
            "Arn": ident.arn}


def assume_role(call, params):
    creds = call.endpoint.credentials
    role_arn = params["RoleArn"]
    call.resource = role_arn
    role = creds.role(role_arn)
    denied = AWSError(
        "AccessDenied",
        f"User: {call.identity.arn} is not authorized to perform: "
        f"sts:AssumeRole on resource: {role_arn}", 403)
    if role is None or not creds.may_assume(role, call.identity.arn,
                                            call.identity.account):
        raise denied
    if call.endpoint.accounts.denies_role(role_arn):
        # The role's account switched its trust off (awsendpoint.accounts).
        raise denied
    if role["external_id"] is not None and \
            params.get("ExternalId") != role["external_id"]:
        raise denied
    _check_policy(params)
    duration = _duration(params, role,
                         chained=":assumed-role/" in call.identity.arn)
    ident = creds.issue(role, params["RoleSessionName"], duration)
    return _credentials_result(ident, params)


def assume_role_with_web_identity(call, params):
    creds = call.endpoint.credentials
    role_arn = params["RoleArn"]
    call.resource = role_arn
    entry = creds.web_token(params["WebIdentityToken"])
    if entry is None:
        raise AWSError("InvalidIdentityToken",
                       "The web identity token that was passed could not be "
                       "validated by AWS. Get a new identity token from the "
                       "identity provider and then retry the request.")
    if entry.get("expired"):
        now = call.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        raise AWSError("ExpiredTokenException",
                       f"Token expired: current date/time {now} must be "
                       "before the expiration date/time.")
    role = creds.role(role_arn)
    allowed_roles = entry.get("roles") or []
    if role is None or not role["web_identity"] or \
            (allowed_roles and role_arn not in allowed_roles):
        raise AWSError("AccessDenied",
                       "Not authorized to perform "
                       "sts:AssumeRoleWithWebIdentity", 403)
    _check_policy(params)
    duration = _duration(params, role, chained=False)
    ident = creds.issue(role, params["RoleSessionName"], duration)
    out = _credentials_result(ident, params)
    out["SubjectFromWebIdentityToken"] = entry.get("subject", "subject")
    out["Provider"] = entry.get("provider", "oidc.example.com")
    out["Audience"] = entry.get("audience", "sts.amazonaws.com")
    return out


HANDLERS = {
    "GetCallerIdentity": get_caller_identity,
    "AssumeRole": assume_role,
    "AssumeRoleWithWebIdentity": assume_role_with_web_identity,
}


def handle(call, form):
    """Run an STS call; return the XML body (bytes)."""
    if call.operation not in HANDLERS:
        raise AWSError("InvalidAction",
                       f"{call.operation} is not implemented by this "
                       "endpoint.", 400)
    params = read_params(call, form)
    result = HANDLERS[call.operation](call, params)
    return render(call, result)

