"""The endpoint's notion of "now", shiftable through the admin API so that
clients' clock-skew handling can be tested without touching their clocks."""

import datetime
import threading


class Clock:
    """UTC wall clock plus an adjustable offset (seconds)."""

    def __init__(self, offset_seconds=0.0):
        self._lock = threading.Lock()
        self._offset = float(offset_seconds)

    @property
    def offset(self):
        with self._lock:
            return self._offset

    def set_offset(self, seconds):
        with self._lock:
            self._offset = float(seconds)

    def now(self):
        """Aware UTC datetime, offset applied."""
        return (datetime.datetime.now(datetime.timezone.utc)
                + datetime.timedelta(seconds=self.offset))

    def epoch(self):
        return self.now().timestamp()
