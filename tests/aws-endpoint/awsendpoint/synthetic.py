"""Synthetic log groups: many log groups of one account and Region that are generated when read
instead of held, for benchmarks of whole organisations (millions of groups).

``POST /_admin/bulk`` with ``{"synthetic_log_groups": [{"account": ..., "region": ...,
"prefix": "/app/svc-", "count": 500, "retention": 400, "start": 0, "deletion_protection":
true}]}`` gives that account and Region the groups ``<prefix><index>`` (the index zero-padded,
so that ASCII order is index order) with that retention and deletion protection. They are listed by ``DescribeLogGroups`` like held groups: in name
order, with ``logGroupNamePrefix``, ``logGroupNamePattern`` and real pagination, and each
costs no memory until a call changes it.

A group that a call reads one by one or changes (``PutRetentionPolicy``, ``AssociateKmsKey``,
``DeleteLogGroup``, ...) is materialised then: from that moment it is held like any group, and
a deleted one stays deleted. ``CreateLogGroup`` adds held groups beside the synthetic ones.

The index is a :class:`awsendpoint.state.LogGroupIndex` to its callers: ``get``, ``add``,
``remove``, ``iter_from``, ``groups[name]``, ``names`` and ``len``.
"""
import bisect
import heapq

from awsendpoint.state import LogGroupIndex


class _Names:
    """The synthetic names as a read-only sorted sequence (for ``bisect``)."""

    def __init__(self, prefix, start, count):
        self.prefix, self.start, self.count = prefix, start, count
        self.width = len(str(start + count - 1)) if count else 1

    def __len__(self):
        return self.count

    def __getitem__(self, i):
        if not 0 <= i < self.count:
            raise IndexError(i)
        return f"{self.prefix}{self.start + i:0{self.width}d}"

    def index_of(self, name):
        """The position of @name, or None when it is no synthetic name."""
        if not name.startswith(self.prefix):
            return None
        digits = name[len(self.prefix):]
        if len(digits) != self.width or not digits.isdigit():
            return None
        i = int(digits) - self.start
        return i if 0 <= i < self.count else None


class _Groups:
    """``index.groups``: held groups first, else a synthetic group made on the spot."""

    def __init__(self, index):
        self.index = index

    def __getitem__(self, name):
        group = self.index.held.groups.get(name)
        if group is not None:
            return group
        group = self.index.synthetic(name)
        if group is None:
            raise KeyError(name)
        return group

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name):
        return self.get(name) is not None


class SyntheticLogGroupIndex(LogGroupIndex):
    """The log groups of one account and Region: synthetic ones and held ones."""

    def __init__(self, account, region, prefix, count, retention=None, start=0,
                 creation_time=0, held=None, deletion_protection=False):
        super().__init__()
        self.account, self.region = account, region
        self.retention = retention
        self.deletion_protection = bool(deletion_protection)
        self.creation_time = creation_time
        self.synth = _Names(prefix, start, count)
        self.held = held if held is not None else LogGroupIndex()
        self.gone = set()  # synthetic names deleted or materialised into held
        self.groups = _Groups(self)

    def synthetic(self, name):
        """A fresh synthetic group named @name, or None (not synthetic, or gone)."""
        if name in self.gone or self.synth.index_of(name) is None:
            return None
        group = {
            "logGroupName": name,
            "creationTime": self.creation_time,
            "arn": f"arn:aws:logs:{self.region}:{self.account}:log-group:{name}:*",
            "storedBytes": 0,
            "metricFilterCount": 0,
        }
        if self.retention is not None:
            group["retentionInDays"] = int(self.retention)
        if self.deletion_protection:
            group["deletionProtectionEnabled"] = True
        return group

    @property
    def names(self):
        return list(self.iter_from())

    @names.setter
    def names(self, value):
        # LogGroupIndex.__init__ sets it; the names are the synthetic and held ones.
        pass

    def __len__(self):
        return len(self.synth) - len(self.gone) + len(self.held)

    def get(self, name):
        """A group read or changed by name: materialised, so that changes stay."""
        group = self.held.get(name)
        if group is None:
            group = self.synthetic(name)
            if group is not None:
                self.gone.add(name)
                self.held.add(group)
        return group

    def add(self, group):
        name = group["logGroupName"]
        if self.synth.index_of(name) is not None:
            self.gone.add(name)
        self.held.add(group)

    def add_many(self, groups):
        for group in groups:
            self.add(group)

    def remove(self, name):
        if self.synth.index_of(name) is not None and name not in self.gone:
            self.gone.add(name)
            self.held.remove(name)
            return True
        return self.held.remove(name)

    def _synthetic_from(self, start_after, prefix):
        names = self.synth
        i = bisect.bisect_right(names, start_after) if start_after is not None else 0
        if prefix:
            i = max(i, bisect.bisect_left(names, prefix))
        while i < len(names):
            name = names[i]
            if prefix and not name.startswith(prefix):
                return
            if name not in self.gone:
                yield name
            i += 1

    def iter_from(self, start_after=None, prefix=None):
        """Names in order after @start_after starting with @prefix: synthetic and held merged
        (a materialised name is held only)."""
        yield from heapq.merge(self._synthetic_from(start_after, prefix),
                               self.held.iter_from(start_after, prefix))
