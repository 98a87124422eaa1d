"""Identities the endpoint accepts: configured keys, STS-issued sessions,
assumable roles and web-identity tokens.

Configuration (``credentials``, ``roles``, ``web_identity_tokens`` keys of the
config file; see ``default-config.json`` and README.md):

* a long-term key (``AKIA...``) belongs to a principal ARN in an account;
* a session credential (``ASIA...``) also has a ``session_token`` and an
  ``expiration`` (absolute ISO 8601) or ``expires_in_seconds`` (relative to
  the endpoint's start); a request signed with it must carry the token in
  ``X-Amz-Security-Token``;
* a role lists the principals allowed to assume it (ARN patterns with ``*``;
  ``arn:aws:iam::ACCOUNT:root`` trusts every principal of that account) and
  the web-identity tokens that may assume it.
"""

import datetime
import fnmatch
import secrets
import string
import threading


class Identity:
    """The principal a request was authenticated as."""

    def __init__(self, access_key_id, secret_access_key, account, arn,
                 user_id, session_token=None, expiration=None,
                 source_role=None):
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.account = account
        self.arn = arn
        self.user_id = user_id
        self.session_token = session_token
        self.expiration = expiration  # aware datetime or None
        self.source_role = source_role  # role ARN for assumed-role sessions
        self.issued = False  # created by STS at run time

    def to_json(self):
        data = {
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "account": self.account,
            "arn": self.arn,
            "user_id": self.user_id,
        }
        if self.session_token:
            data["session_token"] = self.session_token
        if self.expiration:
            data["expiration"] = iso8601(self.expiration)
        if self.source_role:
            data["source_role"] = self.source_role
        return data


def iso8601(when):
    return when.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def parse_iso8601(text):
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    when = datetime.datetime.fromisoformat(text)
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when


_UPPER_DIGITS = string.ascii_uppercase + "234567"


def _random_id(prefix, length=16):
    return prefix + "".join(secrets.choice(_UPPER_DIGITS)
                            for _ in range(length))


class CredentialStore:
    """Thread-safe lookup of access keys, roles and web-identity tokens."""

    def __init__(self, config, clock):
        self._lock = threading.Lock()
        self._clock = clock
        self._keys = {}
        self.roles = {}
        self.web_tokens = []
        self.load(config)

    # -- configuration ----------------------------------------------------
    def load(self, config):
        """(Re)load credentials, roles and tokens from a config dict.
        Credentials issued by STS so far are kept."""
        start = self._clock.now()
        with self._lock:
            issued = {k: v for k, v in self._keys.items() if v.issued}
            self._keys = dict(issued)
            for entry in config.get("credentials", []):
                self._add_locked(entry, start)
            self.roles = {}
            for role in config.get("roles", []):
                arn = role["arn"]
                self.roles[arn] = {
                    "arn": arn,
                    "role_id": role.get("role_id")
                    or _random_id("AROA", 17),
                    "trusted_principals": list(
                        role.get("trusted_principals", [])),
                    "max_session_duration": int(
                        role.get("max_session_duration", 3600)),
                    "external_id": role.get("external_id"),
                    "web_identity": bool(role.get("web_identity", True)),
                }
            self.web_tokens = list(config.get("web_identity_tokens", []))

    def add_role(self, role):
        """Add (or replace) one assumable role at run time (admin bulk)."""
        with self._lock:
            self.roles[role["arn"]] = {
                "arn": role["arn"],
                "role_id": role.get("role_id") or _random_id("AROA", 17),
                "trusted_principals": list(
                    role.get("trusted_principals", [])),
                "max_session_duration": int(
                    role.get("max_session_duration", 3600)),
                "external_id": role.get("external_id"),
                "web_identity": bool(role.get("web_identity", True)),
            }

    def add(self, entry):
        """Add one credential at run time (admin API)."""
        with self._lock:
            return self._add_locked(entry, self._clock.now())

    def _add_locked(self, entry, start):
        expiration = None
        if entry.get("expiration"):
            expiration = parse_iso8601(entry["expiration"])
        elif entry.get("expires_in_seconds") is not None:
            expiration = start + datetime.timedelta(
                seconds=int(entry["expires_in_seconds"]))
        ident = Identity(
            access_key_id=entry["access_key_id"],
            secret_access_key=entry["secret_access_key"],
            account=str(entry["account"]),
            arn=entry["arn"],
            user_id=entry.get("user_id") or _random_id("AIDA", 17),
            session_token=entry.get("session_token"),
            expiration=expiration,
            source_role=entry.get("source_role"),
        )
        self._keys[ident.access_key_id] = ident
        return ident

    # -- lookups -----------------------------------------------------------
    def lookup(self, access_key_id):
        with self._lock:
            return self._keys.get(access_key_id)

    def all(self):
        with self._lock:
            return [k.to_json() for k in self._keys.values()]

    def role(self, arn):
        return self.roles.get(arn)

    def may_assume(self, role, principal_arn, account):
        """Whether ``principal_arn`` (of ``account``) is trusted by ``role``.

        An assumed-role session ARN (``arn:aws:sts::A:assumed-role/R/S``) also
        matches patterns naming the role itself
        (``arn:aws:iam::A:role/R``), as IAM trust policies do.
        """
        candidates = [principal_arn]
        if ":assumed-role/" in principal_arn:
            parts = principal_arn.split(":assumed-role/", 1)
            role_name = parts[1].split("/", 1)[0]
            candidates.append(f"arn:aws:iam::{account}:role/{role_name}")
        for pattern in role["trusted_principals"]:
            if pattern == f"arn:aws:iam::{account}:root" or pattern == "*":
                return True
            for cand in candidates:
                if fnmatch.fnmatchcase(cand, pattern):
                    return True
        return False

    def web_token(self, token):
        for entry in self.web_tokens:
            if entry.get("token") == token:
                return entry
        return None

    # -- issuing -----------------------------------------------------------
    def issue(self, role, session_name, duration_seconds):
        """Create a temporary credential for an assumed role."""
        now = self._clock.now()
        account = role["arn"].split(":")[4]
        role_name = role["arn"].split(":role/", 1)[1].split("/")[-1]
        ident = Identity(
            access_key_id=_random_id("ASIA"),
            secret_access_key=secrets.token_urlsafe(30)[:40],
            account=account,
            arn=f"arn:aws:sts::{account}:assumed-role/{role_name}/"
                f"{session_name}",
            user_id=f"{role['role_id']}:{session_name}",
            session_token="FwoGZXIvYXdzE" + secrets.token_urlsafe(96),
            expiration=now + datetime.timedelta(seconds=duration_seconds),
            source_role=role["arn"],
        )
        ident.issued = True
        with self._lock:
            self._keys[ident.access_key_id] = ident
        return ident
