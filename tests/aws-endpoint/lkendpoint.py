"""Start, stop and drive the local AWS endpoint from test scripts.

Usage::

    import lkendpoint

    with lkendpoint.Endpoint() as ep:          # starts ./serve on a free port
        ep.reset()                             # empty state, no faults, no log
        ep.bulk(log_groups={"prefix": "/bench/", "count": 10000,
                            "retention": 30})
        ep.add_fault("throttle", service="logs",
                     operation="PutRetentionPolicy", count=2)
        env = ep.client_env()                  # AWS_* variables for a client
        subprocess.run([...], env=env)
        assert ep.counts().get("PutRetentionPolicy") == 3

Only the Python standard library is used, and the admin calls bypass any
HTTP proxy from the environment.  The server runs under
``/usr/bin/python3`` (Debian's interpreter with python3-botocore) unless
``python=`` says otherwise.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVE = os.path.join(HERE, "serve")
DEFAULT_CONFIG = os.path.join(HERE, "default-config.json")
PYTHON = "/usr/bin/python3"

# The default config's long-term key (the AWS documentation example key).
ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCOUNT = "111122223333"
REGION = "us-east-1"


class AdminError(Exception):
    """An admin API call that did not answer 200."""

    def __init__(self, status, body):
        super().__init__(f"admin API answered {status}: {body}")
        self.status = status
        self.body = body


class Endpoint:
    """A running endpoint in a subprocess.

    :param config: config file path (default: ``default-config.json``).
    :param state: optional initial state file.
    :param python: interpreter for the server.
    :param extra_args: more ``serve`` arguments (e.g. ``["--verbose"]``).
    :param port: an existing endpoint's port to attach to instead of
        starting one (then :meth:`stop` does nothing).
    """

    def __init__(self, config=None, state=None, python=PYTHON,
                 extra_args=(), port=None, host="127.0.0.1"):
        self.config = config or DEFAULT_CONFIG
        self.state_file = state
        self.python = python
        self.extra_args = list(extra_args)
        self.host = host
        self.port = port
        self.process = None
        self._tmpdir = None
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}))

    # -- lifecycle -----------------------------------------------------------
    def start(self, timeout=15.0):
        """Start ``serve --port 0`` and wait until it listens."""
        if self.port is not None and self.process is None:
            return self
        self._tmpdir = tempfile.mkdtemp(prefix="lkendpoint.")
        port_file = os.path.join(self._tmpdir, "port")
        self._stderr_path = os.path.join(self._tmpdir, "stderr")
        args = [self.python, SERVE, "--host", self.host, "--port", "0",
                "--config", self.config, "--port-file", port_file]
        if self.state_file:
            args += ["--state", self.state_file]
        args += self.extra_args
        self._stderr = open(self._stderr_path, "wb")
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=self._stderr,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("endpoint exited early:\n"
                                   + self.stderr_text())
            try:
                with open(port_file, encoding="ascii") as handle:
                    text = handle.read().strip()
                if text:
                    self.port = int(text)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        else:
            self.stop()
            raise RuntimeError("endpoint did not start in time")
        self.health()
        return self

    def stop(self, timeout=10.0):
        """SIGTERM the server and wait; return its exit status."""
        status = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    status = self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    status = self.process.wait()
            else:
                status = self.process.returncode
            self.process = None
            self._stderr.close()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
        return status

    def stderr_text(self):
        try:
            with open(self._stderr_path, encoding="utf-8",
                      errors="replace") as handle:
                return handle.read()
        except (OSError, AttributeError):
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- addresses -----------------------------------------------------------
    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def client_env(self, access_key_id=ACCESS_KEY_ID,
                   secret_access_key=SECRET_ACCESS_KEY, session_token=None,
                   region=REGION, base=None):
        """Environment for an AWS client pointed at this endpoint.

        Sets the credentials, the region, ``AWS_ENDPOINT_URL`` (read by newer
        SDKs; older ones need ``--endpoint-url``), empties the shared config
        and credentials files, and removes proxies and pagers.
        """
        env = dict(os.environ if base is None else base)
        for key in list(env):
            if key.startswith("AWS_") or key.lower() in ("http_proxy",
                                                         "https_proxy",
                                                         "all_proxy"):
                del env[key]
        env.update({
            "AWS_ACCESS_KEY_ID": access_key_id,
            "AWS_SECRET_ACCESS_KEY": secret_access_key,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "NO_PROXY": "*",
        })
        if session_token:
            env["AWS_SESSION_TOKEN"] = session_token
        return env

    # -- admin API -------------------------------------------------------------
    def admin(self, method, path, body=None, timeout=30.0):
        """Call the admin API; return the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise AdminError(exc.code, exc.read().decode(errors="replace")) \
                from None

    def health(self):
        return self.admin("GET", "/_admin/health")

    def reset(self, state=True, faults=True, log=True, clock=True,
              accounts=True):
        """Clear the state, the fault rules, the request log, the clock
        offset and the account switches (each can be kept)."""
        return self.admin("POST", "/_admin/reset",
                          {"state": state, "faults": faults, "log": log,
                           "clock": clock, "accounts": accounts})

    def account_switches(self):
        """The per-account switches in force (``GET /_admin/accounts``)."""
        return self.admin("GET", "/_admin/accounts")["accounts"]

    def set_account(self, account, **switches):
        """Set switches of one account (``POST /_admin/accounts``):
        ``deny_assume_role=True`` (or a list of role names),
        ``disabled_regions=[...]``; ``None`` removes one."""
        return self.admin("POST", "/_admin/accounts",
                          {account: switches})["accounts"]

    def get_state(self):
        return self.admin("GET", "/_admin/state")

    def set_state(self, state, merge=False):
        mode = "merge" if merge else "replace"
        return self.admin("POST", f"/_admin/state?mode={mode}", state)

    def bulk(self, log_groups=None, buckets=None, organization=None):
        spec = {}
        if log_groups is not None:
            spec["log_groups"] = log_groups
        if buckets is not None:
            spec["buckets"] = buckets
        if organization is not None:
            spec["organization"] = organization
        return self.admin("POST", "/_admin/bulk", spec)

    def add_fault(self, kind, service=None, operation=None, count=None,
                  **options):
        """Add a fault rule (see ``awsendpoint/faults.py``); ``count``
        defaults to 1, or to "every call" for latency."""
        rule = {"kind": kind, "service": service, "operation": operation}
        if count is not None or kind != "latency":
            rule["count"] = 1 if count is None else count
        rule.update(options)
        return self.admin("POST", "/_admin/faults", rule)["rules"][0]

    def faults(self):
        return self.admin("GET", "/_admin/faults")["rules"]

    def clear_faults(self):
        return self.admin("DELETE", "/_admin/faults")

    def log(self, service=None, operation=None, since=0):
        """Request log entries (oldest first)."""
        query = [f"since={since}"]
        if service:
            query.append(f"service={service}")
        if operation:
            query.append(f"operation={operation}")
        return self.admin("GET", "/_admin/log?" + "&".join(query))["entries"]

    def counts(self, service=None):
        """Calls per operation since the last log reset."""
        snap = self.admin("GET", "/_admin/log?limit=0")
        if service:
            return snap["counts_by_service"].get(service, {})
        return snap["counts"]

    def reset_log(self):
        return self.admin("POST", "/_admin/log/reset")

    def set_clock_offset(self, seconds):
        return self.admin("POST", "/_admin/clock",
                          {"offset_seconds": seconds})

    def add_credential(self, **entry):
        return self.admin("POST", "/_admin/credentials", entry)["credential"]

    def deliver(self, service, bucket, key, body="", source_arn=None,
                source_account=None, acl=None, calls=None, region=None):
        """Deliver an object as the AWS service ``service`` would
        (``POST /_admin/deliver``); returns the answer, whose ``denied`` is
        ``None`` when the object was written."""
        spec = {"service": service, "bucket": bucket, "key": key,
                "body": body}
        for name, value in (("source_arn", source_arn),
                            ("source_account", source_account),
                            ("acl", acl), ("calls", calls),
                            ("region", region)):
            if value is not None:
                spec[name] = value
        return self.admin("POST", "/_admin/deliver", spec)
