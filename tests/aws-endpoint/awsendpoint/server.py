"""HTTP front end: one loopback port serving S3, CloudWatch Logs, CloudTrail
and STS, plus the admin API.

Request flow (:meth:`Endpoint.process`):

1. ``/_admin/...`` goes to :mod:`awsendpoint.admin`.
2. The service is decided from the SigV4 credential scope
   (``Credential=AKID/DATE/REGION/<service>/aws4_request``); an unsigned
   request is routed by its ``X-Amz-Target`` header (JSON services), by an
   STS ``Action`` form parameter, and otherwise taken as S3.
3. The operation is found with the service model (S3 method + requestUri,
   JSON ``X-Amz-Target``, STS ``Action``).
4. Latency faults sleep; the signature is verified (:mod:`awsendpoint.sigv4`);
   throttle/error/drop faults fire.
5. The service module reads the input with its model, runs the operation
   under the state lock and returns the response; any :class:`AWSError` is
   rendered in the service's error shape.
6. The call is appended to the request log.

Robustness: every connection has a socket timeout, bodies are capped,
client disconnects are ignored, and unexpected exceptions become
``500 InternalError``/``InternalFailure`` rather than a hang.

TLS (``--tls-cert``/``--tls-key``): the listening socket is wrapped with an
``ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)`` (TLS 1.2 or later); each handshake
runs in the connection's own thread, under the socket timeout, so a client
that never completes it cannot hold up the others. A failed handshake (the
client rejected the certificate, or spoke plain HTTP) closes the connection
before any request is read: nothing reaches the request log.
"""

import argparse
import base64
import copy
import http.server
import json
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time
import traceback
from email.utils import formatdate
from urllib.parse import unquote

from . import (admin, authz_json, cloudtrail, configsvc, ec2, eks, elbv2,
               guardduty, jsonproto, kms, logs, models, netfw, organizations,
               queryproto, rds, resolver, restjson, s3, sigv4, sts, variants,
               wafv2)
from .accounts import AccountControls
from .clock import Clock
from .context import Call, Request, Response
from .credentials import CredentialStore
from .errors import (AWSError, AuthFailure, auth_error, json_error_body,
                     query_error_body, s3_error_body)
from .faults import FaultInjector, RequestLog
from .state import State

PROTOCOLS = {"s3": "s3", "logs": "json", "cloudtrail": "json",
             "sts": "query", "kms": "json", "organizations": "json",
             "route53resolver": "json", "wafv2": "json",
             "network-firewall": "json", "config": "json",
             "guardduty": "json", "eks": "json",
             **queryproto.PROTOCOLS}
# Query-protocol services (queryproto.py), by the endpoint's service name.
QUERY_MODULES = {"ec2": ec2, "elbv2": elbv2, "rds": rds}
# JSON 1.0/1.1 services by their X-Amz-Target prefix (unsigned requests).
JSON_MODULES = {"logs": logs, "cloudtrail": cloudtrail, "kms": kms,
                "organizations": organizations, "route53resolver": resolver,
                "wafv2": wafv2, "network-firewall": netfw,
                "config": configsvc}
# REST-JSON services (awsendpoint.restjson): errors as the JSON services'.
REST_JSON_MODULES = {"guardduty": guardduty, "eks": eks}
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY_BYTES = 16 * 1024 * 1024
DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "default-config.json")

_SCOPE_RE = re.compile(r"Credential\s*=\s*[^/,\s]*/[^/,\s]*/[^/,\s]*/"
                       r"(?P<service>[^/,\s]*)/")


class DropConnection(Exception):
    """Close the connection without answering (fault injection)."""


class Endpoint:
    """Configuration, state and the request pipeline (HTTP-agnostic)."""

    def __init__(self, config, verbose=False):
        self.config = config
        self.verbose = verbose
        self.port = None
        self.tls = False
        self.clock = Clock(config.get("clock_offset_seconds", 0))
        self.credentials = CredentialStore(config, self.clock)
        self.accounts = AccountControls(config)
        accounts = [c.get("account") for c in config.get("credentials", [])]
        default_account = str(config.get("default_account")
                              or (accounts[0] if accounts else
                                  "111122223333"))
        self.default_region = config.get("default_region", "us-east-1")
        self.state = State(self.clock, default_account, self.default_region,
                           config.get("s3_default_encryption", True))
        self.state.organization_seed = organizations.from_config(
            config, int(self.clock.epoch()))
        self.state.organization = copy.deepcopy(
            self.state.organization_seed)
        self.faults = FaultInjector()
        self.variants = variants.Variants()
        self.log = RequestLog()
        for name in models.SERVICE_VERSIONS:
            models.service_model(name)
        s3.routes()

    # -- identification ------------------------------------------------------
    def identify(self, request):
        """``(service, protocol, scoped_service, form)`` of a request."""
        auth = request.headers.get("Authorization")
        scoped = None
        if auth:
            match = _SCOPE_RE.search(auth)
            if match:
                scoped = match.group("service")
        else:
            cred = request.query_dict().get("X-Amz-Credential")
            if cred and cred.count("/") >= 4:
                scoped = cred.split("/")[3]
        target = request.headers.get("X-Amz-Target")
        form = None
        if scoped in queryproto.SCOPES and not target:
            service = queryproto.SCOPES[scoped]
            form = queryproto.form_params(request)
        elif scoped in PROTOCOLS and scoped not in QUERY_MODULES:
            service = scoped
        elif target:
            service = "logs"
            for name in ("cloudtrail", "kms", "organizations",
                         "route53resolver", "wafv2", "network-firewall",
                         "config"):
                if target.startswith(models.service_model(name)
                                     .metadata["targetPrefix"] + "."):
                    service = name
        else:
            service = None
            if request.method in ("POST", "GET") and request.path == "/":
                try:
                    form = sts.form_params(request)
                except AWSError:
                    form = {}
                if "Action" in form:
                    service = "sts"
            if service is None:
                service = "s3"
        if service == "sts" and form is None:
            form = sts.form_params(request)
        return service, PROTOCOLS[service], scoped, form

    def operation(self, service, request, form):
        if service == "s3":
            return s3.route(request)
        if service == "sts":
            return sts.operation_of(form or {})
        if service in REST_JSON_MODULES:
            return restjson.route(service, request)
        if service in QUERY_MODULES:
            return queryproto.operation_of(service, form)
        return jsonproto.target_operation(
            service, request.headers.get("X-Amz-Target"))

    # -- pipeline ------------------------------------------------------------
    def process(self, request):
        """Answer one AWS request.

        :returns: ``(Response, action)`` where action is ``None``,
            ``"drop"`` or ``"truncate"``.
        """
        started = time.monotonic()
        request_id = secrets.token_hex(8).upper()
        host_id = base64.b64encode(secrets.token_bytes(48)).decode()
        service, protocol, operation, region = "s3", "s3", None, None
        call = None
        action = None
        fault_kind = None
        identity = None
        try:
            service, protocol, scoped, form = self.identify(request)
            operation = self.operation(service, request, form)
            delay = self.faults.latency_ms(service, operation)
            if delay:
                time.sleep(delay / 1000.0)
            if scoped is not None and \
                    queryproto.SCOPES.get(scoped, scoped) != service:
                raise self._wrong_scope(protocol, scoped, service)
            identity, region = self._authenticate(service, operation,
                                                  request)
            if identity is not None and self.accounts.region_disabled(
                    identity.account, region):
                # An opt-in Region the account has not enabled does not
                # recognise its credentials (awsendpoint.accounts).
                raise AuthFailure("unknown_key", extra={
                    "AWSAccessKeyId": identity.access_key_id})
            if operation is None and protocol == "json":
                raise AWSError("UnknownOperationException",
                               "The requested operation is not recognized "
                               "by the service.")
            if operation is None and protocol in ("query", "ec2"):
                raise AWSError("InvalidAction",
                               f"Could not find operation "
                               f"{(form or {}).get('Action')} for version "
                               f"{(form or {}).get('Version')}")
            call = Call(self, request, service, operation, region, identity,
                        request_id)
            rule = self.faults.take(service, operation)
            if rule is not None:
                fault_kind = rule["kind"]
                if rule["kind"] == "throttle":
                    raise (queryproto.throttle(service)
                           if service in QUERY_MODULES
                           else self._throttle(protocol))
                if rule["kind"] == "error":
                    raise self._internal(protocol, rule)
                if rule["kind"] == "drop" and not rule.get("after"):
                    raise DropConnection()
                action = "truncate" if rule["kind"] == "truncate" else "drop"
            response = self._run(call, protocol, form)
        except DropConnection:
            response, action = None, "drop"
        except AuthFailure as failure:
            response = self._error(
                queryproto.auth_error(failure, service)
                if service in QUERY_MODULES else auth_error(failure, protocol),
                protocol, request, request_id, host_id, service)
        except AWSError as err:
            response = self._error(err, protocol, request, request_id,
                                   host_id, service)
        except Exception:  # noqa: BLE001 - never let a bug hang a client
            traceback.print_exc(file=sys.stderr)
            err = AWSError("InternalError" if protocol == "s3"
                           else "InternalFailure",
                           "We encountered an internal error. Please try "
                           "again.", 500)
            response = self._error(err, protocol, request, request_id,
                                   host_id, service)
        if call is not None and fault_kind is None:
            response = self.variants.apply(call, response)
        if response is not None:
            self._common_headers(response, protocol, request_id, host_id)
        self._record(request, service, operation, region, identity, call,
                     response, fault_kind, started)
        return response, action

    def _wrong_scope(self, protocol, scoped, service):
        if protocol == "s3":
            return AWSError("AuthorizationHeaderMalformed",
                            "The authorization header is malformed; "
                            f"incorrect service '{scoped}'. This endpoint "
                            "belongs to 's3'.")
        code = ("InvalidSignatureException" if protocol == "json"
                else "SignatureDoesNotMatch")
        return AWSError(code, "Credential should be scoped to correct "
                        f"service: '{service}'. ", 403)

    def _authenticate(self, service, operation, request):
        has_auth = "Authorization" in request.headers
        query = request.query_dict()
        if not has_auth:
            if service == "sts" and operation in sts.UNSIGNED_OPERATIONS:
                return None, self.default_region
            if "X-Amz-Algorithm" in query or "X-Amz-Credential" in query:
                raise AuthFailure("presigned")
            raise AuthFailure("missing")
        identity, auth = sigv4.verify(request, self.credentials, self.clock,
                                      is_s3=(service == "s3"))
        return identity, auth.region

    @staticmethod
    def _throttle(protocol):
        # S3: 503 SlowDown; JSON services: 400 ThrottlingException; STS:
        # 400 Throttling (ErrorResponses.html, CommonErrors.html).
        if protocol == "s3":
            return AWSError("SlowDown", "Please reduce your request rate.",
                            503)
        if protocol == "json":
            return AWSError("ThrottlingException", "Rate exceeded", 400)
        return AWSError("Throttling", "Rate exceeded", 400)

    @staticmethod
    def _internal(protocol, rule):
        code = rule.get("code") or ("InternalError" if protocol == "s3"
                                    else "InternalFailure")
        message = rule.get("message") or ("We encountered an internal "
                                          "error. Please try again.")
        return AWSError(code, message, int(rule.get("status", 500)))

    def _run(self, call, protocol, form):
        if call.service == "s3":
            return s3.handle(call)
        if call.service in QUERY_MODULES:
            return queryproto.run(call, form or {},
                                  QUERY_MODULES[call.service].HANDLERS)
        if call.service == "sts":
            body = sts.handle(call, form or {})
            if call.operation == "AssumeRole" and call.resource:
                authz_json.record(call, "sts:AssumeRole", call.resource)
            return Response(200, [("Content-Type", "text/xml")], body)
        if call.service in REST_JSON_MODULES:
            status, data = REST_JSON_MODULES[call.service].handle(call)
            return Response(status, [("Content-Type", "application/json")],
                            jsonproto.dump(data))
        module = JSON_MODULES[call.service]
        data = module.handle(call)
        return Response(200, [("Content-Type", JSON_CONTENT_TYPE)],
                        jsonproto.dump(data))

    def _error(self, err, protocol, request, request_id, host_id,
               service=None):
        headers = list(err.headers.items())
        if service in QUERY_MODULES:
            body = queryproto.error_body(service, err, request_id)
            headers.append(("Content-Type", "text/xml"))
        elif protocol == "s3":
            body = b"" if request.method == "HEAD" else \
                s3_error_body(err, request_id, host_id)
            headers.append(("Content-Type", "application/xml"))
        elif protocol == "json":
            body = json.dumps(json_error_body(err)).encode()
            headers += [("Content-Type", JSON_CONTENT_TYPE),
                        ("x-amzn-ErrorType", err.code)]
        else:
            body = query_error_body(err, request_id, sts.NAMESPACE)
            headers.append(("Content-Type", "text/xml"))
        response = Response(err.status, headers, body)
        response.error_code = err.code
        return response

    @staticmethod
    def _common_headers(response, protocol, request_id, host_id):
        if protocol == "s3":
            response.header("x-amz-request-id", request_id)
            response.header("x-amz-id-2", host_id)
            response.header("Server", "AmazonS3")
        else:
            response.header("x-amzn-RequestId", request_id)

    def _record(self, request, service, operation, region, identity, call,
                response, fault_kind, started):
        bucket = None
        if service == "s3":
            try:
                bucket = s3.address(request)[0]
            except Exception:  # noqa: BLE001 - logging must not fail
                bucket = None
        self.log.record(
            service=service,
            operation=operation,
            status=response.status if response is not None else None,
            error=getattr(response, "error_code", None),
            region=region,
            access_key_id=identity.access_key_id if identity else None,
            bucket=bucket,
            resource=(call.resource if call is not None and call.resource
                      else bucket),
            method=request.method,
            path=request.raw_path,
            fault=fault_kind,
            principal=((identity.source_role or identity.arn)
                       if identity is not None else None),
            authorized=getattr(call, "authz", None) if call is not None
            else None,
            denied_action=((getattr(call, "denied", None) or {}).get(
                "action") if call is not None else None),
            duration_ms=round((time.monotonic() - started) * 1000, 3),
        )


class BodyError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(http.server.BaseHTTPRequestHandler):
    """Thin HTTP adapter around :class:`Endpoint`."""

    protocol_version = "HTTP/1.1"
    # A buffered writer: the status line, headers and body of a response leave in one write
    # when the request is done (handle_one_request flushes wfile), as a real server sends a
    # small response in one segment. With the default unbuffered writer, headers and body went
    # out separately and every client paid a second wake-up and read per response.
    wbufsize = 1 << 16
    # Nothing waits for the client's delayed ACK (about 40 ms) if a response does take two
    # segments (bodies past the buffer, the truncate fault).
    disable_nagle_algorithm = True
    # Answer unparseable request lines with a real status line.
    default_request_version = "HTTP/1.1"
    error_message_format = "%(code)d %(message)s: %(explain)s\n"
    error_content_type = "text/plain"
    server_version = "logkeep-aws-endpoint"
    sys_version = ""
    timeout = 30  # seconds per socket operation: idle keep-alive ends

    def setup(self):
        super().setup()  # applies the socket timeout
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    # http.server calls do_<METHOD>.
    def do_GET(self):
        self._dispatch()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    @property
    def endpoint(self):
        return self.server.endpoint

    _server_name = "logkeep-aws-endpoint"

    def version_string(self):
        return self._server_name

    def date_time_string(self, timestamp=None):
        if timestamp is None:
            timestamp = self.endpoint.clock.epoch()
        return formatdate(timestamp, usegmt=True)

    def log_message(self, fmt, *args):
        if self.endpoint.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(),
                                            fmt % args))

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise BodyError(400, "truncated chunked body")
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise BodyError(400, "bad chunk size") from None
                if size == 0:
                    while True:  # trailers
                        trailer = self.rfile.readline(8192)
                        if trailer in (b"\r\n", b"\n", b""):
                            break
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise BodyError(413, "request body too large")
                data = self.rfile.read(size)
                if len(data) != size:
                    raise BodyError(400, "truncated chunked body")
                chunks.append(data)
                self.rfile.readline(8)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            length = int(length)
        except ValueError:
            raise BodyError(400, "bad Content-Length") from None
        if length < 0:
            raise BodyError(400, "bad Content-Length")
        if length > MAX_BODY_BYTES:
            raise BodyError(413, "request body too large")
        data = self.rfile.read(length)
        if len(data) != length:
            raise BodyError(400, "incomplete body")
        return data

    def _plain(self, status, message):
        body = (message + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def _dispatch(self):
        try:
            try:
                body = self._read_body()
            except BodyError as exc:
                self._plain(exc.status, exc.message)
                return
            target = self.path
            if "://" in target.split("?", 1)[0]:  # absolute-form target
                target = "/" + target.split("://", 1)[1].split("/", 1)[-1] \
                    if "/" in target.split("://", 1)[1] else "/"
            raw_path, _, raw_query = target.partition("?")
            raw_path = raw_path or "/"
            query = []
            for part in filter(None, raw_query.split("&")):
                key, _, value = part.partition("=")
                query.append((unquote(key), unquote(value)))
            request = Request(self.command, raw_path, unquote(raw_path),
                              raw_query, query, self.headers, body,
                              self.client_address)
            if raw_path.startswith("/_admin/") or raw_path == "/_admin":
                status, data = admin.handle(self.endpoint, request)
                payload = json.dumps(data, indent=None).encode()
                self._send(Response(status, [("Content-Type",
                                              "application/json")], payload))
                return
            response, action = self.endpoint.process(request)
            if action == "drop" or response is None:
                self._abort()
                return
            self._send(response, truncate=(action == "truncate"))
        except (ConnectionError, socket.timeout, TimeoutError):
            self.close_connection = True

    def _send(self, response, truncate=False):
        headers = [(n, v) for n, v in response.headers
                   if n.lower() != "server"]
        servers = [v for n, v in response.headers if n.lower() == "server"]
        self._server_name = servers[0] if servers else \
            Handler._server_name
        self.send_response(response.status)
        names = {name.lower() for name, _ in headers}
        for name, value in headers:
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(response.body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        body = response.body
        if truncate:
            self.wfile.write(body[:len(body) // 2])
            self._abort()
            return
        self.wfile.write(body)

    def _abort(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address, endpoint, ssl_context=None):
        self.endpoint = endpoint
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        if ssl_context is not None:
            # The handshake is left to Handler.setup, in the connection's thread.
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False)
        endpoint.port = self.server_address[1]

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, TimeoutError)):
            return
        if isinstance(exc, ssl.SSLError):
            # A rejected certificate or a client speaking plain HTTP.
            if self.endpoint.verbose:
                sys.stderr.write("%s - TLS handshake failed: %s\n"
                                 % (client_address[0], exc))
            return
        super().handle_error(request, client_address)


def tls_context(cert_file, key_file):
    """A server context for --tls-cert/--tls-key: TLS 1.2 or later."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


def load_config(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="serve",
        description="Local AWS endpoint (S3, CloudWatch Logs, CloudTrail, "
                    "STS) for logkeep's integration tests.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0,
                        help="port; 0 picks a free one (default)")
    parser.add_argument("--config", default=DEFAULT_CONFIG,
                        help="credentials/roles config JSON "
                             "(default: default-config.json)")
    parser.add_argument("--state", help="initial state JSON to load")
    parser.add_argument("--port-file",
                        help="write the port number to this file once "
                             "listening")
    parser.add_argument("--dump-state",
                        help="write the final state to this file on exit")
    parser.add_argument("--verbose", action="store_true",
                        help="log every request to stderr")
    parser.add_argument("--tls-cert", metavar="FILE",
                        help="serve HTTPS with this PEM certificate (chain); "
                             "needs --tls-key")
    parser.add_argument("--tls-key", metavar="FILE",
                        help="PEM private key of --tls-cert")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    ssl_context = None
    if args.tls_cert:
        try:
            ssl_context = tls_context(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            parser.error(f"cannot load --tls-cert/--tls-key: {exc}")

    endpoint = Endpoint(load_config(args.config), verbose=args.verbose)
    endpoint.tls = ssl_context is not None  # aws:SecureTransport
    if args.state:
        with open(args.state, encoding="utf-8") as handle:
            endpoint.state.load(json.load(handle))
    server = Server((args.host, args.port), endpoint, ssl_context)
    port = server.server_address[1]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": 0.2},
                              name="serve", daemon=True)
    thread.start()
    if args.port_file:
        tmp = f"{args.port_file}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="ascii") as handle:
            handle.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    sys.stdout.write(f"PORT={port}\n")
    sys.stdout.flush()

    while not stop.wait(0.5):
        if not thread.is_alive():
            break
    server.shutdown()
    server.server_close()
    if args.dump_state:
        with open(args.dump_state, "w", encoding="utf-8") as handle:
            json.dump(endpoint.state.dump(), handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
