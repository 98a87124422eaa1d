"""IAM policy evaluation: identity-based policies and bucket policies.

Each rule below follows the IAM User Guide; the page is cited beside it.

* Statement matching (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html):
  a statement applies when its principal (resource policies only), action
  and resource match and every condition holds.  ``Action``/``NotAction``
  use ``*`` and ``?`` wildcards and are case-insensitive
  (reference_policies_elements_action.html); ``Resource``/``NotResource``
  use the same wildcards, case-sensitively
  (reference_policies_elements_resource.html).
* Principals (reference_policies_elements_principal.html): ``"*"`` and
  ``{"AWS": "*"}`` are every principal, including AWS service principals
  ("All principals"); ``{"AWS": "<account id>"}`` and
  ``{"AWS": "arn:aws:iam::<account>:root"}`` name the account, which
  delegates to the account: the identity-based policies of the caller must
  also allow ("AWS account principals"); a role ARN matches the role's
  sessions, a user ARN the user, an assumed-role session ARN that session
  ("IAM role principals", "Role session principals"); ``{"Service": ...}``
  the service principal ("AWS service principals").
* ``NotPrincipal`` (reference_policies_elements_notprincipal.html): with
  ``Deny`` a principal is exempt only when its ARN and its account are both
  listed ("you must also specify the account ARN"); with ``Allow`` any
  listed identifier excludes it.
* Conditions (reference_policies_elements_condition_logic_multiple_context_keys_or_values.html):
  several operators and several keys are ANDed, several values of one key
  are ORed; for negated operators (``StringNotEquals``, ``ArnNotLike``...)
  the ORed positive match is negated, so the condition is true when the key
  is absent from the request context
  (reference_policies_elements_condition_operators.html: "If the key that
  you specify in a policy condition is not present in the request context,
  the values do not match").  Condition key names are case-insensitive,
  values case-sensitive unless the operator says ``IgnoreCase``
  (reference_policies_elements_condition.html).  ``...IfExists``: true when
  the key is absent, otherwise the operator ("...IfExists condition
  operators").  ``Null``: ``true`` when the key must be absent.
  ``ForAnyValue:``/``ForAllValues:`` (reference_policies_condition-single-vs-multi-valued-context-keys.html):
  any / every request value must match; ``ForAllValues`` is true when the
  key is absent, ``ForAnyValue`` false.
* Operators: ``String(Not)Equals(IgnoreCase)``, ``String(Not)Like``,
  ``Numeric(Not)Equals``, ``NumericLessThan(Equals)``,
  ``NumericGreaterThan(Equals)``, ``Date*`` (same set), ``Bool``,
  ``BinaryEquals``, ``(Not)IpAddress``, ``Arn(Not)Equals``,
  ``Arn(Not)Like`` (each of the six colon-separated ARN parts matched
  separately, with wildcards, for both ``ArnEquals`` and ``ArnLike``),
  ``Null``.  An unknown operator never holds (IAM rejects such policies).
"""

import base64
import datetime
import ipaddress
import re

_REGEX_CACHE = {}


def wildcard_match(pattern, value, ignore_case=False):
    """IAM wildcard match: ``*`` any run of characters, ``?`` one."""
    key = (pattern, ignore_case)
    regex = _REGEX_CACHE.get(key)
    if regex is None:
        text = "".join(".*" if c == "*" else "." if c == "?" else
                       re.escape(c) for c in pattern)
        flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        regex = _REGEX_CACHE[key] = re.compile(text, flags)
    return regex.fullmatch(value) is not None


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def statements(document):
    """The statements of a parsed policy document (dicts only)."""
    if not isinstance(document, dict):
        return []
    return [s for s in as_list(document.get("Statement"))
            if isinstance(s, dict)]


# ---------------------------------------------------------------------------
# Principals

class Principal:
    """Who makes a request, as policies see it.

    :ivar kind: ``"iam"`` (a user or a role session) or ``"service"``.
    :ivar account: the principal's account (``None`` for services).
    :ivar arn: user ARN or assumed-role session ARN.
    :ivar role_arn: the role ARN of a session (``None`` for users).
    :ivar service: the service principal name (``cloudtrail.amazonaws.com``).
    """

    def __init__(self, kind, account=None, arn=None, role_arn=None,
                 user_id=None, service=None):
        self.kind = kind
        self.account = account
        self.arn = arn
        self.role_arn = role_arn
        self.user_id = user_id
        self.service = service

    @property
    def principal_arn(self):
        """``aws:PrincipalArn``: the role ARN for a role session, the user
        ARN for a user (reference_policies_condition-keys.html)."""
        return self.role_arn or self.arn

    def __repr__(self):
        return (f"Principal({self.kind}, {self.service or self.arn})")


def _account_of(value):
    """The account an ``AWS`` principal value names as a whole (a bare id or
    the root ARN), else ``None``."""
    if re.fullmatch(r"\d{12}", value):
        return value
    m = re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}):root", value)
    return m.group(1) if m else None


def principal_match(element, principal):
    """How a ``Principal`` element matches: ``"direct"`` (the principal
    itself, or everyone), ``"account"`` (through its account), or
    ``None``."""
    if element == "*":
        return "direct"
    if not isinstance(element, dict):
        return None
    result = None
    for kind, values in element.items():
        for value in as_list(values):
            if not isinstance(value, str):
                continue
            if kind == "AWS":
                if value == "*":
                    return "direct"
                if principal.kind != "iam":
                    continue
                if _account_of(value) == principal.account:
                    result = result or "account"
                elif value in (principal.arn, principal.role_arn):
                    return "direct"
            elif kind == "Service" and principal.kind == "service":
                if value == principal.service:
                    return "direct"
    return result


def _not_principal_excludes(element, principal, effect):
    """Whether ``principal`` is among those a ``NotPrincipal`` names."""
    if not isinstance(element, dict):
        return element == "*"
    listed_aws = [v for v in as_list(element.get("AWS"))
                  if isinstance(v, str)]
    if principal.kind == "service":
        return principal.service in as_list(element.get("Service"))
    arn_listed = any(v in (principal.arn, principal.role_arn)
                     for v in listed_aws)
    account_listed = any(_account_of(v) == principal.account
                         for v in listed_aws)
    if effect == "Deny":
        return arn_listed and account_listed
    return arn_listed or account_listed


# ---------------------------------------------------------------------------
# Conditions

_NUMERIC = {
    "NumericEquals": lambda a, b: a == b,
    "NumericNotEquals": lambda a, b: a == b,
    "NumericLessThan": lambda a, b: a < b,
    "NumericLessThanEquals": lambda a, b: a <= b,
    "NumericGreaterThan": lambda a, b: a > b,
    "NumericGreaterThanEquals": lambda a, b: a >= b,
}
_DATE = {"Date" + k[len("Numeric"):]: v for k, v in _NUMERIC.items()}
NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike",
           "NumericNotEquals", "DateNotEquals", "NotIpAddress",
           "ArnNotEquals", "ArnNotLike"}
KNOWN = ({"StringEquals", "StringEqualsIgnoreCase", "StringLike",
          "ArnEquals", "ArnLike", "Bool", "BinaryEquals", "IpAddress",
          "Null"} | NEGATED | set(_NUMERIC) | set(_DATE))


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _date(text):
    text = _text(text).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    try:
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        when = datetime.datetime.fromisoformat(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.timestamp()
    except ValueError:
        return None


def _arn_like(pattern, value):
    p = pattern.split(":", 5)
    v = value.split(":", 5)
    if len(p) != 6 or len(v) != 6:
        return False
    return all(wildcard_match(pp, vv) for pp, vv in zip(p, v))


def _positive(op, expected, actual):
    """Whether one request value matches one policy value under the
    positive form of ``op``."""
    actual = _text(actual)
    expected = _text(expected)
    if op in ("StringEquals", "StringNotEquals"):
        return actual == expected
    if op in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return actual.lower() == expected.lower()
    if op in ("StringLike", "StringNotLike"):
        return wildcard_match(expected, actual)
    if op in ("ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"):
        return _arn_like(expected, actual)
    if op == "Bool":
        return actual.lower() == expected.lower()
    if op == "BinaryEquals":
        try:
            return base64.b64decode(expected) == base64.b64decode(actual)
        except ValueError:
            return False
    if op in _NUMERIC:
        a, b = _number(actual), _number(expected)
        return a is not None and b is not None and _NUMERIC[op](a, b)
    if op in _DATE:
        a, b = _date(actual), _date(expected)
        return a is not None and b is not None and _DATE[op](a, b)
    if op in ("IpAddress", "NotIpAddress"):
        try:
            return ipaddress.ip_address(actual) in ipaddress.ip_network(
                expected, strict=False)
        except ValueError:
            return False
    return False


def split_operator(operator):
    """``(qualifier, base operator, if_exists)`` of a condition operator."""
    qualifier = None
    for q in ("ForAnyValue:", "ForAllValues:"):
        if operator.startswith(q):
            qualifier, operator = q[:-1], operator[len(q):]
    if_exists = operator.endswith("IfExists") and operator != "Null"
    if if_exists:
        operator = operator[:-len("IfExists")]
    return qualifier, operator, if_exists


def condition_holds(operator, key, expected, context):
    """One condition key under one operator (see the module docstring).

    ``context`` maps lower-case key names to a string or a list of strings.
    """
    qualifier, op, if_exists = split_operator(operator)
    if op not in KNOWN:
        return False
    expected = as_list(expected)
    actual = context.get(key.lower())
    if op == "Null":
        want_absent = bool(expected) and _text(expected[0]).lower() == "true"
        absent = actual is None or actual == []
        return absent == want_absent
    negated = op in NEGATED
    if actual is None or actual == []:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated
    values = actual if isinstance(actual, list) else [actual]

    def one(value):
        hit = any(_positive(op, e, value) for e in expected)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)
    if negated:
        return all(one(v) for v in values)
    return any(one(v) for v in values)


def conditions_hold(block, context):
    if block is None:
        return True
    if not isinstance(block, dict):
        return False
    for operator, keys in block.items():
        if not isinstance(keys, dict):
            return False
        for key, expected in keys.items():
            if not condition_holds(operator, key, expected, context):
                return False
    return True


# ---------------------------------------------------------------------------
# Statements and documents

def _action_matches(st, action):
    if "Action" in st:
        return any(isinstance(a, str) and wildcard_match(a, action, True)
                   for a in as_list(st["Action"]))
    if "NotAction" in st:
        return not any(isinstance(a, str) and wildcard_match(a, action, True)
                       for a in as_list(st["NotAction"]))
    return False


def _resource_matches(st, resource):
    if "Resource" in st:
        return any(isinstance(r, str) and wildcard_match(r, resource)
                   for r in as_list(st["Resource"]))
    if "NotResource" in st:
        return not any(isinstance(r, str) and wildcard_match(r, resource)
                       for r in as_list(st["NotResource"]))
    return False


def statement_match(st, action, resource, context, principal=None,
                    resource_policy=False):
    """``None`` when the statement does not apply, else how the principal
    matched (``"direct"``/``"account"``; identity policies: ``"direct"``)."""
    how = "direct"
    if resource_policy:
        if "Principal" in st:
            how = principal_match(st["Principal"], principal)
            if how is None:
                return None
        elif "NotPrincipal" in st:
            if _not_principal_excludes(st["NotPrincipal"], principal,
                                       st.get("Effect")):
                return None
        else:
            return None
    if not _action_matches(st, action):
        return None
    if not _resource_matches(st, resource):
        return None
    if not conditions_hold(st.get("Condition"), context):
        return None
    return how


def evaluate(documents, action, resource, context, principal=None,
             resource_policy=False):
    """Evaluate policy documents for one action on one resource.

    :returns: ``(decision, statement)``: ``"deny"`` (an explicit deny,
        with its statement), ``"allow"`` (an allow that stands alone),
        ``"allow-account"`` (a resource-policy allow through the account
        principal, which needs the identity policy too), or ``None``.
    """
    best, best_st = None, None
    for document in documents:
        for st in statements(document):
            how = statement_match(st, action, resource, context, principal,
                                  resource_policy)
            if how is None:
                continue
            effect = st.get("Effect")
            if effect == "Deny":
                return "deny", st
            if effect == "Allow":
                decision = "allow" if how == "direct" else "allow-account"
                if best != "allow":
                    best, best_st = decision, st
    return best, best_st


# ---------------------------------------------------------------------------
# "Public" bucket policies (S3 Block Public Access)

# Keys whose fixed value makes a grant to "*" non-public, as listed in
# "The meaning of 'public'"
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status,
# also in https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html):
# aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
# aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id,
# aws:userid outside the pattern "AROLEID:*", and for access points
# s3:DataAccessPointArn / s3:DataAccessPointAccount.  aws:PrincipalArn,
# aws:PrincipalAccount and aws:PrincipalOrgID are NOT in the list.
FIXING_KEYS = {"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce",
               "aws:sourceowner", "aws:sourceaccount",
               "s3:x-amz-server-side-encryption-aws-kms-key-id",
               "aws:userid", "s3:dataaccesspointarn",
               "s3:dataaccesspointaccount"}
_FIXING_OPERATORS = {"StringEquals", "StringEqualsIgnoreCase", "StringLike",
                     "ArnEquals", "ArnLike"}


def _fixed_value(value, key):
    text = _text(value)
    if "*" in text or "?" in text or not text:
        return False
    if key == "aws:userid" and re.fullmatch(r"AROA[A-Z0-9]+:.*", text) \
            and text.endswith(":*"):
        return False
    return True


def _limits_source_ip(block):
    for operator, keys in block.items():
        qualifier, op, if_exists = split_operator(operator)
        if op != "IpAddress" or if_exists or not isinstance(keys, dict):
            continue
        for key, values in keys.items():
            if key.lower() != "aws:sourceip":
                continue
            nets = []
            for v in as_list(values):
                try:
                    nets.append(ipaddress.ip_network(_text(v), strict=False))
                except ValueError:
                    return False
            if nets and all(n.prefixlen > 0 for n in nets):
                return True
    return False


def _statement_is_public(st):
    if st.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in st:
        return True
    principal = st.get("Principal")
    wildcard = principal == "*" or (
        isinstance(principal, dict)
        and "*" in as_list(principal.get("AWS")))
    if not wildcard:
        return False
    block = st.get("Condition")
    if not isinstance(block, dict):
        return True
    if _limits_source_ip(block):
        return False
    for operator, keys in block.items():
        qualifier, op, if_exists = split_operator(operator)
        if op not in _FIXING_OPERATORS or if_exists or qualifier or \
                not isinstance(keys, dict):
            continue
        for key, values in keys.items():
            lowered = key.lower()
            if lowered not in FIXING_KEYS:
                continue
            values = as_list(values)
            if values and all(_fixed_value(v, lowered) for v in values):
                return False
    return True


def public_statements(document):
    """The statements that make a bucket policy public (see FIXING_KEYS)."""
    return [st for st in statements(document) if _statement_is_public(st)]
