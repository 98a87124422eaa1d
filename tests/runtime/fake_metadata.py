#!/usr/bin/python3
"""A loopback stand-in for the container credentials endpoint and the EC2 instance metadata
service, for tests/runtime/run. Both hand out the local AWS endpoint's session credentials (the
LogAdmin session of tests/aws-endpoint/default-config.json), so a client that fetched them can
sign a real call to that endpoint.

  GET  /container/credentials   needs "Authorization: <--token>"; 401 otherwise
  PUT  /latest/api/token        needs x-aws-ec2-metadata-token-ttl-seconds; returns a token
  GET  /latest/meta-data/iam/security-credentials/[ROLE]   needs x-aws-ec2-metadata-token

Usage: fake_metadata.py --port-file PATH --token TOKEN [--config default-config.json]
Prints nothing; writes the port to PATH once listening; stops on SIGTERM.
"""

import argparse
import datetime
import http.server
import json
import os
import signal
import sys
import threading

ROLE = "LogAdminInstanceRole"
IMDS_TOKEN = "imds-session-token-for-tests"


def session_credentials(config_path):
    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)
    for cred in config["credentials"]:
        if cred.get("session_token") and cred.get("expires_in_seconds"):
            return cred
    raise SystemExit("no session credentials in " + config_path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _answer(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _creds_json(self, extra=None):
        cred = self.server.cred
        expiration = (datetime.datetime.now(datetime.timezone.utc)
                      + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc = {"AccessKeyId": cred["access_key_id"],
               "SecretAccessKey": cred["secret_access_key"],
               "Token": cred["session_token"],
               "Expiration": expiration}
        doc.update(extra or {})
        return json.dumps(doc)

    def do_GET(self):
        self._count()
        if self.path == "/container/credentials":
            if self.headers.get("Authorization") != self.server.token:
                self._answer(401, json.dumps({"code": "Unauthorized",
                                              "message": "bad token"}))
                return
            self._answer(200, self._creds_json())
            return
        prefix = "/latest/meta-data/iam/security-credentials/"
        if self.path.startswith(prefix):
            if self.headers.get("x-aws-ec2-metadata-token") != IMDS_TOKEN:
                self._answer(401, "", "text/plain")
                return
            rest = self.path[len(prefix):]
            if rest == "":
                self._answer(200, ROLE, "text/plain")
            elif rest == ROLE:
                self._answer(200, self._creds_json({
                    "Code": "Success", "Type": "AWS-HMAC",
                    "LastUpdated": "2026-01-01T00:00:00Z"}))
            else:
                self._answer(404, "", "text/plain")
            return
        if self.path == "/_count":
            with self.server.lock:
                self._answer(200, json.dumps(self.server.counts))
            return
        self._answer(404, "", "text/plain")

    def do_PUT(self):
        self._count()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/latest/api/token":
            if not self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
                self._answer(400, "", "text/plain")
                return
            self._answer(200, IMDS_TOKEN, "text/plain")
            return
        self._answer(404, "", "text/plain")

    def _count(self):
        with self.server.lock:
            key = self.command + " " + self.path
            self.server.counts[key] = self.server.counts.get(key, 0) + 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--config", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "aws-endpoint",
        "default-config.json"))
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.cred = session_credentials(args.config)
    server.token = args.token
    server.lock = threading.Lock()
    server.counts = {}
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(
        target=server.shutdown, daemon=True).start())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
