"""Amazon RDS (Query protocol, API 2014-10-31): DB instances and clusters and
their log exports to CloudWatch Logs.

Implemented: DescribeDBInstances, DescribeDBClusters, ModifyDBInstance,
ModifyDBCluster (``CloudwatchLogsExportConfiguration`` only; other
modifications are accepted and ignored); other actions answer
``400 InvalidAction``.

Behaviour encoded, with sources (RDS API Reference,
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/):

* DescribeDBInstances / DescribeDBClusters (API_DescribeDBInstances.html,
  API_DescribeDBClusters.html): ``MaxRecords`` 20-100, default 100
  ("Constraints: Minimum 20, maximum 100"; outside:
  ``InvalidParameterValue``), ``Marker``; an unknown identifier is
  ``DBInstanceNotFound`` "DBInstance x not found." / ``DBClusterNotFoundFault``
  "DBCluster x not found." (HTTP 404, the model's error traits);
  ``EnabledCloudwatchLogsExports`` lists the exported log types;
* ModifyDBInstance / ModifyDBCluster with
  ``CloudwatchLogsExportConfiguration.EnableLogTypes/DisableLogTypes``: "A
  change to the CloudwatchLogsExportConfiguration parameter is always
  applied to the DB instance immediately. Therefore, the ApplyImmediately
  parameter has no effect." (API_ModifyDBInstance.html); the log types an
  engine can publish, from the same page ("The following values are valid
  for each DB engine": Aurora MySQL ``audit``, ``error``, ``general``,
  ``slowquery``, ``iam-db-auth-error``; Aurora PostgreSQL ``postgresql``,
  ``iam-db-auth-error``; RDS for MySQL ``error``, ``general``,
  ``slowquery``, ``iam-db-auth-error``, plus ``audit`` with the MariaDB
  audit plugin (User Guide, "Publishing MySQL logs to Amazon CloudWatch
  Logs"); RDS for PostgreSQL ``postgresql``, ``upgrade``,
  ``iam-db-auth-error``) and the User Guide's "Publishing database logs to
  Amazon CloudWatch Logs" for the others (MariaDB ``audit``, ``error``,
  ``general``, ``slowquery``; Oracle ``alert``, ``audit``, ``listener``,
  ``trace``, ``oemagent``; SQL Server ``agent``, ``error``); another type is
  ``InvalidParameterCombination``; an instance that belongs to an Aurora
  cluster takes its exports from the cluster, and setting them on it is
  ``InvalidParameterCombination``; an instance or cluster that is not
  ``available`` is ``InvalidDBInstanceState`` /
  ``InvalidDBClusterStateFault``.
"""

import zlib

from . import queryproto
from .errors import AWSError

SERVICE = "rds"
MIN_RECORDS, MAX_RECORDS = 20, 100

LOG_TYPES = {
    "mysql": ("audit", "error", "general", "slowquery", "iam-db-auth-error"),
    "mariadb": ("audit", "error", "general", "slowquery"),
    "aurora-mysql": ("audit", "error", "general", "slowquery",
                     "iam-db-auth-error"),
    "postgres": ("postgresql", "upgrade", "iam-db-auth-error"),
    "aurora-postgresql": ("postgresql", "iam-db-auth-error"),
    "oracle-ee": ("alert", "audit", "listener", "trace", "oemagent"),
    "oracle-se2": ("alert", "audit", "listener", "trace", "oemagent"),
    "sqlserver-se": ("agent", "error"),
    "sqlserver-ee": ("agent", "error"),
    "sqlserver-ex": ("agent", "error"),
    "sqlserver-web": ("agent", "error"),
}


def _where(call):
    return queryproto.store(call.endpoint).of(call.account, call.region)


def _records(p):
    size = p.get("MaxRecords", MAX_RECORDS)
    if size < MIN_RECORDS or size > MAX_RECORDS:
        raise AWSError("InvalidParameterValue",
                       f"Invalid value {size} for MaxRecords. Must be "
                       f"between {MIN_RECORDS} and {MAX_RECORDS}")
    return size


def _bad_marker():
    return AWSError("InvalidParameterValue", "Invalid marker")


def _instance_not_found(name):
    return queryproto.modelled_error(SERVICE, "DBInstanceNotFoundFault",
                                     f"DBInstance {name} not found.")


def _cluster_not_found(name):
    return queryproto.modelled_error(SERVICE, "DBClusterNotFoundFault",
                                     f"DBCluster {name} not found.")


def _filtered(items, filters, fields):
    for item in filters or []:
        name = item.get("Name")
        if name not in fields:
            raise AWSError("InvalidParameterValue",
                           f"Unrecognized filter name: {name}")
        values = item.get("Values") or []
        items = [i for i in items if i.get(fields[name]) in values]
    return items


def describe_db_instances(call, p):
    where = _where(call)["db_instances"]
    size = _records(p)
    name = p.get("DBInstanceIdentifier")
    if name is not None:
        call.resource = name
        if name not in where:
            raise _instance_not_found(name)
        chosen = [where[name]]
    else:
        chosen = [where[k] for k in sorted(where)]
    chosen = _filtered(chosen, p.get("Filters"), {
        "db-instance-id": "DBInstanceIdentifier",
        "db-cluster-id": "DBClusterIdentifier", "engine": "Engine"})
    items, marker = queryproto.page(call, chosen, p.get("Marker"), size,
                                    _bad_marker())
    return {"DBInstances": items, "Marker": marker}


def describe_db_clusters(call, p):
    where = _where(call)["db_clusters"]
    size = _records(p)
    name = p.get("DBClusterIdentifier")
    if name is not None:
        call.resource = name
        if name not in where:
            raise _cluster_not_found(name)
        chosen = [where[name]]
    else:
        chosen = [where[k] for k in sorted(where)]
    chosen = _filtered(chosen, p.get("Filters"), {
        "db-cluster-id": "DBClusterIdentifier", "engine": "Engine"})
    items, marker = queryproto.page(call, chosen, p.get("Marker"), size,
                                    _bad_marker())
    return {"DBClusters": items, "Marker": marker}


def _apply_exports(resource, config):
    if not config:
        return
    enable = config.get("EnableLogTypes") or []
    disable = config.get("DisableLogTypes") or []
    allowed = LOG_TYPES.get(resource["Engine"], ())
    bad = [t for t in enable + disable if t not in allowed]
    if bad:
        raise AWSError("InvalidParameterCombination",
                       f"You cannot use the log types '{', '.join(bad)}' "
                       f"with engine version {resource['Engine']} "
                       f"{resource.get('EngineVersion', '')}. Please choose "
                       "different log types.".replace("  ", " "))
    both = set(enable) & set(disable)
    if both:
        raise AWSError("InvalidParameterCombination",
                       f"Log types '{', '.join(sorted(both))}' cannot be "
                       "both enabled and disabled")
    current = [t for t in resource.get("EnabledCloudwatchLogsExports", [])
               if t not in disable]
    current += [t for t in enable if t not in current]
    if current:
        resource["EnabledCloudwatchLogsExports"] = current
    else:
        resource.pop("EnabledCloudwatchLogsExports", None)


def modify_db_instance(call, p):
    where = _where(call)["db_instances"]
    name = p["DBInstanceIdentifier"]
    call.resource = name
    instance = where.get(name)
    if instance is None:
        raise _instance_not_found(name)
    config = p.get("CloudwatchLogsExportConfiguration")
    if config and instance.get("DBClusterIdentifier"):
        raise AWSError("InvalidParameterCombination",
                       "The requested DB Instance will be a member of a DB "
                       "Cluster. Set the log exports for the DB Cluster.")
    if instance["DBInstanceStatus"] != "available":
        raise queryproto.modelled_error(
            SERVICE, "InvalidDBInstanceStateFault",
            "Database instance is not in available state.")
    _apply_exports(instance, config)
    return {"DBInstance": instance}


def modify_db_cluster(call, p):
    where = _where(call)["db_clusters"]
    name = p["DBClusterIdentifier"]
    call.resource = name
    cluster = where.get(name)
    if cluster is None:
        raise _cluster_not_found(name)
    if cluster["Status"] != "available":
        raise queryproto.modelled_error(
            SERVICE, "InvalidDBClusterStateFault",
            f"DB cluster {name} is not in available state.")
    _apply_exports(cluster, p.get("CloudwatchLogsExportConfiguration"))
    return {"DBCluster": cluster}


def _exports(item, engine):
    exports = list(item.get("EnabledCloudwatchLogsExports") or [])
    bad = [t for t in exports if t not in LOG_TYPES.get(engine, ())]
    if bad:
        raise ValueError(f"log types {bad} are not those of {engine}")
    return exports


def _tag_list(item):
    """A seeded ``TagList`` as the Describe answers carry it (API_DBInstance.html,
    API_DBCluster.html: ``TagList``, items ``Tag`` with ``Key`` and ``Value``)."""
    out = []
    for t in item["TagList"]:
        if not isinstance(t, dict) or not t.get("Key"):
            raise ValueError("a tag is {\"Key\": ..., \"Value\": ...}")
        out.append({"Key": str(t["Key"]), "Value": str(t.get("Value", ""))})
    return out


def seed_clusters(where, account, region, spec, now):
    made = []
    for item in queryproto.items_of(spec):
        engine = item.get("Engine", "aurora-mysql")
        if engine not in LOG_TYPES:
            raise ValueError(f"engine {engine} is not modelled")
        name = item.get("DBClusterIdentifier") or \
            f"{item.get('prefix', 'cluster-')}{item.get('index', 0):05d}"
        cluster = {
            "DBClusterIdentifier": name,
            "DBClusterArn": f"arn:aws:rds:{region}:{account}:cluster:{name}",
            "Status": item.get("Status", "available"),
            "Engine": engine,
            "EngineVersion": item.get("EngineVersion", "8.0.mysql_aurora.3.04.0"
                                      if engine == "aurora-mysql" else "15.4"),
            "DbClusterResourceId": f"cluster-{zlib.crc32(name.encode()):012d}",
            "ClusterCreateTime": queryproto.iso(now),
            "MultiAZ": False,
        }
        exports = _exports(item, engine)
        if exports:
            cluster["EnabledCloudwatchLogsExports"] = exports
        if item.get("TagList"):
            cluster["TagList"] = _tag_list(item)
        where["db_clusters"][name] = cluster
        made.append(name)
    return made


def seed_instances(where, account, region, spec, now):
    made = []
    for item in queryproto.items_of(spec):
        cluster_id = item.get("DBClusterIdentifier")
        cluster = where["db_clusters"].get(cluster_id) if cluster_id else None
        if cluster_id and cluster is None:
            raise ValueError(f"no cluster {cluster_id}")
        engine = item.get("Engine") or (cluster["Engine"] if cluster
                                        else "postgres")
        if engine not in LOG_TYPES:
            raise ValueError(f"engine {engine} is not modelled")
        name = item.get("DBInstanceIdentifier") or \
            f"{item.get('prefix', 'db-')}{item.get('index', 0):05d}"
        instance = {
            "DBInstanceIdentifier": name,
            "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{name}",
            "DBInstanceClass": item.get("DBInstanceClass", "db.t3.micro"),
            "Engine": engine,
            "EngineVersion": item.get("EngineVersion", "15.4"),
            "DBInstanceStatus": item.get("DBInstanceStatus", "available"),
            "InstanceCreateTime": queryproto.iso(now),
            "DbiResourceId": f"db-{zlib.crc32(name.encode()):012d}",
        }
        if cluster_id:
            instance["DBClusterIdentifier"] = cluster_id
        exports = _exports(item, engine)
        if exports:
            instance["EnabledCloudwatchLogsExports"] = exports
        if item.get("TagList"):
            instance["TagList"] = _tag_list(item)
        where["db_instances"][name] = instance
        made.append(name)
    return made


HANDLERS = {
    "DescribeDBInstances": describe_db_instances,
    "DescribeDBClusters": describe_db_clusters,
    "ModifyDBInstance": modify_db_instance,
    "ModifyDBCluster": modify_db_cluster,
}
