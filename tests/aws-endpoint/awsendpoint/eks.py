"""Amazon EKS (REST-JSON, API 2017-11-01): clusters and their control-plane
logging.

Implemented: ListClusters (GET /clusters), DescribeCluster
(GET /clusters/{name}), UpdateClusterConfig (POST
/clusters/{name}/update-config) for ``logging``.

Behaviour encoded, with sources (Amazon EKS API Reference):

* ``maxResults`` 1-100, default 100, ``nextToken`` in the query string
  (https://docs.aws.amazon.com/eks/latest/APIReference/API_ListClusters.html);
  a token this endpoint did not issue is ``InvalidParameterException``;
* an unknown cluster: ``ResourceNotFoundException`` (404) "No cluster found
  for name: <name>." (.../API_DescribeCluster.html);
* ``logging.clusterLogging``: the five types api, audit, authenticator,
  controllerManager, scheduler; DescribeCluster lists the enabled types in
  one entry and the disabled ones in another (.../API_LogSetup.html);
* UpdateClusterConfig answers an ``update`` of type ``LoggingUpdate`` with
  the ``ClusterLogging`` parameter (.../API_UpdateClusterConfig.html); a
  request that changes nothing is ``InvalidParameterException`` "No changes
  needed for the logging config provided". The change is applied at once
  (AWS: status InProgress, then Successful);
* "Cluster updates are asynchronous ... During an update, the cluster status
  moves to UPDATING" (.../API_UpdateClusterConfig.html): a cluster seeded
  with an update in progress (``clusters_updating``) is ``UPDATING`` and
  refuses another update with ``ResourceInUseException`` (HTTP 409 in
  botocore's eks model, "The specified resource is in use.").
"""

import json
import uuid

from . import restjson
from .errors import AWSError

SERVICE = "eks"
VALIDATION = "InvalidParameterException"
PAGE_MAX = 100
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager",
             "scheduler")


def _store(state, account, region):
    s = restjson.store(state, SERVICE, account, region)
    s.setdefault("clusters", {})
    return s


def list_clusters(call, p):
    s = _store(call.state, call.account, call.region)
    chunk, token = restjson.page(
        sorted(s["clusters"]), p.get("nextToken"),
        p.get("maxResults", PAGE_MAX),
        AWSError(VALIDATION, "The nextToken provided is not valid."))
    return {"clusters": chunk, "nextToken": token}


def _cluster(call, name):
    s = _store(call.state, call.account, call.region)
    c = s["clusters"].get(name)
    call.resource = name
    if c is None:
        raise AWSError("ResourceNotFoundException",
                       f"No cluster found for name: {name}.", 404)
    return c


def _logging(enabled):
    on = [t for t in LOG_TYPES if t in enabled]
    off = [t for t in LOG_TYPES if t not in enabled]
    out = []
    if on:
        out.append({"types": on, "enabled": True})
    if off:
        out.append({"types": off, "enabled": False})
    return {"clusterLogging": out}


def describe_cluster(call, p):
    c = _cluster(call, p["name"])
    return {"cluster": {
        "name": c["name"], "arn": c["arn"], "createdAt": c["createdAt"],
        "version": "1.29",
        "status": "UPDATING" if c.get("updating") else "ACTIVE",
        "roleArn": c["roleArn"], "logging": _logging(c["enabled"]),
        "tags": dict(c.get("tags") or {})}}


def update_config(call, p):
    c = _cluster(call, p["name"])
    if c.get("updating"):
        raise AWSError("ResourceInUseException", "Cluster has an update in "
                       "progress: only one update at a time is allowed.", 409)
    logging = p.get("logging")
    if logging is None:
        raise AWSError(VALIDATION, "logging is the only update this "
                       "endpoint serves.")
    enabled = set(c["enabled"])
    for entry in logging.get("clusterLogging") or []:
        for t in entry.get("types") or []:
            if entry.get("enabled"):
                enabled.add(t)
            else:
                enabled.discard(t)
    if enabled == set(c["enabled"]):
        raise AWSError(VALIDATION, "No changes needed for the logging "
                       "config provided")
    c["enabled"] = sorted(enabled, key=LOG_TYPES.index)
    return {"update": {
        "id": str(uuid.uuid4()), "status": "InProgress",
        "type": "LoggingUpdate",
        "params": [{"type": "ClusterLogging",
                    "value": json.dumps(_logging(c["enabled"]))}],
        "createdAt": call.clock.epoch(), "errors": []}}


HANDLERS = {
    "ListClusters": list_clusters,
    "DescribeCluster": describe_cluster,
    "UpdateClusterConfig": update_config,
}


def handle(call):
    return restjson.dispatch(call, HANDLERS, VALIDATION)


def seed(state, account, region, spec):
    names = restjson.names(spec.get("clusters"), "c-")
    updating = set(restjson.names(spec.get("clusters_updating"), "c-"))
    if not names:
        return {}
    s = _store(state, account, region)
    enabled = [t for t in spec.get("cluster_log_types") or []
               if t in LOG_TYPES]
    # Per cluster, its tags as DescribeCluster answers them (API_Cluster.html: tags, a
    # string-to-string map): {"cluster_tags": {"<name>": {"team": "a"}}}.
    tagged = spec.get("cluster_tags") or {}
    if not isinstance(tagged, dict) or any(
            not isinstance(v, dict) for v in tagged.values()):
        raise ValueError("cluster_tags is {name: {key: value}}")
    out = []
    for name in names:
        arn = f"arn:aws:eks:{region}:{account}:cluster/{name}"
        s["clusters"][name] = {
            "name": name, "arn": arn, "createdAt": state.clock.epoch(),
            "roleArn": f"arn:aws:iam::{account}:role/eks-cluster",
            "enabled": list(enabled), "updating": name in updating,
            "tags": {str(k): str(v) for k, v in (tagged.get(name) or {}).items()}}
        out.append(arn)
    return {"clusters": out}
