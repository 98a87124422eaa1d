"""The endpoint's resources: buckets, log groups and trails.

One :class:`State` holds everything, guarded by one re-entrant lock
(``State.lock``); service handlers hold it for the whole of an operation, so
each operation is atomic with respect to the others.

Log groups are kept per (account, region) in a :class:`LogGroupIndex`: a dict
by name plus a sorted list of names, so ``DescribeLogGroups`` with a prefix
is a bisection and each page costs O(log n + page size) even with tens of
thousands of groups.

The JSON form (``GET /_admin/state``) is::

    {"buckets":    {"<name>": {...bucket...}},
     "log_groups": {"<account>": {"<region>": [{...group...}, ...]}},
     "trails":     {"<account>": {"<name>": {...trail...}}},
     "keys":       {"<key-arn>": {"policy": "<json>", "owner": ..., ...}}}

Field names of stored configurations are the botocore model's member names
(``Rules``, ``Status``, ``BlockPublicAcls``...), so a dump reads like the
corresponding API output.
"""

import bisect
import copy
import threading
import time

from . import organizations
from .cloudtrail import normalise_trail
from .kms import normalise_key
from .credentials import iso8601


def now_ms(clock):
    return int(clock.epoch() * 1000)


def new_bucket(name, owner, region, clock, object_lock=False,
               default_encryption=True):
    """A bucket as CreateBucket leaves it.

    Since January 2023 every new bucket has SSE-S3 default encryption
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html);
    ``default_encryption=False`` gives the older behaviour where
    GetBucketEncryption answers ServerSideEncryptionConfigurationNotFoundError.
    A bucket created with Object Lock has versioning enabled
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html).
    """
    return {
        "name": name,
        "owner": owner,
        "region": region,
        "creation_date": iso8601(clock.now()),
        "object_lock_enabled": bool(object_lock),
        "versioning": {"Status": "Enabled"} if object_lock else {},
        "lifecycle": None,
        "lifecycle_transition_default_minimum_object_size": None,
        "policy": None,
        "object_lock": ({"ObjectLockEnabled": "Enabled"}
                        if object_lock else None),
        "public_access_block": None,
        "encryption": ({"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False}]} if default_encryption else None),
        "objects": {},
    }


class LogGroupIndex:
    """Log groups of one account and region: dict + sorted name list."""

    def __init__(self):
        self.groups = {}
        self.names = []

    def __len__(self):
        return len(self.groups)

    def get(self, name):
        return self.groups.get(name)

    def add(self, group):
        name = group["logGroupName"]
        if name not in self.groups:
            bisect.insort(self.names, name)
        self.groups[name] = group

    def add_many(self, groups):
        """Insert many groups, sorting once (bulk seeding)."""
        for group in groups:
            self.groups[group["logGroupName"]] = group
        self.names = sorted(self.groups)

    def remove(self, name):
        if self.groups.pop(name, None) is None:
            return False
        i = bisect.bisect_left(self.names, name)
        if i < len(self.names) and self.names[i] == name:
            del self.names[i]
        return True

    def iter_from(self, start_after=None, prefix=None):
        """Yield names in order, after ``start_after``, starting with
        ``prefix`` (stops at the first name past the prefix)."""
        names = self.names
        if start_after is not None:
            i = bisect.bisect_right(names, start_after)
        else:
            i = 0
        if prefix:
            i = max(i, bisect.bisect_left(names, prefix))
        while i < len(names):
            name = names[i]
            if prefix and not name.startswith(prefix):
                return
            yield name
            i += 1


class State:
    """All resources, with a lock.  See the module docstring."""

    def __init__(self, clock, default_account, default_region,
                 default_encryption=True):
        self.lock = threading.RLock()
        self.clock = clock
        self.default_account = default_account
        self.default_region = default_region
        self.default_encryption = default_encryption
        self.buckets = {}
        self.log_groups = {}
        self.trails = {}
        self.keys = {}  # KMS keys by ARN (kms.py)
        # AWS Organizations (organizations.py): the organisation in force
        # and the one the config seeds, which a reset restores.
        self.organization = None
        self.organization_seed = None

    # -- log groups ---------------------------------------------------------
    def log_index(self, account, region, create=True):
        key = (account, region)
        index = self.log_groups.get(key)
        if index is None and create:
            index = self.log_groups[key] = LogGroupIndex()
        return index

    def new_log_group(self, name, account, region, retention=None,
                      kms_key_id=None, tags=None, creation_time=None):
        group = {
            "logGroupName": name,
            "creationTime": (creation_time if creation_time is not None
                             else now_ms(self.clock)),
            "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
            "storedBytes": 0,
            "metricFilterCount": 0,
        }
        if retention is not None:
            group["retentionInDays"] = int(retention)
        if kms_key_id:
            group["kmsKeyId"] = kms_key_id
        if tags:
            group["tags"] = dict(tags)
        return group

    # -- trails -------------------------------------------------------------
    def account_trails(self, account):
        return self.trails.setdefault(account, {})

    # -- admin: dump, load, bulk, reset -------------------------------------
    def reset(self):
        with self.lock:
            self.buckets.clear()
            self.log_groups.clear()
            self.trails.clear()
            self.keys.clear()
            self.organization = copy.deepcopy(self.organization_seed)

    def dump(self):
        with self.lock:
            log_groups = {}
            for (account, region), index in self.log_groups.items():
                if not len(index):
                    continue
                log_groups.setdefault(account, {})[region] = [
                    copy.deepcopy(index.groups[n]) for n in index.names]
            keys = ({"keys": copy.deepcopy(self.keys)} if self.keys
                    else {})  # only when there are some (kms.py)
            org = ({"organization": copy.deepcopy(self.organization)}
                   if self.organization is not None else {})
            return {
                **keys,
                **org,
                "buckets": copy.deepcopy(self.buckets),
                "log_groups": log_groups,
                "trails": {a: copy.deepcopy(t)
                           for a, t in self.trails.items() if t},
            }

    def load(self, data, merge=False):
        """Replace (or, with ``merge``, update) the state from its JSON form.

        Missing fields are filled with CreateBucket/CreateLogGroup/CreateTrail
        defaults, so a seed may be as small as
        ``{"buckets": {"b": {}}, "log_groups": {"111122223333":
        {"us-east-1": [{"logGroupName": "/a", "retentionInDays": 7}]}}}``.
        """
        with self.lock:
            if not merge:
                self.reset()
                # A replaced state has the organisation it names, if any.
                self.organization = None
            if data.get("organization"):
                self.organization = organizations.normalise(
                    data["organization"], int(self.clock.epoch()))
            for name, bucket in (data.get("buckets") or {}).items():
                base = new_bucket(
                    name, str(bucket.get("owner", self.default_account)),
                    bucket.get("region", self.default_region), self.clock,
                    object_lock=bucket.get("object_lock_enabled", False),
                    default_encryption=self.default_encryption)
                base.update(copy.deepcopy(bucket))
                base["name"] = name
                self.buckets[name] = base
            for account, regions in (data.get("log_groups") or {}).items():
                for region, groups in regions.items():
                    index = self.log_index(str(account), region)
                    if isinstance(groups, dict):
                        groups = [dict(g, logGroupName=n)
                                  for n, g in groups.items()]
                    built = []
                    for g in groups:
                        group = self.new_log_group(
                            g["logGroupName"], str(account), region,
                            retention=g.get("retentionInDays"),
                            kms_key_id=g.get("kmsKeyId"), tags=g.get("tags"),
                            creation_time=g.get("creationTime"))
                        for key in ("storedBytes", "metricFilterCount",
                                    "logGroupClass",
                                    "deletionProtectionEnabled"):
                            if key in g:
                                group[key] = g[key]
                        built.append(group)
                    index.add_many(built)
            for arn, key in (data.get("keys") or {}).items():
                self.keys[arn] = normalise_key(arn, copy.deepcopy(key),
                                               self.clock.epoch())
            for account, trails in (data.get("trails") or {}).items():
                store = self.account_trails(str(account))
                for name, trail in trails.items():
                    store[name] = normalise_trail(
                        dict(trail, Name=name), str(account),
                        trail.get("HomeRegion", self.default_region),
                        self.clock)

    def bulk(self, spec):
        """Create many resources at once (benchmarks).

        ``spec`` = ``{"log_groups": {"prefix": "/bench/", "count": 10000,
        "retention": 30, "region": ..., "account": ..., "start": 0},
        "buckets": {"prefix": "bench-", "count": 100, "region": ...,
        "owner": ...}, "organization": {"accounts": 100, "ous": 4}}``;
        either of the first two keys may also be a list of such dicts;
        ``organization`` replaces the organisation with a generated one
        (:func:`awsendpoint.organizations.generate`).
        Names are the prefix plus a zero-padded index, so they sort in
        creation order.  Existing resources of the same name are replaced.
        Returns the counts created and the time taken.
        """
        started = time.monotonic()
        created = {"log_groups": 0, "buckets": 0}
        with self.lock:
            if spec.get("organization"):
                self.organization = organizations.generate(
                    spec["organization"], int(self.clock.epoch()))
                created["accounts"] = len(self.organization["accounts"])
                created["organizational_units"] = len(
                    self.organization["organizational_units"])
            specs = spec.get("log_groups") or []
            if isinstance(specs, dict):
                specs = [specs]
            for item in specs:
                account = str(item.get("account", self.default_account))
                region = item.get("region", self.default_region)
                count = int(item.get("count", 0))
                start = int(item.get("start", 0))
                width = len(str(start + count - 1)) if count else 1
                prefix = item.get("prefix", "/bulk/")
                retention = item.get("retention")
                ctime = now_ms(self.clock)
                names = item.get("names") or [
                    f"{prefix}{i:0{width}d}"
                    for i in range(start, start + count)]
                groups = [self.new_log_group(n, account, region,
                                             retention=retention,
                                             creation_time=ctime)
                          for n in names]
                self.log_index(account, region).add_many(groups)
                created["log_groups"] += len(groups)
            for item in spec.get("synthetic_log_groups") or []:
                # Generated when read: benchmarks of millions of groups.
                from awsendpoint import synthetic
                account = str(item.get("account", self.default_account))
                region = item.get("region", self.default_region)
                key = (account, region)
                self.log_groups[key] = synthetic.SyntheticLogGroupIndex(
                    account, region, item.get("prefix", "/synthetic/"),
                    int(item.get("count", 0)), item.get("retention"),
                    int(item.get("start", 0)), now_ms(self.clock),
                    held=self.log_groups.get(key),
                    deletion_protection=item.get("deletion_protection", False))
                created["synthetic_log_groups"] = created.get(
                    "synthetic_log_groups", 0) + int(item.get("count", 0))
            specs = spec.get("buckets") or []
            if isinstance(specs, dict):
                specs = [specs]
            for item in specs:
                owner = str(item.get("owner", self.default_account))
                region = item.get("region", self.default_region)
                count = int(item.get("count", 0))
                start = int(item.get("start", 0))
                width = len(str(start + count - 1)) if count else 1
                prefix = item.get("prefix", "bulk-")
                names = item.get("names") or [
                    f"{prefix}{i:0{width}d}"
                    for i in range(start, start + count)]
                for n in names:
                    self.buckets[n] = new_bucket(
                        n, owner, region, self.clock,
                        object_lock=item.get("object_lock", False),
                        default_encryption=self.default_encryption)
                created["buckets"] += len(names)
        created["seconds"] = round(time.monotonic() - started, 4)
        return created
