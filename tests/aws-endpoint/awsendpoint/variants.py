"""Response variants: answers as AWS-compatible emulators and recorded
captures give them, for testing that a client reads responses as the AWS
SDKs do.

Rules are set per test through the admin API:

========================================  ==================================
``GET    /_admin/variants``               the rules in force
``POST   /_admin/variants``               add a rule (or ``{"rules": [...]}``
                                          / a list)
``DELETE /_admin/variants``               remove all rules (``POST
                                          /_admin/reset`` does too)
``GET    /_admin/variants/fixtures``      the recorded bodies available
========================================  ==================================

A rule::

    {"service": "s3",                      # or logs, cloudtrail, sts, ...;
                                           # null: any
     "operation": "GetBucketVersioning",   # fnmatch pattern; null: any
     "resource": "my-bucket",              # bucket, log group or trail the
                                           # handler named; null: any
     "count": null,                        # answers it changes; null: all
     "status": 200,                        # answer with this status even
                                           # when the operation failed
     "fixture": "s3/GetBucketVersioning-wrapped-root.xml",
     "body": "<raw text>",                 # instead of a fixture
     "dialect": "emulator",                # a named set of rewrites
     "rename_root": "{operation}Response", # XML: rename the root element
     "add_members": {...} | "<Xml/>",      # JSON members merged into the
                                           # top-level object, or XML added
                                           # as the root's last child
     "drop_members": ["IsLogging"],        # JSON members / XML elements
                                           # removed wherever they occur
     "zero_alternatives": true,            # S3 DefaultRetention: the period
                                           # not used is written as 0
     "drop_headers": ["x-amz-bucket-region"],
     "set_headers": {"Content-Type": "text/plain"}}

Only successful (2xx) answers change, after the operation ran: the state
is what it would be, errors stay errors; with ``status`` every matching
answer does (a recorded body then needs no resource behind it).
``fixture`` and ``body`` replace the body (fixtures are raw files under
``tests/aws-endpoint/fixtures``, served byte for byte); the rewrites then
apply in the order listed above.

Dialects:

* ``emulator``: what the issue reports of an S3 emulator and what some JSON
  emulators add: REST-XML roots named ``<Operation>Response``, the unused
  DefaultRetention period written as 0, an unknown element or member in
  every XML and JSON answer, and no ``x-amz-bucket-region`` header on
  HeadBucket (a client must then ask GetBucketLocation).
"""

import fnmatch
import itertools
import json
import os
import re
import threading

FIXTURE_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "fixtures")

DIALECTS = {
    "emulator": {
        "rename_root": "{operation}Response",
        "zero_alternatives": True,
        "add_members": "emulator",
        "drop_headers": ["x-amz-bucket-region"],
    },
}

# What the "emulator" dialect adds: members no model has.
_UNKNOWN_XML = ("<EmulatorVersion>3.0</EmulatorVersion>"
                "<EmulatorDetail><Nested>1</Nested></EmulatorDetail>")
_UNKNOWN_JSON = {"emulatorVersion": "3.0",
                 "EmulatorDetail": {"nested": [1, {"deep": True}]}}

_KEYS = ("service", "operation", "resource", "count", "status", "fixture",
         "body",
         "dialect", "rename_root", "add_members", "drop_members",
         "zero_alternatives", "drop_headers", "set_headers")


class VariantError(ValueError):
    """An invalid rule."""


def fixture_names():
    """The recorded bodies, as paths relative to :data:`FIXTURE_DIR`."""
    names = []
    for root, _dirs, files in os.walk(FIXTURE_DIR):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, FIXTURE_DIR)
            names.append(rel.replace(os.sep, "/"))
    return sorted(names)


def _fixture(name):
    path = os.path.normpath(os.path.join(FIXTURE_DIR, name))
    if not path.startswith(FIXTURE_DIR + os.sep) or not os.path.isfile(path):
        raise VariantError(f"no fixture {name!r} "
                           "(see GET /_admin/variants/fixtures)")
    with open(path, "rb") as f:
        return f.read()


class Variants:
    """Thread-safe list of response variant rules."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._ids = itertools.count(1)

    def add(self, rule):
        """Validate and add a rule; return it with its ``id``."""
        if not isinstance(rule, dict):
            raise VariantError("a rule is a JSON object")
        unknown = set(rule) - set(_KEYS)
        if unknown:
            raise VariantError("unknown rule keys: "
                               + ", ".join(sorted(unknown)))
        if rule.get("fixture") is not None and rule.get("body") is not None:
            raise VariantError("give fixture or body, not both")
        if rule.get("fixture") is not None:
            _fixture(rule["fixture"])
        dialect = rule.get("dialect")
        if dialect is not None and dialect not in DIALECTS:
            raise VariantError(f"dialect must be one of {', '.join(DIALECTS)}")
        status = rule.get("status")
        if status is not None and not 200 <= int(status) < 300:
            raise VariantError("status must be a 2xx status")
        count = rule.get("count")
        if count is not None and int(count) < 1:
            raise VariantError("count must be >= 1 or null")
        clean = {k: rule[k] for k in _KEYS if rule.get(k) is not None}
        if count is not None:
            clean["count"] = int(count)
        clean["id"] = next(self._ids)
        with self._lock:
            self._rules.append(clean)
        return dict(clean)

    def list(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def clear(self):
        with self._lock:
            self._rules.clear()

    def _take(self, call, succeeded):
        with self._lock:
            for rule in self._rules:
                if not succeeded and "status" not in rule:
                    continue
                if rule.get("service") and rule["service"] != call.service:
                    continue
                pattern = rule.get("operation")
                if pattern and pattern != "*" and (
                        call.operation is None
                        or not fnmatch.fnmatchcase(call.operation, pattern)):
                    continue
                if rule.get("resource") and rule["resource"] != call.resource:
                    continue
                taken = dict(rule)
                if rule.get("count") is not None:
                    rule["count"] -= 1
                    if rule["count"] <= 0:
                        self._rules.remove(rule)
                return taken
        return None

    def apply(self, call, response):
        """The response as the first matching rule has it (the same object,
        changed), or unchanged."""
        if response is None or not self._rules:
            return response
        rule = self._take(call, 200 <= response.status < 300)
        if rule is None:
            return response
        if "status" in rule and response.status != rule["status"]:
            response.status = rule["status"]
            response.error_code = None
            response.headers = [(k, v) for k, v in response.headers
                                if k.lower() != "x-amzn-errortype"]
        steps = dict(DIALECTS.get(rule.get("dialect"), {}))
        steps.update({k: v for k, v in rule.items() if k not in ("dialect",)})
        if "fixture" in steps:
            response.body = _fixture(steps["fixture"])
        elif "body" in steps:
            response.body = steps["body"].encode("utf-8")
        body = response.body
        if body and call.request.method != "HEAD":
            if _is_json(body):
                # S3's JSON payload is a bucket policy document, not an answer
                # shape: no emulator adds members to it.
                if call.service != "s3":
                    body = _rewrite_json(body, steps)
            elif body.lstrip()[:1] == b"<":
                body = _rewrite_xml(body, steps, call)
            response.body = body
        drop = {h.lower() for h in steps.get("drop_headers", [])}
        if drop:
            response.headers = [(k, v) for k, v in response.headers
                                if k.lower() not in drop]
        for name, value in (steps.get("set_headers") or {}).items():
            response.headers = [(k, v) for k, v in response.headers
                                if k.lower() != name.lower()]
            response.headers.append((name, value))
        return response


def _is_json(body):
    return body.lstrip()[:1] in (b"{", b"[")


def _drop_json(value, names):
    if isinstance(value, dict):
        return {k: _drop_json(v, names) for k, v in value.items()
                if k not in names}
    if isinstance(value, list):
        return [_drop_json(v, names) for v in value]
    return value


def _rewrite_json(body, steps):
    if not any(k in steps for k in ("add_members", "drop_members")):
        return body
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return body
    if not isinstance(data, dict):
        return body
    if steps.get("drop_members"):
        data = _drop_json(data, set(steps["drop_members"]))
    add = steps.get("add_members")
    if add == "emulator":
        add = _UNKNOWN_JSON
    if isinstance(add, dict):
        data.update(add)
    return json.dumps(data).encode()


_ROOT_RE = re.compile(rb"<(?!\?|!)([A-Za-z_][\w.:-]*)")


def _rewrite_xml(body, steps, call):
    text = body
    if steps.get("drop_members"):
        for name in steps["drop_members"]:
            tag = re.escape(name.encode())
            text = re.sub(rb"<" + tag + rb"(\s[^>]*)?/>", b"", text)
            text = re.sub(rb"<" + tag + rb"(\s[^>]*)?>.*?</" + tag + rb">",
                          b"", text, flags=re.S)
    if steps.get("zero_alternatives"):
        text = _zero_alternatives(text)
    add = steps.get("add_members")
    if add == "emulator":
        add = _UNKNOWN_XML
    # GetBucketLocation's root is the value itself (botocore reads its
    # text, whatever the name): neither renamed nor given children.
    value_root = call.service == "s3" and call.operation == "GetBucketLocation"
    if value_root:
        add = None
    match = _ROOT_RE.search(text)
    if match is None:
        return text
    root = match.group(1)
    close = text.rfind(b"</" + root + b">")
    if isinstance(add, str) and close >= 0:
        text = text[:close] + add.encode() + text[close:]
        close = text.rfind(b"</" + root + b">")
    rename = steps.get("rename_root")
    # Only REST-XML answers: STS answers are already wrapped.
    if rename and call.service == "s3" and not value_root:
        new = rename.replace("{operation}", call.operation or "").encode()
        local = root.split(b":")[-1]
        prefix = root[:-len(local)]
        if close >= 0:
            text = text[:close] + b"</" + prefix + new + b">" + \
                text[close + len(root) + 3:]
        elif not re.match(rb"<" + re.escape(root) + rb"[^>]*/>",
                          text[match.start():]):
            return text
        text = text[:match.start()] + b"<" + prefix + new + \
            text[match.end():]
    return text


_RETENTION_RE = re.compile(rb"<DefaultRetention>(.*?)</DefaultRetention>",
                           re.S)


def _zero_alternatives(text):
    """DefaultRetention with the period not used written as 0."""
    def fill(match):
        inner = match.group(1)
        if b"<Days>" in inner and b"<Years>" not in inner:
            inner += b"<Years>0</Years>"
        elif b"<Years>" in inner and b"<Days>" not in inner:
            inner = b"<Days>0</Days>" + inner
        return b"<DefaultRetention>" + inner + b"</DefaultRetention>"
    return _RETENTION_RE.sub(fill, text)


def handle_admin(endpoint, method, path, data):
    """The ``/_admin/variants`` resources: a dict, or ``None`` when the
    method/path is not one of them."""
    if path == "/_admin/variants/fixtures" and method == "GET":
        return {"fixtures": fixture_names()}
    if path != "/_admin/variants":
        return None
    if method == "GET":
        return {"rules": endpoint.variants.list()}
    if method == "POST":
        rules = data if isinstance(data, list) else \
            (data or {}).get("rules", [data])
        return {"rules": [endpoint.variants.add(r) for r in rules]}
    if method == "DELETE":
        endpoint.variants.clear()
        return {"ok": True}
    return None
