"""Amazon GuardDuty (REST-JSON, API 2017-11-28): detectors and their
findings-export (publishing) destinations.

Implemented: ListDetectors (GET /detector), ListPublishingDestinations
(GET /detector/{detectorId}/publishingDestination),
DescribePublishingDestination (GET .../publishingDestination/{destinationId}),
CreatePublishingDestination (POST .../publishingDestination),
UpdatePublishingDestination (POST .../publishingDestination/{destinationId}),
GetAdministratorAccount (GET /detector/{detectorId}/administrator).

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
* GetAdministratorAccount: a member account's ``administrator``
  (``accountId``, ``relationshipStatus``, ``invitationId``, ``invitedAt``);
  "When the GuardDuty administrator account runs this API, it will return
  success (HTTP 200) but no content", as for an account in no organisation
  (.../API_GetAdministratorAccount.html): this endpoint answers ``{}``
  there, which is what its REST-JSON layer sends for an empty result.
  The relationship is seeded per (account, Region) with
  ``guardduty_administrator``: ``{"account": "111122223333", "status":
  "Enabled"}`` (status defaults to Enabled; any other word, such as
  Invited, Removed or Disabled, is answered as given).
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
    arn, key = _check_properties(p["DestinationProperties"])
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


def _check_properties(props):
    arn = props.get("DestinationArn") or ""
    key = props.get("KmsKeyArn") or ""
    if not arn.startswith("arn:aws:s3:::") or len(arn) <= 13:
        raise AWSError(VALIDATION, "The request failed because the "
                       "destinationArn is not a valid S3 bucket ARN.")
    if not key.startswith("arn:aws:kms:"):
        raise AWSError(VALIDATION, "The request failed because the "
                       "kmsKeyArn is not a valid KMS key ARN.")
    return arn, key


def update_destination(call, p):
    """UpdatePublishingDestination: new destinationProperties for one destination; the answer
    is HTTP 200 with an empty body (API_UpdatePublishingDestination.html)."""
    det = _detector(call, p)
    for d in det["destinations"]:
        if d["destinationId"] == p["DestinationId"]:
            arn, key = _check_properties(p.get("DestinationProperties") or {})
            d["destinationProperties"] = {"destinationArn": arn, "kmsKeyArn": key}
            d["status"] = "PUBLISHING"
            return {}
    raise AWSError(VALIDATION, "The request is rejected because the input "
                   "destinationId is not valid.")


def get_administrator(call, p):
    _detector(call, p)
    s = _store(call.state, call.account, call.region)
    adm = s.get("administrator")
    if not adm:
        return {}
    return {"administrator": dict(adm)}


HANDLERS = {
    "ListDetectors": list_detectors,
    "ListPublishingDestinations": list_destinations,
    "DescribePublishingDestination": describe_destination,
    "CreatePublishingDestination": create_destination,
    "UpdatePublishingDestination": update_destination,
    "GetAdministratorAccount": get_administrator,
}


def handle(call):
    return restjson.dispatch(call, HANDLERS, VALIDATION)


def _seed_administrator(state, account, region, adm):
    if not isinstance(adm, dict) or len(str(adm.get("account", ""))) != 12:
        raise ValueError("guardduty_administrator: {\"account\": 12 digits, "
                         "\"status\": ...}")
    s = _store(state, account, region)
    s["administrator"] = {
        "accountId": str(adm["account"]),
        "relationshipStatus": str(adm.get("status") or "Enabled"),
        "invitationId": secrets.token_hex(16),
        "invitedAt": "2026-01-01T00:00:00.000Z"}
    return {"guardduty_administrator": s["administrator"]["accountId"]}


def seed(state, account, region, spec):
    out_adm = {}
    if spec.get("guardduty_administrator") is not None:
        out_adm = _seed_administrator(state, account, region,
                                      spec["guardduty_administrator"])
    count = int(spec.get("detectors") or 0)
    if count <= 0:
        return out_adm
    s = _store(state, account, region)
    out = []
    for _ in range(count):
        ident = secrets.token_hex(16)
        s["detectors"][ident] = {"destinations": []}
        out.append(ident)
    return dict(out_adm, detectors=out)
