"""botocore service models and the shape walkers that read requests with them.

The endpoint never hand-codes a request layout: every operation's input is
read through the shape that botocore's ``service-2.json`` declares for it
(Debian python3-botocore, pinned API versions below):

* :func:`xml_to_params` reads a REST-XML body into the payload shape, strictly
  (unknown or repeated elements, bad integers/booleans/enums are
  ``MalformedXML``, as S3 validates bodies against its published schema);
* :func:`query_to_params` reads an AWS query form (``A.member.1.B=...``);
* :func:`strip_unknown` drops members the model does not know (newer clients);
* :func:`constraint_errors` checks required members, lengths, ranges, patterns
  and enums and phrases failures the way AWS does ("1 validation error
  detected: Value null at 'logGroupName' failed to satisfy constraint: Member
  must not be null");
* :func:`type_errors` runs botocore's own :class:`botocore.validate.ParamValidator`
  on the result, so anything botocore itself would refuse is refused;
* :func:`params_to_xml` writes an output structure back as REST-XML.
"""

import datetime
import json
import os
import re
import threading

import botocore
import botocore.loaders
import botocore.model
import botocore.session
import botocore.validate
from xml.etree import ElementTree

# Pinned API versions: the ones logkeep speaks.
SERVICE_VERSIONS = {
    "s3": "2006-03-01",
    "logs": "2014-03-28",
    "cloudtrail": "2013-11-01",
    "sts": "2011-06-15",
    "kms": "2014-11-01",
    "organizations": "2016-11-28",
    "route53resolver": "2018-04-01",
    "wafv2": "2019-07-29",
    "network-firewall": "2020-11-12",
    "config": "2014-11-12",
    "guardduty": "2017-11-28",
    "eks": "2017-11-01",
    # Query protocols (queryproto.py)
    "ec2": "2016-11-15",
    "elbv2": "2015-12-01",
    "rds": "2014-10-31",
}

# Model extensions: operations and members newer than botocore 1.29.27,
# written from AWS's API references (each file cites its pages), merged into
# the loaded model by merge_extension().
EXTENSIONS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "models_ext")

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"

_lock = threading.Lock()
_models = {}


def botocore_version():
    return botocore.__version__


def service_model(name, extended=False):
    """Return the :class:`botocore.model.ServiceModel` of ``name``
    (``extended``: with its models_ext/ extension merged, see
    :func:`merge_extension`; requests are read with that one).

    Loaded once from botocore's builtin data directory only (the customer
    model path ``~/.aws/models`` is deliberately not searched, so the models
    cannot be shadowed by files in a developer's home).
    """
    with _lock:
        model = _models.get((name, extended))
        if model is None:
            loader = botocore.loaders.Loader(
                extra_search_paths=[botocore.loaders.Loader.BUILTIN_DATA_PATH],
                include_default_search_paths=False)
            data = loader.load_service_model(
                name, "service-2", api_version=SERVICE_VERSIONS[name])
            if extended:
                data = merge_extension(name, data)
            model = botocore.model.ServiceModel(data, service_name=name)
            _models[(name, extended)] = model
        return model


def merge_extension(name, data):
    """``data`` with ``models_ext/<name>-ext.json`` merged in, if it exists:
    new operations and shapes are added; structure shapes that exist gain the
    extension's members (and required names); enum shapes are replaced."""
    path = os.path.join(EXTENSIONS_DIR, f"{name}-ext.json")
    if not os.path.exists(path):
        return data
    with open(path, encoding="utf-8") as handle:
        ext = json.load(handle)
    data = dict(data)
    data["operations"] = dict(data["operations"])
    data["shapes"] = dict(data["shapes"])
    for op_name, op in ext.get("operations", {}).items():
        data["operations"][op_name] = op
    for shape_name, shape in ext.get("shapes", {}).items():
        old = data["shapes"].get(shape_name)
        if old is not None and old.get("type") == "structure" and \
                shape.get("type") == "structure":
            merged = dict(old)
            merged["members"] = dict(old.get("members", {}))
            merged["members"].update(shape.get("members", {}))
            required = list(old.get("required", []))
            required += [r for r in shape.get("required", [])
                         if r not in required]
            if required:
                merged["required"] = required
            data["shapes"][shape_name] = merged
        else:
            data["shapes"][shape_name] = shape
    return data


def session_service_model(name):
    """The same model as resolved by a default botocore session (for tests)."""
    return botocore.session.get_session().get_service_model(
        name, api_version=SERVICE_VERSIONS[name])


class ShapeError(Exception):
    """A body or form that does not fit its shape (wrapped by callers into
    the service's own error code)."""


# ---------------------------------------------------------------------------
# helpers

def _local(tag):
    """Strip the ``{namespace}`` prefix ElementTree puts on tags."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _member_xml_name(member_name, member_shape):
    return member_shape.serialization.get("name", member_name)


_INT_RE = re.compile(r"^[+-]?\d+$")

# Enums whose model lists are not closed sets on the service side: S3 checks
# a LocationConstraint itself (InvalidLocationConstraint), and regions newer
# than the model exist.
OPEN_ENUMS = {"BucketLocationConstraint"}


def _parse_timestamp(text):
    value = text.strip()
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ",
                "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z",
                "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ShapeError(f"invalid timestamp {text!r}")


# ---------------------------------------------------------------------------
# REST-XML reading

def parse_xml_document(body):
    """Parse bytes into an Element; refuse DTDs (entity expansion) and junk."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ShapeError("DTDs are not allowed")
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ShapeError(f"not well-formed: {exc}") from None


def xml_to_params(body, shape, root_name):
    """Read an XML request body into a dict following ``shape``.

    :param body: raw bytes.
    :param shape: the payload structure shape (e.g. BucketLifecycleConfiguration).
    :param root_name: the expected root element name (the payload member's
        ``locationName``, e.g. ``LifecycleConfiguration``).
    :raises ShapeError: when the document does not fit the shape.
    """
    root = parse_xml_document(body)
    if _local(root.tag) != root_name:
        raise ShapeError(f"root element must be {root_name}, "
                         f"not {_local(root.tag)}")
    return _xml_value(root, shape, root_name)


def _xml_value(elem, shape, path):
    kind = shape.type_name
    if kind == "structure":
        return _xml_structure(elem, shape, path)
    if len(elem):
        raise ShapeError(f"{path}: unexpected child elements")
    text = elem.text or ""
    if kind == "string":
        if shape.enum and text not in shape.enum and \
                shape.name not in OPEN_ENUMS:
            raise ShapeError(f"{path}: {text!r} is not one of {shape.enum}")
        return text
    if kind in ("integer", "long"):
        if not _INT_RE.match(text.strip()):
            raise ShapeError(f"{path}: {text!r} is not an integer")
        return int(text.strip())
    if kind == "boolean":
        low = text.strip().lower()
        if low not in ("true", "false"):
            raise ShapeError(f"{path}: {text!r} is not a boolean")
        return low == "true"
    if kind == "timestamp":
        _parse_timestamp(text)
        return text.strip()
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise ShapeError(f"{path}: {text!r} is not a number") from None
    if kind == "blob":
        return text.encode("utf-8")
    raise ShapeError(f"{path}: cannot read a {kind} from XML")


def _xml_structure(elem, shape, path):
    # Map element name -> (member name, member shape, flattened list?)
    by_xml = {}
    for name, mshape in shape.members.items():
        if "location" in mshape.serialization:
            continue
        if mshape.serialization.get("xmlAttribute"):
            continue
        by_xml[_member_xml_name(name, mshape)] = (name, mshape)
    result = {}
    for child in elem:
        tag = _local(child.tag)
        if tag not in by_xml:
            raise ShapeError(f"{path}: unexpected element <{tag}>")
        name, mshape = by_xml[tag]
        sub = f"{path}.{tag}"
        if mshape.type_name == "list":
            if mshape.serialization.get("flattened"):
                result.setdefault(name, []).append(
                    _xml_value(child, mshape.member, sub))
                continue
            if name in result:
                raise ShapeError(f"{sub}: repeated element")
            item_name = mshape.member.serialization.get("name", "member")
            items = []
            for item in child:
                if _local(item.tag) != item_name:
                    raise ShapeError(f"{sub}: unexpected <{_local(item.tag)}>")
                items.append(_xml_value(item, mshape.member, sub))
            result[name] = items
        elif mshape.type_name == "map":
            raise ShapeError(f"{sub}: maps are not supported in bodies")
        else:
            if name in result:
                raise ShapeError(f"{sub}: repeated element")
            result[name] = _xml_value(child, mshape, sub)
    return result


# ---------------------------------------------------------------------------
# REST-XML writing

def params_to_xml(params, shape, root_name, namespace=S3_NS):
    """Serialise ``params`` (model member names) as an XML document (bytes)
    rooted at ``root_name``, the way S3 returns configuration documents."""
    root = ElementTree.Element(root_name)
    if namespace:
        root.set("xmlns", namespace)
    _xml_fill(root, params, shape)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(root, encoding="utf-8",
                                   short_empty_elements=True)
            .split(b"?>", 1)[-1].lstrip())


def _scalar_text(value, shape):
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(value)


def _xml_fill(elem, params, shape):
    if shape.type_name == "structure":
        for name, mshape in shape.members.items():
            if name not in params or params[name] is None:
                continue
            if "location" in mshape.serialization:
                continue
            xml_name = _member_xml_name(name, mshape)
            value = params[name]
            if mshape.type_name == "list":
                if mshape.serialization.get("flattened"):
                    for item in value:
                        child = ElementTree.SubElement(elem, xml_name)
                        _xml_fill(child, item, mshape.member)
                else:
                    lst = ElementTree.SubElement(elem, xml_name)
                    item_name = mshape.member.serialization.get("name",
                                                                "member")
                    for item in value:
                        child = ElementTree.SubElement(lst, item_name)
                        _xml_fill(child, item, mshape.member)
            else:
                child = ElementTree.SubElement(elem, xml_name)
                _xml_fill(child, value, mshape)
    else:
        elem.text = _scalar_text(params, shape)


# ---------------------------------------------------------------------------
# Query protocol reading (STS)

def query_to_params(form, shape):
    """Read a flat query form (dict of str -> str) into ``shape``.

    Lists are ``Name.member.N``, maps ``Name.entry.N.key/value``, nested
    structures ``Name.Member`` (AWS query protocol, as botocore's
    ``QuerySerializer`` writes them).
    :raises ShapeError: for values that do not convert (e.g. a non-integer
        ``DurationSeconds``).
    """
    return _query_struct(form, shape, "")


def _query_scalar(text, shape, key):
    kind = shape.type_name
    if kind in ("integer", "long"):
        if not _INT_RE.match(text.strip()):
            raise ShapeError(f"{key}: {text!r} is not an integer")
        return int(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ShapeError(f"{key}: {text!r} is not a boolean")
        return text.lower() == "true"
    if kind in ("float", "double"):
        try:
            return float(text)
        except ValueError:
            raise ShapeError(f"{key}: {text!r} is not a number") from None
    return text


def _query_value(form, shape, key):
    kind = shape.type_name
    if kind == "structure":
        sub = _query_struct(form, shape, key + ".")
        return sub if sub else None
    if kind == "list":
        flattened = shape.serialization.get("flattened")
        prefix = f"{key}." if flattened else f"{key}.member."
        items = []
        i = 1
        while True:
            item_key = f"{prefix}{i}"
            if item_key not in form and not any(
                    k.startswith(item_key + ".") for k in form):
                break
            items.append(_query_value(form, shape.member, item_key))
            i += 1
        if not items and key in form and form[key] == "":
            return []
        return items if items else None
    if kind == "map":
        result = {}
        i = 1
        while f"{key}.entry.{i}.key" in form:
            k = form[f"{key}.entry.{i}.key"]
            result[k] = _query_value(form, shape.value,
                                     f"{key}.entry.{i}.value")
            i += 1
        return result or None
    if key not in form:
        return None
    return _query_scalar(form[key], shape, key)


def _query_struct(form, shape, prefix):
    result = {}
    for name, mshape in shape.members.items():
        key = prefix + mshape.serialization.get("name", name)
        value = _query_value(form, mshape, key)
        if value is not None:
            result[name] = value
    return result


# ---------------------------------------------------------------------------
# Validation

def strip_unknown(params, shape):
    """Return a copy of ``params`` without members unknown to ``shape``.

    AWS ignores members it does not model; clients built on newer models
    (e.g. ``logGroupClass``) must not be refused by this endpoint's older one.
    """
    if shape is None:
        return {}
    kind = shape.type_name
    if kind == "structure" and isinstance(params, dict) and \
            not getattr(shape, "is_document_type", False):
        return {k: strip_unknown(v, shape.members[k])
                for k, v in params.items() if k in shape.members}
    if kind == "list" and isinstance(params, list):
        return [strip_unknown(v, shape.member) for v in params]
    if kind == "map" and isinstance(params, dict):
        return {k: strip_unknown(v, shape.value) for k, v in params.items()}
    return params


_pattern_cache = {}


def _pattern(text):
    if text not in _pattern_cache:
        try:
            _pattern_cache[text] = re.compile(text)
        except re.error:
            _pattern_cache[text] = None
    return _pattern_cache[text]


def _fmt(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def constraint_errors(params, shape, path=""):
    """AWS-phrased constraint violations of ``params`` against ``shape``.

    Checks required members, length/value min and max, the model's regular
    expression (full match) and enums.  Values of the wrong type are left to
    :func:`type_errors`.  Returns a list of messages.
    """
    issues = []
    _constraints(params, shape, path, issues)
    return issues


def _constraints(value, shape, path, issues):
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        if not isinstance(value, dict):
            return
        for req in meta.get("required", []):
            if value.get(req) is None:
                where = f"{path}.{req}" if path else req
                issues.append(f"Value null at '{where}' failed to satisfy "
                              "constraint: Member must not be null")
        for name, item in value.items():
            if name in shape.members and item is not None:
                where = f"{path}.{name}" if path else name
                _constraints(item, shape.members[name], where, issues)
        return
    if kind == "list":
        if not isinstance(value, list):
            return
        _length(value, len(value), meta, path, issues)
        for i, item in enumerate(value):
            _constraints(item, shape.member, f"{path}.{i + 1}.member", issues)
        return
    if kind == "map":
        if isinstance(value, dict):
            _length(value, len(value), meta, path, issues)
        return
    if kind == "string":
        if not isinstance(value, str):
            return
        _length(value, len(value), meta, path, issues)
        if shape.enum and value not in shape.enum and \
                shape.name not in OPEN_ENUMS:
            issues.append(f"Value '{value}' at '{path}' failed to satisfy "
                          "constraint: Member must satisfy enum value set: "
                          f"[{', '.join(shape.enum)}]")
        pattern = meta.get("pattern")
        if pattern and value:
            compiled = _pattern(pattern)
            if compiled is not None and not compiled.fullmatch(value):
                issues.append(f"Value '{value}' at '{path}' failed to satisfy "
                              "constraint: Member must satisfy regular "
                              f"expression pattern: {pattern}")
        return
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return
        if "min" in meta and value < meta["min"]:
            issues.append(f"Value '{value}' at '{path}' failed to satisfy "
                          "constraint: Member must have value greater than "
                          f"or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            issues.append(f"Value '{value}' at '{path}' failed to satisfy "
                          "constraint: Member must have value less than or "
                          f"equal to {meta['max']}")


def _length(value, length, meta, path, issues):
    if "min" in meta and length < meta["min"]:
        issues.append(f"Value '{_fmt(value)}' at '{path}' failed to satisfy "
                      "constraint: Member must have length greater than or "
                      f"equal to {meta['min']}")
    if "max" in meta and length > meta["max"]:
        issues.append(f"Value '{_fmt(value)}' at '{path}' failed to satisfy "
                      "constraint: Member must have length less than or "
                      f"equal to {meta['max']}")


def validation_message(issues):
    """Join issues into the AWS sentence ("2 validation errors detected: ...")."""
    count = len(issues)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(issues)


def type_errors(params, shape):
    """Run botocore's ParamValidator; return its report text or ``None``."""
    report = botocore.validate.ParamValidator().validate(params, shape)
    if report.has_errors():
        return report.generate_report()
    return None
