/*
 * logkeep: the rule catalogue.
 *
 * Every diagnostic names one of these rules. IDs are stable: tooling (SARIF baselines, waivers in
 * policies, CI filters) keys on them, so a rule is never renumbered; a retired rule keeps its ID.
 * Families: LK0xx structure, LK1xx retention, LK2xx access, LK3xx purpose, LK4xx integrity,
 * LK5xx baselines.
 */
#include <stddef.h>
#include <string.h>

#include "compiler/diag.h"

#define SEC04 "AWS Well-Architected Framework, Security Pillar, SEC04-BP01 \"Configure service and application logging\" (https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_detect_investigate_events_app_service_logging.html)"
#define YAML12 "YAML 1.2.2 specification (https://yaml.org/spec/1.2.2/)"
#define LIFECYCLE_DOC "Amazon S3 User Guide, \"Transitioning objects using Amazon S3 Lifecycle\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html)"
#define CWL_API "CloudWatch Logs API Reference, PutRetentionPolicy (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html)"

static const struct lk_rule s_rules[] = {
    /* ---------------------------------------------------------------- LK0xx structure */
    {"LK001", "yaml-syntax", LK_SEV_ERROR, "the file is not valid YAML",
     "The policy file could not be parsed as YAML. The message gives libyaml's description of "
     "the problem and the position where parsing stopped. Roles, stores, retention classes and "
     "sources completed before that point are still checked; the rest of the file is not, and "
     "checks that need the whole policy (a missing account or region) are skipped.",
     YAML12},
    {"LK002", "encoding", LK_SEV_ERROR, "the file is not UTF-8 text",
     "Policy files must be UTF-8 without NUL bytes. A byte sequence that is not valid UTF-8 "
     "(including overlong forms and UTF-16 surrogates) usually means a binary file or a file "
     "saved in another encoding was given as a policy.",
     "RFC 3629 (UTF-8); " YAML12 " §5.2"},
    {"LK003", "file-too-large", LK_SEV_ERROR, "the file exceeds the size limit",
     "logkeep refuses policy files larger than 16 MiB. A policy with ten thousand sources is "
     "about 3 MiB, so a larger file is almost certainly not a policy; the bound keeps memory use "
     "predictable when logkeep runs in CI on untrusted pull requests.",
     "logkeep resource limits"},
    {"LK004", "empty-file", LK_SEV_ERROR, "the file holds no policy",
     "A policy file that is empty, or holds only comments, is almost always a mistake (a "
     "truncated commit, a wrong path). Remove the file or give it content.",
     "logkeep"},
    {"LK005", "nesting-too-deep", LK_SEV_ERROR, "collections are nested too deeply",
     "The policy language never needs more than a handful of levels; logkeep stops reading a "
     "file whose mappings and sequences nest deeper than 64 levels, so hostile input cannot "
     "exhaust the stack or memory.",
     "logkeep resource limits"},
    {"LK006", "alias-limit", LK_SEV_ERROR, "YAML aliases expand beyond the limit",
     "YAML anchors and aliases (&name / *name) let one node be reused. Nested aliases can expand "
     "exponentially (the \"billion laughs\" attack). logkeep allows at most 64 aliases per file "
     "and at most 10,000 nodes added by their expansion.",
     YAML12 " §3.2.2.2; CVE-2003-1564 (billion laughs)"},
    {"LK007", "unsupported-tag", LK_SEV_ERROR, "a YAML tag outside the core schema",
     "Only the YAML 1.2 core schema tags (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq) "
     "and the non-specific tag (!) are accepted. Application tags such as !!python/object or "
     "!Ref carry meaning logkeep does not implement, so they are rejected rather than ignored.",
     YAML12 " §10.3 (core schema)"},
    {"LK008", "duplicate-key", LK_SEV_ERROR, "a mapping has the same key twice",
     "YAML requires keys in a mapping to be unique. Many parsers silently keep the last value, "
     "so a duplicated key hides one of two conflicting settings; logkeep reports both places.",
     YAML12 " §3.2.1.1"},
    {"LK009", "unknown-key", LK_SEV_ERROR, "a key the language does not define",
     "Every key in a policy has a meaning in the language reference (logkeep-policy(5)). An "
     "unknown key is usually a typo that would otherwise silently drop a setting (for example "
     "\"retension\"), so it is an error, with a suggestion when a known key is close.",
     "logkeep-policy(5)"},
    {"LK010", "wrong-type", LK_SEV_ERROR, "a value of the wrong type",
     "The value at this position must be of the type given in the message (mapping, sequence, "
     "string, integer or boolean). Unquoted YAML scalars are typed by their spelling: true and "
     "false are booleans, 123 is an integer; quote them to make them strings.",
     "logkeep-policy(5); " YAML12 " §10.3.2"},
    {"LK011", "missing-key", LK_SEV_ERROR, "a required key is missing",
     "The mapping lacks a key the language requires here (for example a source's type or "
     "retention, or a store's bucket).",
     "logkeep-policy(5)"},
    {"LK012", "duplicate-definition", LK_SEV_ERROR, "a name is defined twice",
     "Roles, stores, retention classes and sources are named, and the names are global across "
     "every file of a policy. Defining a name twice (in one file or in two) is an error naming "
     "both places, because merging would silently pick one definition.",
     "logkeep-policy(5), \"Policies in several files\""},
    {"LK013", "undefined-reference", LK_SEV_ERROR, "a reference to a name that is not defined",
     "A source names its retention class and store, and a store names its reader and admin "
     "roles. The name given is not defined in any file of the policy.",
     "logkeep-policy(5)"},
    {"LK014", "language-version", LK_SEV_ERROR, "a missing or unsupported language version",
     "Every policy file starts with \"logkeep: 1\", the language version it is written for. "
     "Later versions may change meanings; logkeep refuses a version it does not know rather "
     "than guess.",
     "logkeep-policy(5)"},
    {"LK015", "conflicting-setting", LK_SEV_ERROR, "files of one policy disagree",
     "Policy-wide settings (account, region, language version) may be repeated in several files "
     "of a policy, but only with the same value.",
     "logkeep-policy(5), \"Policies in several files\""},
    {"LK016", "invalid-value", LK_SEV_ERROR, "a value outside the allowed set",
     "The key takes one of a fixed set of values (a source type, an access level, a storage "
     "class, an object lock mode); the message lists them.",
     "logkeep-policy(5)"},
    {"LK017", "unused-definition", LK_SEV_WARNING, "a definition nothing uses",
     "A role, store or retention class that no source or store refers to has no effect. It is "
     "often left over from a rename, or a reference to it is misspelt.",
     "logkeep-policy(5)"},
    {"LK018", "multiple-documents", LK_SEV_ERROR, "a file holds more than one YAML document",
     "Each policy file holds one YAML document; split several documents into several files "
     "(they merge into one policy).",
     "logkeep-policy(5)"},
    {"LK019", "invalid-duration", LK_SEV_ERROR, "a malformed duration",
     "Durations are a positive whole number followed by a unit: d (days), w (weeks) or y "
     "(years), or the word forever where the key allows it. Years are converted the way AWS "
     "converts them, so that \"7y\" never keeps less than seven calendar years: n years are "
     "365n days plus one day for each leap day such a span can hold (2y = 731, 3y = 1096, "
     "5y = 1827, 7y = 2557, 10y = 3653), except 1y = 365 as in CloudWatch Logs. Months are not a "
     "unit: they vary in length; write days.",
     CWL_API},
    {"LK020", "bucket-name", LK_SEV_ERROR, "an invalid S3 bucket name",
     "General purpose bucket names are 3 to 63 characters of lowercase letters, digits, dots "
     "and hyphens; they begin and end with a letter or digit; no two adjacent dots; not "
     "formatted as an IP address; not starting with xn--, sthree- or amzn-s3-demo-, not ending "
     "with -s3alias, --ol-s3 or .mrap.",
     "Amazon S3 User Guide, \"General purpose bucket naming rules\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)"},
    {"LK021", "log-group-name", LK_SEV_ERROR, "an invalid CloudWatch Logs log group name",
     "Log group names are 1 to 512 characters from a-z, A-Z, 0-9, '_', '-', '/', '.' and '#'. "
     "In a logkeep pattern, '*' stands for any run of characters.",
     "CloudWatch Logs API Reference, CreateLogGroup (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html)"},
    {"LK022", "trail-name", LK_SEV_ERROR, "an invalid CloudTrail trail name",
     "Trail names are 3 to 128 characters of ASCII letters, digits, '.', '_' and '-'; they start "
     "and end with a letter or digit, and '.', '_' and '-' are never adjacent to one another.",
     "CloudTrail API Reference, CreateTrail (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html)"},
    {"LK023", "arn", LK_SEV_ERROR, "a malformed ARN",
     "ARNs have the form arn:partition:service:region:account-id:resource, with partition aws, "
     "aws-cn or aws-us-gov. IAM principals are arn:<partition>:iam::<account>:role/... , "
     ":user/... or :root; KMS keys arn:<partition>:kms:<region>:<account>:key/... (an alias "
     "ARN is LK029).",
     "AWS General Reference, \"Amazon Resource Names\" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)"},
    {"LK024", "account-id", LK_SEV_ERROR, "an invalid AWS account ID",
     "An AWS account ID is exactly 12 digits, written as a quoted string: unquoted, YAML reads "
     "it as an integer, and an ID with leading zeros would lose them in every other tool that "
     "reads the policy.",
     "AWS Account Management Reference, \"View AWS account identifiers\" (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html)"},
    {"LK025", "region", LK_SEV_ERROR, "an unknown AWS region",
     "The region must be an AWS Region code such as us-east-1 or eu-west-2. logkeep knows the "
     "commercial, China and GovCloud regions; a misspelt region would otherwise send every call "
     "to a host that does not exist.",
     "AWS General Reference, \"AWS service endpoints\" (https://docs.aws.amazon.com/general/latest/gr/rande.html)"},
    {"LK026", "entry-name", LK_SEV_ERROR, "an invalid name for a role, store, class or source",
     "Names of roles, stores, retention classes and sources are 1 to 64 characters of letters, "
     "digits, '-', '_' and '.', starting with a letter or digit. They appear in generated rule "
     "IDs, statement IDs and file names, where other characters are not allowed.",
     "logkeep-policy(5)"},
    {"LK027", "source-destination", LK_SEV_ERROR, "a source's destination does not fit its type",
     "Each source type writes to fixed kinds of destinations: CloudTrail, ELB, AWS Config and "
     "GuardDuty to S3; EKS and RDS to CloudWatch Logs; VPC Flow Logs, Route 53 Resolver, WAF and "
     "Network Firewall to either. A source must name a destination its type can use, and only "
     "CloudTrail sources take trail settings. WAF destinations must be named aws-waf-logs-*.",
     "logkeep-policy(5), \"Source types\"; the services' logging guides cited there"},
    {"LK028", "waiver", LK_SEV_ERROR, "an invalid or stale waiver",
     "A waiver turns the findings of one rule on one source or store into notes, and must say "
     "why in at least three words: \"waivers: { LK402: <reason> }\". Only judgement calls can be "
     "waived: LK102, LK103, LK203, LK301, LK302, LK401, LK402, LK404, LK405 and LK406. A waiver "
     "that matches no finding is reported, so stale waivers do not accumulate; so is a "
     "forever_because on a source whose retention is finite.",
     "logkeep-policy(5), \"Waivers\""},
    {"LK029", "kms-alias", LK_SEV_ERROR, "a KMS key named by its alias",
     "A store's encryption.kms_key, a trail's kms_key and a source's kms_key must be key ARNs "
     "(arn:<partition>:kms:<region>:<account>:key/<key-id>), not alias ARNs. AWS services that "
     "write with the key, and principals of other accounts, resolve an alias in their own "
     "account, so logs would be encrypted with another key or not delivered; a key policy also "
     "belongs to the key, not to an alias. aws kms describe-key --key-id alias/<name> shows the "
     "key ARN.",
     "Amazon S3 User Guide, \"Specifying server-side encryption with AWS KMS (SSE-KMS)\" (a fully qualified key ARN for cross-account and service writers) (https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-kms-encryption.html); AWS KMS Developer Guide, \"Using aliases\""},
    {"LK030", "guardduty-needs-kms", LK_SEV_ERROR, "GuardDuty findings into a store without a KMS key",
     "GuardDuty exports findings to S3 only through a publishing destination that names a KMS "
     "key, with which GuardDuty encrypts them. A guardduty source must therefore write to a store "
     "with encryption: { kms_key: <key ARN> }; logkeep then adds the key policy statement that "
     "lets GuardDuty use the key.",
     "Amazon GuardDuty User Guide, \"Exporting generated findings to Amazon S3\" (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_exportfindings.html)"},
    {"LK031", "declared-account-id", LK_SEV_ERROR, "an invalid or repeated account ID under accounts:",
     "Each account under accounts: has an id of exactly 12 digits, written as a quoted string, "
     "and one ID has one name: two names for one account would split its sources and stores "
     "between two (account, Region) pairs that are the same account. IDs pinned for a dynamic "
     "group under resolved: are 12 digits too, and an organisation has one management account.",
     "AWS Account Management Reference, \"View AWS account identifiers\" (https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html)"},
    {"LK032", "unknown-account", LK_SEV_ERROR, "a reference to an account or group that is not declared",
     "A store's account, a source's accounts and a list group's members name accounts declared "
     "under accounts: or groups declared under account_groups: (a source may also give the "
     "12-digit ID of an account of the scope). A store lives in one account, so it names an "
     "account, not a group. In a policy without accounts:, the keys that name accounts "
     "(a store's account, a source's accounts, access, account_groups) are refused: that policy "
     "governs its one account.",
     "logkeep-policy(5), \"Accounts and Regions\""},
    {"LK033", "out-of-scope", LK_SEV_ERROR, "a store or source outside the policy's accounts and Regions",
     "The policy's scope is its accounts (those declared and those of pinned groups) in its "
     "Regions (the home region and regions:). A store's region and a source's regions must be "
     "Regions of the scope, and a source's accounts accounts of the scope; a trail has one home "
     "Region (a multi-Region trail records the others from there).",
     "logkeep-policy(5), \"Accounts and Regions\"; AWS CloudTrail User Guide, \"How CloudTrail works\" (multi-Region trails) (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/how-cloudtrail-works.html)"},
    {"LK034", "organization-trail-owner", LK_SEV_ERROR, "an organization trail with a wrong owner or no organization ID",
     "An organization trail is created once, in the management account or in an account that is "
     "a delegated administrator for CloudTrail, and logs every member account. A cloudtrail "
     "source with trail: { organization: true } in a policy with accounts: must therefore have "
     "exactly one owner (accounts:), of kind management or with cloudtrail in its "
     "delegated_admin, and an organization ID (the top-level organization: or the trail's "
     "organization_id, which must agree) for the AWSLogs/<organization-id>/ paths of its "
     "bucket policy.",
     "AWS CloudTrail User Guide, \"Creating a trail for an organization\" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/creating-trail-organization.html) and \"Organization delegated administrator\" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-delegated-administrator.html)"},
    {"LK035", "overlapping-accounts", LK_SEV_WARNING, "a source lists one account twice",
     "A source's accounts name the same account twice, directly or through groups that "
     "overlap. The source covers it once; the repetition usually means one of the groups is "
     "not the one intended.",
     "logkeep-policy(5), \"Accounts and Regions\""},
    {"LK036", "account-and-accounts", LK_SEV_ERROR, "a top-level account in a policy with accounts:",
     "A policy governs either one account (the top-level account:) or the accounts it declares "
     "under accounts:. With accounts:, each store names the account of its bucket and each "
     "source the accounts it covers; a top-level account would be ambiguous.",
     "logkeep-policy(5), \"Accounts and Regions\""},
    {"LK037", "group-cycle", LK_SEV_ERROR, "an account group includes itself",
     "A list group's members are accounts or other groups; a group that includes itself, "
     "directly or through other groups, stands for no definite set of accounts.",
     "logkeep-policy(5), \"Accounts and Regions\""},
    {"LK038", "unpinned-group", LK_SEV_ERROR, "a dynamic account group used but not resolved",
     "A group { organization: true } or { organizational_unit: ou-... } stands for the ACTIVE "
     "accounts AWS Organizations lists. validate and compile work offline, so a store or source "
     "using such a group needs its accounts pinned under resolved: (logkeep resolve POLICY -o "
     "DIR/accounts.lock.yaml writes that file); plan, apply, drift and snapshot resolve unpinned "
     "groups themselves.",
     "AWS Organizations API Reference, ListAccounts and ListAccountsForParent (https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html)"},
    {"LK039", "load-balancer-region", LK_SEV_ERROR, "load balancer logs into a store of another Region",
     "Elastic Load Balancing writes access logs only to an S3 bucket in the load balancer's own "
     "Region (the bucket may belong to another account). An elb-access-logs or nlb-access-logs "
     "source therefore covers only its store's Region: load balancers of other Regions need a "
     "store (and a source) in each of those Regions.",
     "Elastic Load Balancing, \"Enable access logs for your Network Load Balancer\", Bucket requirements (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/enable-access-logs.html)"},

    {"LK040", "coverage-settings", LK_SEV_ERROR, "a source's coverage settings do not fit it",
     "Sources of the producing types (vpc-flow-logs, route53-resolver-query-logs, "
     "elb-access-logs, nlb-access-logs, waf, network-firewall, config, guardduty, eks-audit, "
     "rds) say which producers must deliver to them (resources), whether apply turns delivery "
     "on (enable) and, for eks-audit and rds, which log types (log_types). These keys apply to "
     "those types only; resources does not apply to config and guardduty (one recorder or "
     "detector per account and Region); with coverage: false they have no effect; log types "
     "are the service's own names, and an eks-audit source includes audit; enable needs "
     "destinations named exactly (a store, log groups without '*'); a web ACL logs to one "
     "destination, so a waf source checked for coverage names one; flow logs turned on into log "
     "groups need the role they are written through (delivery_role), and only they take one.",
     "logkeep-policy(5), \"Coverage and enable\"; docs/source-types.md, \"Producers: is a "
     "source on, and turning it on\""},
    {"LK041", "producer-id", LK_SEV_ERROR, "a producer ID not of its type's form",
     "A source selects producers by the IDs AWS gives them: VPC IDs for vpc-flow-logs and "
     "route53-resolver-query-logs, load balancer ARNs (or Classic Load Balancer names) for "
     "elb-access-logs and nlb-access-logs, web ACL ARNs for waf, firewall ARNs for "
     "network-firewall, cluster names for eks-audit, DB instance and cluster identifiers for "
     "rds. An ID of another form never matches a producer, an ID listed twice is a slip, and an "
     "ARN in an account or Region the source does not cover is never read.",
     "EC2 API, DescribeVpcs; ELBv2 API, DescribeLoadBalancers; WAFV2 API, ListWebACLs; Network "
     "Firewall API, ListFirewalls; EKS API, ListClusters; RDS API, DescribeDBInstances and "
     "DescribeDBClusters"},
    {"LK042", "exclusion", LK_SEV_ERROR, "an invalid or stale exclusion of a producer",
     "resources.exclude names producers a source does not require to deliver, each with its "
     "reason: \"exclude: { vpc-0abc1234: <reason> }\". Like a waiver's, the reason says why in "
     "at least three words, and an exclusion that cannot match is reported, so stale exclusions "
     "do not accumulate: with ids, one of a producer that ids does not select, or that ids "
     "both selects and excludes. Without ids, drift reports an exclusion that matches no "
     "producer it reads.",
     "logkeep-policy(5), \"Coverage and enable\""},

    /* ---------------------------------------------------------------- LK1xx retention */
    {"LK101", "retention-forever", LK_SEV_ERROR, "logs kept forever without a stated reason",
     "Storing logs in perpetuity is a SEC04-BP01 anti-pattern: it raises cost and exposure "
     "without helping investigations. \"delete_after: forever\" is accepted only when the source "
     "also gives forever_because: \"<reason>\" (then LK102 warns instead). Baselines with a "
     "ceiling (GDPR) still reject it.",
     SEC04},
    {"LK102", "retention-forever-justified", LK_SEV_WARNING, "logs kept forever, with a reason",
     "The source keeps its logs forever and says why (forever_because). The warning keeps the "
     "choice visible in every run; remove it by choosing a finite retention.",
     SEC04},
    {"LK103", "retention-too-short", LK_SEV_WARNING, "logs deleted sooner than investigations need",
     "Deleting security logs too soon is the other half of SEC04-BP01's first anti-pattern. "
     "Incidents are commonly discovered weeks or months after they start; CloudTrail's own event "
     "history keeps 90 days, and SEC04-BP01 names three months to a year of ready availability "
     "as typical. logkeep warns when a source keeps its logs for less than 90 days.",
     SEC04},
    {"LK104", "retention-ordering", LK_SEV_ERROR, "availability longer than retention",
     "\"available\" is how long logs stay readily queryable and \"delete_after\" when they are "
     "deleted; logs cannot stay available after they are deleted, so available <= delete_after.",
     "logkeep-policy(5), \"Retention\""},
    {"LK105", "tier-order", LK_SEV_ERROR, "archive tiers out of order",
     "Archive tiers are listed in strictly increasing \"after\". S3 Lifecycle moves objects only "
     "one way, towards colder classes, and nothing transitions back to STANDARD.",
     LIFECYCLE_DOC},
    {"LK106", "tier-after-expiry", LK_SEV_ERROR, "an archive tier that starts after deletion",
     "Every transition must happen before the expiration: S3 rejects a lifecycle rule whose "
     "expiration days are not greater than its transition days, and the tier would hold nothing.",
     LIFECYCLE_DOC},
    {"LK107", "slow-tier-in-window", LK_SEV_ERROR,
     "logs archived to a slow tier while they should be available",
     "S3 Glacier Flexible Retrieval and Glacier Deep Archive need a restore (minutes to 48 hours) "
     "before an object can be read, so logs in them are not \"readily available\". A GLACIER or "
     "DEEP_ARCHIVE tier must start no earlier than the end of the availability window. STANDARD_IA, "
     "ONEZONE_IA, GLACIER_IR and INTELLIGENT_TIERING keep millisecond access and may start sooner.",
     "Amazon S3 User Guide, \"Understanding S3 Glacier storage classes\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/glacier-storage-classes.html); " SEC04},
    {"LK108", "ia-minimum-age", LK_SEV_ERROR, "a transition to an IA class before day 30",
     "S3 Lifecycle cannot transition objects to STANDARD_IA or ONEZONE_IA until they are at least "
     "30 days old. (The API reference says \"greater than 30\", the user guide \"at least 30\"; "
     "AWS accepts Days = 30, which logkeep allows.)",
     LIFECYCLE_DOC},
    {"LK109", "glacier-after-ia", LK_SEV_ERROR,
     "a GLACIER or DEEP_ARCHIVE transition too soon after an IA transition",
     "When one lifecycle rule moves objects to STANDARD_IA or ONEZONE_IA and then to GLACIER or "
     "DEEP_ARCHIVE, the second transition must come at least 30 days after the first.",
     LIFECYCLE_DOC},
    {"LK110", "minimum-storage-duration", LK_SEV_WARNING,
     "objects leave a storage class before its minimum storage duration",
     "Objects moved out of (or deleted from) a class before its minimum storage duration are "
     "billed for the whole minimum: STANDARD_IA and ONEZONE_IA 30 days, GLACIER_IR and GLACIER "
     "90 days, DEEP_ARCHIVE 180 days. The tier costs more than it saves.",
     "Amazon S3 pricing and User Guide, \"Storage classes\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html)"},
    {"LK111", "cloudwatch-rounding", LK_SEV_NOTE, "a retention rounded up to a CloudWatch value",
     "CloudWatch Logs accepts only these retention periods, in days: 1, 3, 5, 7, 14, 30, 60, 90, "
     "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653. logkeep rounds "
     "a duration up to the next allowed value, never down, so logs are never deleted earlier than "
     "the policy says; the note shows the value used.",
     CWL_API},
    {"LK112", "cloudwatch-maximum", LK_SEV_ERROR, "a log group retention above CloudWatch's maximum",
     "CloudWatch Logs keeps log events for at most 3653 days (10 years) when a retention is set. "
     "Longer retention needs an S3 archive: send the logs to a store, or keep them forever with a "
     "stated reason.",
     CWL_API},
    {"LK113", "small-object-transition", LK_SEV_NOTE,
     "objects under 128 KB are not transitioned by default",
     "Since September 2024 S3 Lifecycle does not transition objects smaller than 128 KB unless "
     "the configuration says otherwise (TransitionDefaultMinimumObjectSize = "
     "all_storage_classes_128K). Log files are often small, so an \"archive\" tier may archive "
     "nothing. Say which you want with the store's transition_small_objects: true "
     "(varies_by_storage_class: small objects then move to glacier and deep-archive tiers, but "
     "still not to standard-ia, onezone-ia, intelligent-tiering or glacier-ir) or false "
     "(all_storage_classes_128K).",
     "Amazon S3 User Guide, \"Transitioning objects using Amazon S3 Lifecycle\", minimum object size (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html)"},
    {"LK114", "prefix-overlap", LK_SEV_ERROR,
     "sources with different retention share a prefix in one bucket",
     "When S3 Lifecycle rules overlap, the shortest expiration wins and deletion beats "
     "transition. Two sources whose prefixes overlap in one bucket (equal prefixes, or one a "
     "prefix of the other) with different retention would silently get the shorter one.",
     "Amazon S3 User Guide, \"Lifecycle configuration conflicts\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html)"},
    {"LK115", "lifecycle-rule-limit", LK_SEV_ERROR, "more than 1,000 lifecycle rules in one bucket",
     "An S3 Lifecycle configuration holds at most 1,000 rules; logkeep generates one rule per "
     "(source prefix, retention) pair in a bucket.",
     "Amazon S3 User Guide, \"Setting an S3 Lifecycle configuration on a bucket\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-set-lifecycle-configuration-intro.html)"},
    {"LK116", "unmanaged-retention", LK_SEV_ERROR, "no finite retention for unmanaged log groups",
     "Log groups that services create on first write (Lambda, CodeBuild, ...) start with "
     "never-expire retention, the commonest source of perpetual logs. The unmanaged section "
     "sets the retention drift reports and apply enforce for log groups no source names; it "
     "must be finite.",
     SEC04 "; CloudWatch Logs User Guide, \"Change log data retention\""},
    {"LK117", "archive-without-store", LK_SEV_ERROR, "archive tiers on a source with no S3 store",
     "Archive tiers are S3 storage classes. A source that writes only to CloudWatch Logs has no "
     "S3 objects to transition; send it to a store, or drop the tiers.",
     "logkeep-policy(5), \"Retention\""},

    {"LK118", "log-group-overlap", LK_SEV_ERROR, "two sources claim the same log group",
     "A log group has one retention setting. Two sources naming the same log group (or the same "
     "pattern) would each set their own retention on it, and the last apply would win.",
     CWL_API},

    /* ---------------------------------------------------------------- LK2xx access */
    {"LK201", "wildcard-principal", LK_SEV_ERROR, "a role grants access to everybody",
     "\"Everybody can access logs\" is a SEC04-BP01 anti-pattern. A principal of \"*\" (or an "
     "ARN with a wildcard) would let any AWS identity read or manage the logs.",
     SEC04},
    {"LK202", "foreign-root-principal", LK_SEV_ERROR, "another account's root as a principal",
     "Naming another account's root (arn:aws:iam::<other>:root or a bare account ID) delegates "
     "access to every identity that account's administrators choose. Name the specific roles "
     "instead.",
     SEC04 "; IAM User Guide, \"AWS JSON policy elements: Principal\""},
    {"LK203", "store-without-readers", LK_SEV_WARNING, "a store nobody can read",
     "A store with no readers can only be read by its admins, which usually means investigators "
     "will be given admin rights when they need the logs. Declare a read role.",
     SEC04},
    {"LK204", "store-without-admins", LK_SEV_ERROR, "a store with no admins",
     "The generated bucket policy denies deletion and reconfiguration to every principal that is "
     "not a declared admin. With no admins it would lock out everyone, logkeep's own apply "
     "included.",
     "Amazon S3 User Guide, \"Bucket policy examples\"; logkeep-policy(5), \"Stores\""},
    {"LK205", "role-access-mismatch", LK_SEV_ERROR, "a role used with the wrong access level",
     "A role declared \"access: read\" is listed among a store's admins. Admins may change "
     "lifecycle, bucket policy and retention; a role meant to read must not silently gain that. "
     "Fix the role's access or move it to readers.",
     "logkeep-policy(5), \"Roles\""},

    {"LK206", "bucket-policy-size", LK_SEV_ERROR, "a bucket policy over S3's 20 KB limit",
     "The bucket policy logkeep generates for a store (delivery statements for each source, "
     "readers, admins) must fit S3's 20 KB limit for bucket policies; PutBucketPolicy rejects a "
     "larger one. Split the sources over more stores, or use fewer, broader reader roles.",
     "Amazon S3 User Guide, \"Bucket policies for Amazon S3\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html)"},
    {"LK207", "admin-is-account", LK_SEV_ERROR, "an account instead of a role as a store's admin",
     "A store's bucket policy denies deletion, object writes and reconfiguration to every "
     "principal whose aws:PrincipalArn is not one of the admins. For an account "
     "(arn:aws:iam::<account>:root or a bare account ID) aws:PrincipalArn matches only that "
     "account's root user, so every role of the account, the one running logkeep apply "
     "included, would be locked out. Name the admin roles: arn:aws:iam::<account>:role/<name>.",
     "IAM User Guide, \"AWS global condition context keys\", aws:PrincipalArn (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn)"},
    {"LK208", "cross-account-reader", LK_SEV_NOTE, "a store read by a principal of another account",
     "A reader role names a principal (a role or user) of another AWS account. logkeep grants it "
     "read access in the bucket policy, which is allowed, but the read works only if that "
     "account's identity policies allow it too, and logs read there leave this account's "
     "control. The note makes the cross-account grant visible in review; logkeep show marks it "
     "as well.",
     "IAM User Guide, \"Cross-account policy evaluation logic\" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html)"},

    /* ---------------------------------------------------------------- LK3xx purpose */
    {"LK301", "missing-purpose", LK_SEV_ERROR, "a source without a stated purpose",
     "\"Storing every type of log just in case\" is a SEC04-BP01 anti-pattern. Each source states "
     "the use case it serves (investigations, audit evidence, ...) so reviewers can judge its "
     "retention and cost.",
     SEC04},
    {"LK302", "vague-purpose", LK_SEV_WARNING, "a purpose that says nothing",
     "The purpose is a placeholder (\"tbd\", \"just in case\", \"logs\") or a single word. Say "
     "what the logs are for: the investigations, audits or obligations they serve.",
     SEC04},

    /* ---------------------------------------------------------------- LK4xx integrity */
    {"LK401", "log-file-validation-off", LK_SEV_ERROR, "CloudTrail log file validation is off",
     "Log file integrity validation makes CloudTrail deliver signed digest files, the only way to "
     "prove a log was not modified or deleted after delivery. \"Checking log integrity only when "
     "necessary\" is a SEC04-BP01 anti-pattern, and CIS AWS Foundations 3.2 requires it.",
     SEC04 "; CloudTrail User Guide, \"Validating CloudTrail log file integrity\"; CIS AWS Foundations Benchmark v3.0.0, 3.2"},
    {"LK402", "versioning-off", LK_SEV_WARNING, "a log store without versioning",
     "Without versioning, an overwrite or delete destroys the only copy of a log object. "
     "Versioning is also required for Object Lock.",
     "Amazon S3 User Guide, \"Retaining multiple versions of objects with S3 Versioning\"; " SEC04},
    {"LK403", "object-lock-needs-versioning", LK_SEV_ERROR, "Object Lock without versioning",
     "S3 Object Lock works only on versioned buckets; enabling it enables versioning, which can "
     "then not be suspended.",
     "Amazon S3 User Guide, \"Locking objects with Object Lock\" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html)"},
    {"LK404", "object-lock-exceeds-retention", LK_SEV_WARNING,
     "Object Lock keeps objects longer than the policy's retention",
     "Objects under Object Lock retention cannot be deleted; lifecycle expiration only adds a "
     "delete marker. A lock period longer than a source's delete_after keeps its logs longer "
     "than the policy states (and, in COMPLIANCE mode, nobody can shorten it).",
     "Amazon S3 User Guide, \"Locking objects with Object Lock\"; \"Managing the lifecycle of objects\""},
    {"LK405", "trail-without-kms", LK_SEV_WARNING, "CloudTrail logs without SSE-KMS",
     "CloudTrail logs are encrypted with SSE-S3 by default. CIS AWS Foundations 3.5 asks for "
     "SSE-KMS with a customer managed key, which adds a key policy as a second access control "
     "and a record of every decryption. Give the trail or its store a kms_key.",
     "CIS AWS Foundations Benchmark v3.0.0, 3.5; CloudTrail User Guide, \"Encrypting CloudTrail log files with AWS KMS keys\""},
    {"LK406", "trail-single-region", LK_SEV_WARNING, "a trail that records one region only",
     "A single-region trail misses activity in every other region, including regions an attacker "
     "enables. CIS AWS Foundations 3.1 requires a multi-region trail.",
     "CIS AWS Foundations Benchmark v3.0.0, 3.1; CloudTrail User Guide, \"Receiving CloudTrail log files from multiple regions\""},

    /* ---------------------------------------------------------------- LK5xx baselines */
    {"LK501", "unknown-baseline", LK_SEV_ERROR, "a baseline that logkeep does not know",
     "The policy lists a baseline that is not one of the built-in baselines: sec04-bp01, "
     "pci-dss-4.0, hipaa, sox, omb-m-21-31, omb-m-26-14, cis-aws-foundations-3.0, fedramp-rev5 "
     "and gdpr.",
     "logkeep-policy(5), \"Baselines\""},
    {"LK502", "baseline-retention-too-short", LK_SEV_ERROR,
     "a source keeps logs for less time than a baseline requires",
     "A baseline the policy lists sets a minimum retention (for example PCI DSS 10.5.1: at least "
     "12 months of audit log history) and the source's delete_after is shorter. Deleted logs "
     "cannot be recovered for an investigation or an audit. Lengthen delete_after, or remove the "
     "baseline if it does not apply to the account.",
     "docs/baselines.md; the baseline file's sources (logkeep baselines NAME)"},
    {"LK503", "baseline-availability-too-short", LK_SEV_ERROR,
     "logs leave immediate availability sooner than a baseline requires",
     "A baseline sets how long logs must stay immediately available for analysis (for example "
     "PCI DSS 10.5.1: the latest three months), and the source's available window (or its "
     "delete_after when it has no available) is shorter. Lengthen available.",
     "docs/baselines.md; the baseline file's sources (logkeep baselines NAME)"},
    {"LK504", "baseline-retention-too-long", LK_SEV_ERROR,
     "a source keeps logs longer than a baseline allows",
     "A baseline sets a maximum retention (GDPR's storage limitation, Art. 5(1)(e), for sources "
     "whose logs hold personal data) and the source keeps its logs longer. Shorten delete_after, "
     "or say with personal_data: false that the logs hold no personal data.",
     "docs/baselines.md; Regulation (EU) 2016/679, Art. 5(1)(e)"},
    {"LK505", "baseline-retention-not-finite", LK_SEV_ERROR,
     "a source keeps logs forever where a baseline requires a finite retention",
     "A baseline requires every source it applies to to delete its logs at some point "
     "(SEC04-BP01's anti-pattern \"logs stored in perpetuity\"; GDPR's storage limitation). "
     "forever_because does not satisfy it: give delete_after a duration.",
     "docs/baselines.md; AWS Well-Architected SEC04-BP01"},
    {"LK506", "baseline-trail-setting", LK_SEV_ERROR,
     "a trail lacks a setting a baseline requires",
     "A baseline requires trail settings (for example CIS AWS Foundations 3.2: log file "
     "validation; 3.5: SSE-KMS) that a cloudtrail source does not have. Set them under the "
     "source's trail: (kms_key, log_file_validation, multi_region, ...).",
     "docs/baselines.md; the baseline file's sources (logkeep baselines NAME)"},
    {"LK507", "baseline-store-setting", LK_SEV_ERROR,
     "a store lacks a setting a baseline requires",
     "A baseline requires settings of the stores that hold its logs (versioning, Object Lock, "
     "SSE-KMS) that a store does not have. Set them on the store.",
     "docs/baselines.md; the baseline file's sources (logkeep baselines NAME)"},
    {"LK508", "baseline-source-missing", LK_SEV_ERROR,
     "the policy has no source of a type a baseline requires",
     "A baseline requires logs of a kind the policy does not govern at all (for example CIS AWS "
     "Foundations 3.1: a CloudTrail trail; 3.7: VPC Flow Logs). Add a source of that type.",
     "docs/baselines.md; the baseline file's sources (logkeep baselines NAME)"},
    {"LK509", "invalid-baseline-file", LK_SEV_ERROR, "a baseline file is not valid",
     "An organisation's baseline file (a baselines: entry ending in .yaml) does not follow the "
     "baseline format: a missing or unknown key, a value of the wrong type, a requirement "
     "without id, text or any check. The message says which; docs/baselines.md describes the "
     "format.",
     "docs/baselines.md, \"File format\""},
    {"LK510", "rescinded-baseline", LK_SEV_WARNING, "the policy lists a rescinded baseline",
     "The baseline has been rescinded and replaced (OMB M-21-31 by M-26-14). It is still "
     "checked, since an organisation may remain bound to it by contract, but its successor is "
     "what new policies should list.",
     "docs/baselines.md"},
};

const struct lk_rule *lk_rule_find(const char *id)
{
    size_t lo = 0, hi = sizeof(s_rules) / sizeof(s_rules[0]);
    /* The table is in id order (a unit test checks it), so a binary search suffices. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, s_rules[mid].id);
        if (c == 0)
            return &s_rules[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool lk_rule_waivable(const struct lk_rule *rule)
{
    /* Judgement calls a team may decide differently, with a written reason. Structural errors,
     * AWS limits and orderings are facts and cannot be waived. */
    static const char *const waivable[] = {"LK102", "LK103", "LK203", "LK301", "LK302",
                                           "LK401", "LK402", "LK404", "LK405", "LK406"};
    for (size_t i = 0; i < sizeof(waivable) / sizeof(waivable[0]); i++)
        if (!strcmp(rule->id, waivable[i]))
            return true;
    return false;
}

const struct lk_rule *lk_rules_all(size_t *n)
{
    *n = sizeof(s_rules) / sizeof(s_rules[0]);
    return s_rules;
}
