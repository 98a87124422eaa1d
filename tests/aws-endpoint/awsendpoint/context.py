"""Objects passed between the HTTP layer and the service handlers."""


class Request:
    """An HTTP request as received.

    :ivar method: ``GET``, ``PUT``...
    :ivar raw_path: the path exactly as on the request line (still encoded).
    :ivar path: the decoded path.
    :ivar query: list of ``(name, value)`` pairs, decoded, in wire order.
    :ivar headers: the :class:`http.client.HTTPMessage` of the request.
    :ivar body: bytes.
    :ivar client: ``(host, port)`` of the peer.
    """

    def __init__(self, method, raw_path, path, raw_query, query, headers,
                 body, client):
        self.method = method
        self.raw_path = raw_path
        self.path = path
        self.raw_query = raw_query
        self.query = query
        self.headers = headers
        self.body = body
        self.client = client

    def query_dict(self):
        """First value of each query parameter."""
        result = {}
        for key, value in self.query:
            result.setdefault(key, value)
        return result


class Response:
    """A response to send: status, headers (list of pairs) and body bytes."""

    def __init__(self, status=200, headers=None, body=b""):
        self.status = status
        self.headers = list(headers or [])
        self.body = body

    def header(self, name, value):
        self.headers.append((name, value))
        return self


class Call:
    """One authenticated call to a service operation.

    :ivar service: ``s3``, ``logs``, ``cloudtrail``, ``sts``, ``kms`` or
        ``organizations``.
    :ivar operation: the model operation name (``CreateLogGroup``).
    :ivar region: the region of the credential scope (``us-east-1`` when the
        request was unsigned).
    :ivar identity: the :class:`awsendpoint.credentials.Identity`, or
        ``None`` for unsigned STS calls.
    :ivar endpoint: the :class:`awsendpoint.server.Endpoint` (state, config,
        credentials, clock).
    :ivar resource: filled by handlers for the request log (bucket, log
        group or trail name).
    """

    def __init__(self, endpoint, request, service, operation, region,
                 identity, request_id):
        self.endpoint = endpoint
        self.request = request
        self.service = service
        self.operation = operation
        self.region = region
        self.identity = identity
        self.request_id = request_id
        self.resource = None

    def principal_owner(self):
        """Who a written object belongs to (the caller's account, or the
        delivering service's name)."""
        if self.identity is None:
            return None
        return getattr(self.identity, "owner_name", None) or \
            self.identity.account

    def authorize_extra(self, action):
        """Authorise an additional action a handler needs (for example
        ``s3:BypassGovernanceRetention``); raises 403 when denied."""
        hook = getattr(self, "authorizer", None)
        if hook is not None:
            hook(self, action)

    @property
    def account(self):
        return self.identity.account if self.identity else None

    @property
    def state(self):
        return self.endpoint.state

    @property
    def clock(self):
        return self.endpoint.clock
