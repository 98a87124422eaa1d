"""A local, stateful AWS endpoint for logkeep's integration tests.

It speaks the wire protocols of Amazon S3 (REST-XML), Amazon CloudWatch Logs
and AWS CloudTrail (JSON 1.1) and AWS STS (query) for the operations logkeep
uses, reading every request with botocore's service models and verifying
every SigV4 signature with botocore's signer.  See README.md next to this
package for the full description; ``serve`` starts it.

Modules:

* :mod:`.server`      HTTP front end, routing, the request pipeline, ``main``
* :mod:`.sigv4`       signature verification (botocore's signer)
* :mod:`.models`      botocore models and the shape walkers
* :mod:`.s3`, :mod:`.logs`, :mod:`.cloudtrail`, :mod:`.sts`, :mod:`.kms`,
  :mod:`.organizations`  the services
* :mod:`.resolver`, :mod:`.wafv2`, :mod:`.netfw`, :mod:`.configsvc`,
  :mod:`.guardduty`, :mod:`.eks`  the log-source services
* :mod:`.restjson`    the REST-JSON protocol, the log-source store and seed
* :mod:`.jsonproto`   the JSON 1.1 protocol helpers
* :mod:`.s3objects`   S3 objects, versions, Object Lock retention, listings
* :mod:`.iampolicy`   the IAM policy evaluator
* :mod:`.authz`       S3 authorisation (identity + bucket policies)
* :mod:`.delivery`    log delivery by AWS service principals
* :mod:`.policy`      CreateTrail's bucket-policy check
* :mod:`.state`       resources, locking, dump/load/bulk
* :mod:`.credentials` keys, sessions, roles, web-identity tokens
* :mod:`.faults`      fault injection and the request log
* :mod:`.admin`       the ``/_admin/`` API
* :mod:`.errors`      error codes and their wire shapes
* :mod:`.clock`       the shiftable clock
"""
