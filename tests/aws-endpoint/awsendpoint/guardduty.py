"""Amazon GuardDuty (REST-JSON, API 2017-11-28): detectors and their
findings-export (publishing) destinations.

Implemented: ListDetectors (GET /detector), ListPublishingDestinations
(GET /detector/{detectorId}/publishingDestination),
DescribePublishingDestination (GET .../publishingDestination/{destinationId}),
CreatePublishingDestination (POST .../publishingDestination).

Behaviour encoded, with sources (Amazon GuardDuty API Reference):

* ``maxResults`` 1-50, default 50, and ``nextToken`` in the query string
  (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListDetectors.html,
  .../API_ListPublishingDestinations.html); a token this endpoint did not
  issue is ``BadRequestException``;
* a detector id that is not the caller's: ``BadRequestException`` "The
  request is rejected because the input detectorId is not owned by the
  current account." (GuardDuty answers 400 for it, not 404);
* CreatePublishingDestination: ``destinationType`` S3 only, the
  ``destinationArn`` (an S3 bucket ARN, optionally with a prefix) and the
  ``kmsKeyArn`` are both required ("GuardDuty requires ... a KMS key",
  "Exporting generated findings to Amazon S3" in the GuardDuty User Guide),
  else ``BadRequestException``; one destination per detector
  (.../API_CreatePublishingDestination.html: "Creates a publishing
  destination where you can export your GuardDuty findings"; a second is
  refused as AWS does); the new destination is ``PUBLISHING`` at once.
"""

import secrets

from . import restjson
from .errors import AWSError

SERVICE = "guardduty"
VALIDATION = "BadRequestException"
PAGE_MAX = 50


def _store(state, account, region):
    s = restjson.store(state, SERVICE, account, region)
    s.setdefault("detectors", {})
    return s


def _bad_token():
    return AWSError(VALIDATION, "The request is rejected because the input "
                    "nextToken is not valid.")


def list_detectors(call, p):
    s = _store(call.state, call.account, call.region)
    chunk, token = restjson.page(list(s["detectors"]), p.get("NextToken"),
                                 p.get("MaxResults", PAGE_MAX), _bad_token())
    return {"detectorIds": chunk, "nextToken": token}


def _detector(call, p):
    s = _store(call.state, call.account, call.region)
    det = s["detectors"].get(p["DetectorId"])
    call.resource = p["DetectorId"]
    if det is None:
        raise AWSError(VALIDATION, "The request is rejected because the "
                       "input detectorId is not owned by the current "
                       "account.")
    return det


def list_destinations(call, p):
    det = _detector(call, p)
    chunk, token = restjson.page(det["destinations"], p.get("NextToken"),
                                 p.get("MaxResults", PAGE_MAX), _bad_token())
    return {"destinations": [{"destinationId": d["destinationId"],
                              "destinationType": d["destinationType"],
                              "status": d["status"]} for d in chunk],
            "nextToken": token}


def describe_destination(call, p):
    det = _detector(call, p)
    for d in det["destinations"]:
        if d["destinationId"] == p["DestinationId"]:
            return dict(d)
    raise AWSError(VALIDATION, "The request is rejected because the input "
                   "destinationId is not valid.")


def create_destination(call, p):
    det = _detector(call, p)
    props = p["DestinationProperties"]
    arn = props.get("DestinationArn") or ""
    key = props.get("KmsKeyArn") or ""
    if not arn.startswith("arn:aws:s3:::") or len(arn) <= 13:
        raise AWSError(VALIDATION, "The request failed because the "
                       "destinationArn is not a valid S3 bucket ARN.")
    if not key.startswith("arn:aws:kms:"):
        raise AWSError(VALIDATION, "The request failed because the "
                       "kmsKeyArn is not a valid KMS key ARN.")
    if det["destinations"]:
        raise AWSError(VALIDATION, "The request is rejected because a "
                       "publishing destination already exists for this "
                       "detector.")
    dest = {"destinationId": secrets.token_hex(16),
            "destinationType": p["DestinationType"], "status": "PUBLISHING",
            "publishingFailureStartTimestamp": 0,
            "destinationProperties": {"destinationArn": arn,
                                      "kmsKeyArn": key}}
    det["destinations"].append(dest)
    return {"destinationId": dest["destinationId"]}


HANDLERS = {
    "ListDetectors": list_detectors,
    "ListPublishingDestinations": list_destinations,
    "DescribePublishingDestination": describe_destination,
    "CreatePublishingDestination": create_destination,
}


def handle(call):
    return restjson.dispatch(call, HANDLERS, VALIDATION)


def seed(state, account, region, spec):
    count = int(spec.get("detectors") or 0)
    if count <= 0:
        return {}
    s = _store(state, account, region)
    out = []
    for _ in range(count):
        ident = secrets.token_hex(16)
        s["detectors"][ident] = {"destinations": []}
        out.append(ident)
    return {"detectors": out}
