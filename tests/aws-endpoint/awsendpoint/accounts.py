"""Per-account switches: an account whose roles refuse to be assumed, and
opt-in Regions an account has not enabled.

Configuration: the ``accounts`` map of the config file takes, per account,

* ``"deny_assume_role": true`` (every role of the account) or a list of role
  names (``["LogkeepAudit"]``): ``sts:AssumeRole`` into those roles is
  ``403 AccessDenied`` "User: <arn> is not authorized to perform:
  sts:AssumeRole on resource: <role arn>", the answer AWS gives when the
  role's trust policy does not name the caller (STS API reference,
  AssumeRole, Errors). It stands for an account whose administrators
  removed or changed the role's trust.
* ``"disabled_regions": ["af-south-1", ...]``: opt-in Regions the account
  has not enabled. A request signed for such a Region by a principal of that
  account fails authentication: the Region does not recognise the account's
  credentials, "The security token included in the request is invalid"
  (Account Management reference guide, "Enable or disable AWS Regions in
  your account": "you can't use the Region" until it is enabled; AWS
  re:Post knowledge center, "iam-validate-access-credentials"). The codes
  are those of an unknown access key: STS ``403 InvalidClientTokenId``, the
  JSON services ``403 UnrecognizedClientException``, S3 ``403
  InvalidAccessKeyId``. Only opt-in Regions can be disabled (Account
  Management API reference, DisableRegion: the Regions enabled by default
  cannot be disabled); another Region is refused here too.

``GET /_admin/accounts`` lists the switches in force; ``POST
/_admin/accounts`` with ``{"<account>": {"deny_assume_role": true,
"disabled_regions": [...]}}`` replaces the named keys of those accounts
(``null`` or ``false`` removes a switch); ``POST /_admin/reset`` restores
the config's.
"""

import copy
import threading

# The Regions AWS introduced after 20 March 2019, which an account must
# enable before use (Account Management reference guide, "Enable or disable
# AWS Regions in your account", list of Regions disabled by default).
OPT_IN_REGIONS = frozenset({
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3",
    "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1",
})

KEYS = ("deny_assume_role", "disabled_regions")


class AccountControlError(ValueError):
    """A switch the endpoint cannot set (bad account, value or Region)."""


def _check_entry(account, entry):
    if not (isinstance(account, str) and len(account) == 12
            and account.isdigit()):
        raise AccountControlError(f"account {account!r} is not 12 digits")
    if not isinstance(entry, dict):
        raise AccountControlError(f"account {account}: expected an object")
    out = {}
    for key, value in entry.items():
        if key not in KEYS:
            continue
        if value is None or value is False or value == []:
            out[key] = None
            continue
        if key == "deny_assume_role":
            if value is not True and not (
                    isinstance(value, list)
                    and all(isinstance(v, str) and v for v in value)):
                raise AccountControlError(
                    f"account {account}: deny_assume_role must be true or a "
                    "list of role names")
            out[key] = True if value is True else sorted(set(value))
        else:
            if not isinstance(value, list) or not all(
                    isinstance(v, str) for v in value):
                raise AccountControlError(
                    f"account {account}: disabled_regions must be a list "
                    "of Regions")
            for region in value:
                if region not in OPT_IN_REGIONS:
                    raise AccountControlError(
                        f"account {account}: {region} is not an opt-in "
                        "Region (only those can be disabled)")
            out[key] = sorted(set(value))
    return out


class AccountControls:
    """Thread-safe per-account switches (see the module docstring)."""

    def __init__(self, config):
        self._lock = threading.Lock()
        self._seed = {}
        for account, entry in (config.get("accounts") or {}).items():
            checked = {k: v for k, v in _check_entry(account, entry).items()
                       if v is not None}
            if checked:
                self._seed[account] = checked
        self._controls = copy.deepcopy(self._seed)

    def reset(self):
        with self._lock:
            self._controls = copy.deepcopy(self._seed)

    def all(self):
        with self._lock:
            return copy.deepcopy(self._controls)

    def update(self, changes):
        """Apply ``{"<account>": {key: value|None}}``; all or nothing."""
        if not isinstance(changes, dict):
            raise AccountControlError("expected {\"<account>\": {...}}")
        checked = {account: _check_entry(account, entry)
                   for account, entry in changes.items()}
        with self._lock:
            for account, entry in checked.items():
                current = self._controls.setdefault(account, {})
                for key, value in entry.items():
                    if value is None:
                        current.pop(key, None)
                    else:
                        current[key] = value
                if not current:
                    del self._controls[account]
            return copy.deepcopy(self._controls)

    def denies_role(self, role_arn):
        """Whether the role's account refuses AssumeRole into it."""
        parts = role_arn.split(":", 5)
        if len(parts) < 6 or not parts[5].startswith("role/"):
            return False
        account = parts[4]
        name = parts[5].rsplit("/", 1)[-1]
        with self._lock:
            deny = self._controls.get(account, {}).get("deny_assume_role")
        return deny is True or (isinstance(deny, list) and name in deny)

    def region_disabled(self, account, region):
        with self._lock:
            return region in self._controls.get(account, {}).get(
                "disabled_regions", ())
