"""Fault injection and the request log.

Fault rules are set per test through the admin API (``POST /_admin/faults``).
A rule is a dict::

    {"kind": "throttle" | "error" | "latency" | "drop" | "truncate",
     "service": "s3" | "logs" | "cloudtrail" | "sts" | null (any),
     "operation": "CreateLogGroup" | "Put*" | null (any),   # fnmatch pattern
     "count": 3 | null,        # how many matching calls it affects; null = all
     "skip": 0,                # how many matching calls it lets through first
     "latency_ms": 250,        # kind "latency" only
     "status": 500, "code": "InternalError", "message": "...",  # kind "error"
     "after": false}           # kind "drop": run the operation, then drop

Effects (what AWS clients see):

* ``throttle``: JSON services ``400 ThrottlingException`` "Rate exceeded",
  S3 ``503 SlowDown`` "Please reduce your request rate.", STS
  ``400 Throttling`` "Rate exceeded" (codes from the services' error lists;
  all are in the SDK retry tables);
* ``error``: ``500 InternalError`` for S3, ``500 InternalFailure`` for the
  JSON and query services (the "Common Errors" code); ``status``/``code``/
  ``message`` override;
* ``latency``: sleep before answering (cumulative over matching rules);
* ``drop``: close the connection without any response (with ``after``: once
  the operation has changed the state);
* ``truncate``: run the operation, send the headers with the full
  ``Content-Length`` but only half of the body, then close.

``latency`` applies to every matching request as soon as it is routed; the
other kinds apply after authentication (so only calls that would have been
served are affected) and are consumed in the order they were added.
"""

import collections
import fnmatch
import itertools
import threading
import time

KINDS = ("throttle", "error", "latency", "drop", "truncate")


class FaultInjector:
    """Thread-safe list of fault rules."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._ids = itertools.count(1)

    def add(self, rule):
        """Validate and add a rule; return it with its ``id``."""
        kind = rule.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        count = rule.get("count", None if kind == "latency" else 1)
        if count is not None:
            count = int(count)
            if count < 1:
                raise ValueError("count must be >= 1 or null")
        clean = {
            "id": next(self._ids),
            "kind": kind,
            "service": rule.get("service"),
            "operation": rule.get("operation"),
            "count": count,
        }
        skip = int(rule.get("skip") or 0)
        if skip < 0:
            raise ValueError("skip must be >= 0")
        if skip:
            clean["skip"] = skip
        if kind == "latency":
            clean["latency_ms"] = int(rule.get("latency_ms", 0))
        if kind == "error":
            for key in ("status", "code", "message"):
                if rule.get(key) is not None:
                    clean[key] = rule[key]
        if kind == "drop":
            clean["after"] = bool(rule.get("after", False))
        with self._lock:
            self._rules.append(clean)
        return dict(clean)

    def list(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def clear(self):
        with self._lock:
            self._rules.clear()

    @staticmethod
    def _matches(rule, service, operation):
        if rule["service"] and rule["service"] != service:
            return False
        pattern = rule["operation"]
        if pattern and pattern != "*":
            if operation is None or not fnmatch.fnmatchcase(operation,
                                                             pattern):
                return False
        return True

    @staticmethod
    def _skipped(rule):
        """Whether a matching call is one of the rule's ``skip`` first (then let through)."""
        if rule.get("skip", 0) > 0:
            rule["skip"] -= 1
            return True
        return False

    def _consume(self, rule):
        if rule["count"] is not None:
            rule["count"] -= 1
            if rule["count"] <= 0:
                self._rules.remove(rule)

    def latency_ms(self, service, operation):
        """Total added latency for this call (consumes counted rules)."""
        total = 0
        with self._lock:
            for rule in list(self._rules):
                if rule["kind"] == "latency" and \
                        self._matches(rule, service, operation):
                    if self._skipped(rule):
                        continue
                    total += rule["latency_ms"]
                    self._consume(rule)
        return total

    def take(self, service, operation):
        """The first matching non-latency rule, consumed; or ``None``."""
        with self._lock:
            for rule in self._rules:
                if rule["kind"] != "latency" and \
                        self._matches(rule, service, operation):
                    if self._skipped(rule):
                        continue
                    taken = dict(rule)
                    self._consume(rule)
                    return taken
        return None


class RequestLog:
    """Bounded log of the calls the endpoint answered, plus counters."""

    def __init__(self, maxlen=100000):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self._counts = collections.Counter()
        self._by_service = collections.defaultdict(collections.Counter)

    def record(self, **entry):
        entry["seq"] = next(self._seq)
        entry.setdefault("time", time.time())
        with self._lock:
            self._entries.append(entry)
            op = entry.get("operation") or "-"
            self._counts[op] += 1
            self._by_service[entry.get("service") or "-"][op] += 1
        return entry

    def reset(self):
        with self._lock:
            self._entries.clear()
            self._counts.clear()
            self._by_service.clear()

    def snapshot(self, service=None, operation=None, since=0, limit=None):
        """Entries (oldest first) and counters, optionally filtered."""
        with self._lock:
            entries = [dict(e) for e in self._entries
                       if e["seq"] > since
                       and (service is None or e.get("service") == service)
                       and (operation is None
                            or e.get("operation") == operation)]
            counts = dict(self._counts)
            by_service = {k: dict(v) for k, v in self._by_service.items()}
        if limit is not None:
            entries = entries[-limit:] if limit > 0 else []
        return {"entries": entries, "total": len(entries),
                "counts": counts, "counts_by_service": by_service}
