#!/usr/bin/python3
"""Tests of check-artifacts: it passes on untouched `logkeep compile` output and fails, with a
message that names the problem, on output corrupted in each of the ways it must catch.

    test_check_artifacts.py            (ok/FAIL line per test, then "N passed, M failed")
    python3 -m unittest test_check_artifacts

The good output is LK_BOTOCORE_GOOD_DIR when set (a directory written by `logkeep compile`);
otherwise examples/quickstart is compiled with $LOGKEEP (default $LK_BUILDDIR/logkeep) into a
temporary directory. Each test works on its own copy; nothing is written anywhere else.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, 'check-artifacts')
PYTHON = '/usr/bin/python3'

_GOOD = {}


def good_dir():
    """A directory with untouched logkeep output covering every artifact kind."""
    if 'dir' in _GOOD:
        return _GOOD['dir']
    given = os.environ.get('LK_BOTOCORE_GOOD_DIR')
    if given:
        _GOOD['dir'] = given
        return given
    srcdir = os.environ.get('LK_SRCDIR') or os.path.normpath(os.path.join(HERE, '..', '..'))
    logkeep = os.environ.get('LOGKEEP') or os.path.join(os.environ.get('LK_BUILDDIR', '.'),
                                                        'logkeep')
    if not os.access(logkeep, os.X_OK):
        raise RuntimeError('no logkeep binary at %s: set LOGKEEP or LK_BOTOCORE_GOOD_DIR'
                           % logkeep)
    tmp = tempfile.mkdtemp(prefix='lk-botocore-good.')
    _GOOD['tmp'] = tmp
    out = os.path.join(tmp, 'out')
    proc = subprocess.run([logkeep, 'compile', os.path.join(srcdir, 'examples', 'quickstart'),
                           '-o', out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError('logkeep compile failed:\n' + proc.stdout)
    _GOOD['dir'] = out
    return out


def org_good_dir():
    """Untouched `logkeep compile` output of examples/organization: a version 2 manifest."""
    if 'org' in _GOOD:
        return _GOOD['org']
    srcdir = os.environ.get('LK_SRCDIR') or os.path.normpath(os.path.join(HERE, '..', '..'))
    logkeep = os.environ.get('LOGKEEP') or os.path.join(os.environ.get('LK_BUILDDIR', '.'),
                                                        'logkeep')
    tmp = tempfile.mkdtemp(prefix='lk-botocore-org.')
    _GOOD['org_tmp'] = tmp
    out = os.path.join(tmp, 'out')
    proc = subprocess.run([logkeep, 'compile', os.path.join(srcdir, 'examples', 'organization'),
                           '-o', out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError('logkeep compile failed:\n' + proc.stdout)
    _GOOD['org'] = out
    return out


def tearDownModule():
    if 'tmp' in _GOOD:
        shutil.rmtree(_GOOD['tmp'], ignore_errors=True)
    if 'org_tmp' in _GOOD:
        shutil.rmtree(_GOOD['org_tmp'], ignore_errors=True)


class CheckArtifactsTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='lk-botocore-test.')
        self.out = os.path.join(self.tmp, 'out')
        shutil.copytree(good_dir(), self.out)
        with open(os.path.join(self.out, 'manifest.json'), encoding='utf-8') as handle:
            self.manifest = json.load(handle)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------------------------ helpers

    def path_of(self, operation):
        for art in self.manifest['artifacts']:
            if operation in art['operations']:
                return art['path']
        self.fail('the good output has no %s artifact' % operation)

    def read(self, path):
        with open(os.path.join(self.out, path), encoding='utf-8') as handle:
            return handle.read()

    def write(self, path, text, update_sha=True):
        with open(os.path.join(self.out, path), 'w', encoding='utf-8') as handle:
            handle.write(text)
        if update_sha:
            digest = hashlib.sha256(text.encode('utf-8')).hexdigest()
            for art in self.manifest['artifacts']:
                if art['path'] == path:
                    art['sha256'] = digest
            self.write_manifest()

    def write_manifest(self):
        with open(os.path.join(self.out, 'manifest.json'), 'w', encoding='utf-8') as handle:
            json.dump(self.manifest, handle, indent=2)

    def edit(self, path, old, new, count=1):
        text = self.read(path)
        self.assertIn(old, text, 'the good %s has no %r to corrupt' % (path, old))
        self.write(path, text.replace(old, new, count))

    def edit_json(self, path, change):
        doc = json.loads(self.read(path))
        change(doc)
        self.write(path, json.dumps(doc, indent=2) + '\n')

    def edit_xml_sub(self, path, pattern, replacement):
        text = self.read(path)
        new, n = re.subn(pattern, replacement, text, count=1, flags=re.S)
        self.assertEqual(n, 1, 'the good %s does not match %r' % (path, pattern))
        self.write(path, new)

    def check(self):
        proc = subprocess.run([PYTHON, CHECKER, self.out], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def assertPasses(self):
        code, out, err = self.check()
        self.assertEqual(code, 0, 'check-artifacts failed:\n' + out + err)
        self.assertNotIn('FAIL', out)
        self.assertRegex(out.splitlines()[-1], r'^[0-9]+ passed, 0 failed$')

    def assertFails(self, path, *needles):
        """check-artifacts exits 1 and its line for PATH is a FAIL naming every needle."""
        code, out, err = self.check()
        self.assertEqual(code, 1, 'check-artifacts did not fail (exit %d):\n%s%s'
                         % (code, out, err))
        self.assertRegex(out.splitlines()[-1], r'^[0-9]+ passed, [1-9][0-9]* failed$')
        lines = [line for line in out.splitlines() if line.startswith('FAIL - %s:' % path)]
        self.assertTrue(lines, 'no FAIL line for %s:\n%s' % (path, out))
        for needle in needles:
            self.assertIn(needle.lower(), lines[0].lower(),
                          'FAIL line for %s does not mention %r:\n%s' % (path, needle, lines[0]))
        return lines[0]

    # -------------------------------------------------------------------------- the baseline

    def test_untouched_output_passes(self):
        self.assertPasses()

    def test_manifest_rewritten_without_changes_passes(self):
        # The helpers themselves must not break anything: rewrite every file unchanged.
        for art in self.manifest['artifacts']:
            self.write(art['path'], self.read(art['path']))
        self.assertPasses()

    # ----------------------------------------------------------------------- manifest.json

    def test_sha256_mismatch(self):
        path = self.path_of('PutBucketVersioning')
        text = self.read(path).replace('Enabled', 'Suspended')
        self.write(path, text, update_sha=False)
        self.assertFails(path, 'sha256 mismatch')

    def test_extra_unlisted_file(self):
        bucket_dir = os.path.dirname(self.path_of('PutBucketVersioning'))
        extra = bucket_dir + '/website.xml'
        with open(os.path.join(self.out, extra), 'w', encoding='utf-8') as handle:
            handle.write('<WebsiteConfiguration/>\n')
        self.assertFails(extra, 'not listed in manifest.json')

    def test_listed_file_missing(self):
        path = self.path_of('PutPublicAccessBlock')
        os.unlink(os.path.join(self.out, path))
        self.assertFails(path, 'missing')

    def test_operation_not_in_model(self):
        path = self.path_of('PutBucketVersioning')
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                art['operations'] = ['PutBucketVersioningConfiguration']
        self.write_manifest()
        self.assertFails(path, 'PutBucketVersioningConfiguration',
                         'not an operation of the s3 service model')

    def test_operation_of_another_service(self):
        path = self.path_of('CreateTrail')
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                art['operations'] = ['CreateTrail', 'PutEventSelectors', 'PutRetentionPolicy']
        self.write_manifest()
        self.assertFails(path, "'PutRetentionPolicy' is not an operation of the cloudtrail")

    def test_unknown_header(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                art.setdefault('headers', {})['x-amz-lifecycle-mode'] = 'strict'
        self.write_manifest()
        self.assertFails(path, 'x-amz-lifecycle-mode', 'not an input header')

    def test_bad_transition_minimum_size_header(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                art.setdefault('headers', {})[
                    'x-amz-transition-default-minimum-object-size'] = '128K'
        self.write_manifest()
        self.assertFails(path, 'x-amz-transition-default-minimum-object-size', '128K')

    # ------------------------------------------------------------------------- S3 XML

    def test_unknown_xml_element(self):
        # A real S3 element, at a position where the model has no such member: botocore's
        # parser would drop it without a word.
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit(path, '<Status>Enabled</Status>',
                  '<Status>Enabled</Status>\n    <NoncurrentDays>30</NoncurrentDays>')
        self.assertFails(path, 'unknown element <NoncurrentDays>', 'LifecycleRule')

    def test_unknown_xml_element_misspelt(self):
        path = self.path_of('PutBucketEncryption')
        self.edit(path, '<BucketKeyEnabled>', '<BucketKeyEnable>')
        self.edit(path, '</BucketKeyEnabled>', '</BucketKeyEnable>')
        self.assertFails(path, 'unknown element <BucketKeyEnable>')

    def test_transition_bad_storage_class(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'(<Transition>\s*<Days>[0-9]+</Days>\s*<StorageClass>)[A-Z_]+',
                          r'\1GLACIER_FLEXIBLE_RETRIEVAL')
        self.assertFails(path, 'StorageClass', 'GLACIER_FLEXIBLE_RETRIEVAL',
                         'not one of the values')

    def test_transition_days_as_text(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'(<Transition>\s*<Days>)[0-9]+', r'\1ninety')
        self.assertFails(path, "'ninety' is not an integer")

    def test_boolean_not_true_or_false(self):
        # botocore reads anything but "true" as false; S3 rejects it.
        path = self.path_of('PutPublicAccessBlock')
        self.edit(path, '<BlockPublicPolicy>true', '<BlockPublicPolicy>yes')
        self.assertFails(path, "'yes' is not a boolean")

    def test_wrong_namespace(self):
        path = self.path_of('PutBucketVersioning')
        self.edit(path, 'http://s3.amazonaws.com/doc/2006-03-01/',
                  'http://s3.amazonaws.com/doc/2006-03-02/')
        self.assertFails(path, 'namespace')

    def test_no_namespace(self):
        path = self.path_of('PutBucketVersioning')
        self.edit(path, ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"', '')
        self.assertFails(path, 'namespace')

    def test_wrong_root_element(self):
        path = self.path_of('PutBucketVersioning')
        self.edit(path, 'VersioningConfiguration', 'BucketVersioningConfiguration', count=2)
        self.assertFails(path, 'root element', 'VersioningConfiguration')

    def test_repeated_single_element(self):
        path = self.path_of('PutBucketVersioning')
        self.edit(path, '<Status>Enabled</Status>',
                  '<Status>Enabled</Status>\n  <Status>Suspended</Status>')
        self.assertFails(path, 'repeated')

    def test_not_well_formed(self):
        path = self.path_of('PutObjectLockConfiguration')
        self.edit(path, '</ObjectLockConfiguration>', '</ObjectLockConfig>')
        self.assertFails(path, 'not well-formed')

    def test_object_lock_days_and_years(self):
        path = self.path_of('PutObjectLockConfiguration')
        self.edit_xml_sub(path, r'(<Days>[0-9]+</Days>)', r'\1<Years>1</Years>')
        self.assertFails(path, 'exactly one of Days and Years')

    def test_encryption_algorithm_not_in_model(self):
        path = self.path_of('PutBucketEncryption')
        self.edit_xml_sub(path, r'<SSEAlgorithm>[^<]*</SSEAlgorithm>',
                          '<SSEAlgorithm>aws:kms:fips</SSEAlgorithm>')
        self.assertFails(path, 'SSEAlgorithm', 'aws:kms:fips')

    # -------------------------------------------------------------------- lifecycle rules

    def test_top_level_prefix(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'<Filter>\s*<Prefix>([^<]*)</Prefix>\s*</Filter>',
                          r'<Prefix>\1</Prefix>')
        self.assertFails(path, 'deprecated top-level <Prefix>')

    def test_expiration_not_after_transition(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'(<Expiration>\s*<Days>)[0-9]+(</Days>\s*</Expiration>'
                          r'(?:(?!</Rule>).)*<Transition>)', r'\g<1>60\2')
        self.assertFails(path, 'Expiration Days 60 is not greater than')

    def test_expiration_days_zero(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'(<Expiration>\s*<Days>)[0-9]+', r'\g<1>0')
        self.assertFails(path, 'Expiration Days 0 is not a positive integer')

    def test_delete_marker_with_days(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit(path, '<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>',
                  '<Days>30</Days>\n      <ExpiredObjectDeleteMarker>true'
                  '</ExpiredObjectDeleteMarker>')
        self.assertFails(path, 'combines ExpiredObjectDeleteMarker with Days')

    def test_standard_ia_too_early(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'<Transition>\s*<Days>[0-9]+</Days>\s*'
                          r'<StorageClass>[A-Z_]+</StorageClass>',
                          '<Transition><Days>10</Days><StorageClass>STANDARD_IA</StorageClass>')
        self.assertFails(path, 'less than the 30 days', 'STANDARD_IA')

    def test_glacier_too_soon_after_ia(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(
            path,
            r'<Transition>\s*<Days>[0-9]+</Days>\s*<StorageClass>[A-Z_]+</StorageClass>\s*'
            r'</Transition>\s*<Transition>\s*<Days>[0-9]+</Days>\s*'
            r'<StorageClass>[A-Z_]+</StorageClass>',
            '<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>'
            '<Transition><Days>45</Days><StorageClass>GLACIER</StorageClass>')
        self.assertFails(path, 'GLACIER transition at 45 days is less than 30 days after the '
                               'STANDARD_IA transition at 30 days')

    def test_transitions_not_increasing(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(
            path,
            r'<Transition>\s*<Days>[0-9]+</Days>\s*(<StorageClass>[A-Z_]+</StorageClass>\s*'
            r'</Transition>\s*<Transition>\s*)<Days>[0-9]+</Days>',
            r'<Transition><Days>120</Days>\1<Days>120</Days>')
        self.assertFails(path, 'strictly increasing')

    def test_unsupported_transition(self):
        # S3 does not move objects from One Zone-IA to Glacier Instant Retrieval.
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(
            path,
            r'<Transition>\s*<Days>[0-9]+</Days>\s*<StorageClass>[A-Z_]+</StorageClass>\s*'
            r'</Transition>\s*<Transition>\s*<Days>[0-9]+</Days>\s*'
            r'<StorageClass>[A-Z_]+</StorageClass>',
            '<Transition><Days>30</Days><StorageClass>ONEZONE_IA</StorageClass></Transition>'
            '<Transition><Days>60</Days><StorageClass>GLACIER_IR</StorageClass>')
        self.assertFails(path, 'GLACIER_IR at 60 days after ONEZONE_IA at 30 days is not a '
                               'lifecycle transition S3 supports')

    def test_duplicate_rule_id(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        text = self.read(path)
        ids = re.findall(r'<ID>([^<]*)</ID>', text)
        self.assertGreaterEqual(len(ids), 2)
        self.write(path, text.replace('<ID>%s</ID>' % ids[1], '<ID>%s</ID>' % ids[0]))
        self.assertFails(path, 'already used')

    def test_rule_id_too_long(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'<ID>[^<]*</ID>', '<ID>%s</ID>' % ('r' * 256))
        self.assertFails(path, 'at most 255')

    def test_filter_with_two_predicates(self):
        path = self.path_of('PutBucketLifecycleConfiguration')
        self.edit_xml_sub(path, r'(<Filter>\s*<Prefix>[^<]*</Prefix>)',
                          r'\1<ObjectSizeGreaterThan>1024</ObjectSizeGreaterThan>')
        self.assertFails(path, 'exactly one of Prefix')

    # ------------------------------------------------------------------------ key policy

    def test_key_policy_foreign_sid(self):
        path = self.path_of('PutKeyPolicy')

        def rename(doc):
            doc['Statement'][0]['Sid'] = 'AllowCloudTrail'
        self.edit_json(path, rename)
        self.assertFails(path, 'starting with LogKeep')

    def test_key_policy_resource_not_the_key(self):
        path = self.path_of('PutKeyPolicy')

        def narrow(doc):
            doc['Statement'][0]['Resource'] = 'arn:aws:kms:us-east-1:111122223333:key/other'
        self.edit_json(path, narrow)
        self.assertFails(path, 'is not "*"')

    def test_key_policy_allow_to_everyone(self):
        path = self.path_of('PutKeyPolicy')

        def open_up(doc):
            doc['Statement'][0]['Principal'] = {'AWS': '*'}
        self.edit_json(path, open_up)
        self.assertFails(path, 'Allow to everyone')

    def test_key_policy_other_key(self):
        path = self.path_of('PutKeyPolicy')
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                art['resource'] = art['resource'].rsplit('/', 1)[0] + '/another-key'
        self.write_manifest()
        self.assertFails(path, 'not the key')

    # ---------------------------------------------------------------------- bucket policy

    def _policy_path(self):
        return self.path_of('PutBucketPolicy')

    def _bucket_arn(self, path):
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                return art['resource']
        raise AssertionError(path)

    def test_policy_allow_to_everyone(self):
        path = self._policy_path()
        arn = self._bucket_arn(path)
        self.edit_json(path, lambda doc: doc['Statement'].append(
            {'Sid': 'PublicRead', 'Effect': 'Allow', 'Principal': '*',
             'Action': 's3:GetObject', 'Resource': arn + '/*'}))
        self.assertFails(path, 'PublicRead', 'Allow to everyone')

    def test_policy_allow_to_any_aws_principal(self):
        path = self._policy_path()
        arn = self._bucket_arn(path)
        self.edit_json(path, lambda doc: doc['Statement'].append(
            {'Sid': 'AnyAccount', 'Effect': 'Allow', 'Principal': {'AWS': '*'},
             'Action': 's3:ListBucket', 'Resource': arn}))
        self.assertFails(path, 'AnyAccount', 'Allow to everyone')

    def test_policy_missing_deny_insecure_transport(self):
        path = self._policy_path()

        def drop(doc):
            before = len(doc['Statement'])
            doc['Statement'] = [s for s in doc['Statement']
                                if s.get('Sid') != 'LogKeepDenyInsecureTransport']
            self.assertEqual(len(doc['Statement']), before - 1)
        self.edit_json(path, drop)
        self.assertFails(path, 'aws:SecureTransport is false')

    def test_policy_deny_insecure_transport_narrowed(self):
        path = self._policy_path()
        arn = self._bucket_arn(path)

        def narrow(doc):
            for st in doc['Statement']:
                if st.get('Sid') == 'LogKeepDenyInsecureTransport':
                    st['Resource'] = arn + '/*'
        self.edit_json(path, narrow)
        self.assertFails(path, 'aws:SecureTransport is false')

    def test_policy_missing_cloudtrail_put_object(self):
        path = self._policy_path()

        def drop(doc):
            doc['Statement'] = [s for s in doc['Statement']
                                if not (s.get('Principal') == {
                                    'Service': 'cloudtrail.amazonaws.com'}
                                    and s.get('Action') == 's3:PutObject')]
        self.edit_json(path, drop)
        self.assertFails(path, 'cloudtrail.amazonaws.com s3:PutObject')

    def test_policy_cloudtrail_without_source_arn(self):
        path = self._policy_path()

        def loosen(doc):
            for st in doc['Statement']:
                if st.get('Principal') == {'Service': 'cloudtrail.amazonaws.com'}:
                    for block in st.get('Condition', {}).values():
                        block.pop('aws:SourceArn', None)
                    st['Condition'] = {k: v for k, v in st.get('Condition', {}).items() if v}
                    if not st['Condition']:
                        del st['Condition']
        self.edit_json(path, loosen)
        self.assertFails(path, 's3:GetBucketAcl', 'aws:SourceArn')

    def test_policy_resource_of_other_bucket(self):
        path = self._policy_path()

        def other(doc):
            doc['Statement'][-1]['Resource'] = 'arn:aws:s3:::some-other-bucket/*'
        self.edit_json(path, other)
        self.assertFails(path, 'arn:aws:s3:::some-other-bucket/*')

    def test_policy_sid_not_alphanumeric(self):
        path = self._policy_path()

        def rename(doc):
            doc['Statement'][0]['Sid'] = 'cloud-trail-acl'
        self.edit_json(path, rename)
        self.assertFails(path, "'cloud-trail-acl' is not alphanumeric")

    def test_policy_statement_without_resource(self):
        path = self._policy_path()

        def strip(doc):
            del doc['Statement'][-1]['Resource']
        self.edit_json(path, strip)
        self.assertFails(path, 'has no Resource')

    def test_policy_old_version(self):
        path = self._policy_path()

        def old(doc):
            doc['Version'] = '2008-10-17'
        self.edit_json(path, old)
        self.assertFails(path, '2008-10-17')

    def test_policy_too_large(self):
        path = self._policy_path()
        text = self.read(path)
        self.write(path, text.rstrip('\n') + ' ' * 21000 + '\n')
        self.assertFails(path, 'at most 20480')

    def test_policy_duplicate_key(self):
        path = self._policy_path()
        self.edit(path, '"Version": "2012-10-17",',
                  '"Version": "2012-10-17",\n  "Version": "2012-10-17",')
        self.assertFails(path, 'duplicate key')

    # ------------------------------------------------------------------------- CloudTrail

    def test_create_trail_missing_bucket(self):
        path = self.path_of('CreateTrail')
        self.edit_json(path, lambda doc: doc['CreateTrail'].pop('S3BucketName'))
        self.assertFails(path, 'CreateTrail', 'missing required', 'S3BucketName')

    def test_create_trail_unknown_member(self):
        path = self.path_of('CreateTrail')
        self.edit_json(path, lambda doc: doc['CreateTrail'].update({'LogRetentionDays': 90}))
        self.assertFails(path, 'Unknown parameter', 'LogRetentionDays')

    def test_create_trail_wrong_type(self):
        path = self.path_of('CreateTrail')
        self.edit_json(path, lambda doc: doc['CreateTrail'].update({'IsMultiRegionTrail': 'yes'}))
        self.assertFails(path, 'IsMultiRegionTrail', 'Invalid type')

    def test_event_selector_bad_read_write_type(self):
        path = self.path_of('PutEventSelectors')
        self.edit_json(path, lambda doc: doc['PutEventSelectors']['EventSelectors'][0].update(
            {'ReadWriteType': 'Everything'}))
        self.assertFails(path, 'ReadWriteType', 'Everything')

    def test_trail_operations_differ_from_manifest(self):
        path = self.path_of('CreateTrail')

        def stop(doc):
            doc['StopLogging'] = doc.pop('StartLogging')
        self.edit_json(path, stop)
        self.assertFails(path, 'differ from the manifest')

    def test_update_trail_derived_input_checked(self):
        # TagsList is dropped when UpdateTrail is derived; a CreateTrail member of the wrong
        # type must still fail UpdateTrail's validation too.
        path = self.path_of('CreateTrail')
        self.edit_json(path, lambda doc: doc['CreateTrail'].update({'KmsKeyId': 42}))
        self.assertFails(path, 'UpdateTrail (from CreateTrail)', 'KmsKeyId')

    # -------------------------------------------------------------------- CloudWatch Logs

    def test_retention_366_in_input(self):
        path = self.path_of('PutRetentionPolicy')
        self.edit_json(path, lambda doc: doc['log_groups'][0]['input'].update(
            {'retentionInDays': 366}))
        self.assertFails(path, 'retentionInDays', '366 is not a retention CloudWatch Logs allows')

    def test_retention_366_in_pattern(self):
        path = self.path_of('PutRetentionPolicy')

        def change(doc):
            self.assertTrue(doc['patterns'])
            doc['patterns'][0]['retentionInDays'] = 366
        self.edit_json(path, change)
        self.assertFails(path, 'patterns[0]', '366')

    def test_retention_366_unmanaged(self):
        path = self.path_of('PutRetentionPolicy')
        self.edit_json(path, lambda doc: doc.update({'unmanaged': {'retentionInDays': 366}}))
        self.assertFails(path, 'unmanaged retentionInDays', '366')

    def test_retention_zero_in_input(self):
        path = self.path_of('PutRetentionPolicy')
        self.edit_json(path, lambda doc: doc['log_groups'][0]['input'].update(
            {'retentionInDays': 0}))
        self.assertFails(path, '0 is not a retention')

    def test_retention_zero_in_pattern_and_unmanaged_is_never_expire(self):
        path = self.path_of('PutRetentionPolicy')

        def change(doc):
            doc['patterns'][0]['retentionInDays'] = 0
            doc['unmanaged'] = {'retentionInDays': 0}
        self.edit_json(path, change)
        self.assertPasses()

    def test_retention_1096_allowed(self):
        # In the CloudWatch Logs API reference although botocore 1.29.27's documentation
        # string lacks it.
        path = self.path_of('PutRetentionPolicy')
        self.edit_json(path, lambda doc: doc['log_groups'][0]['input'].update(
            {'retentionInDays': 1096}))
        self.assertPasses()

    def test_retention_boolean(self):
        path = self.path_of('PutRetentionPolicy')
        self.edit_json(path, lambda doc: doc['log_groups'][0]['input'].update(
            {'retentionInDays': True}))
        self.assertFails(path, 'boolean true')

    def test_retention_bad_log_group_name(self):
        path = self.path_of('PutRetentionPolicy')
        self.edit_json(path, lambda doc: doc['log_groups'][0]['input'].update(
            {'logGroupName': '/aws/cloud trail'}))
        self.assertFails(path, 'logGroupName', 'model pattern')

    def test_delete_retention_not_listed_in_manifest(self):
        path = self.path_of('PutRetentionPolicy')

        def forever(doc):
            entry = doc['log_groups'][0]
            entry['operation'] = 'DeleteRetentionPolicy'
            entry['input'].pop('retentionInDays')
        self.edit_json(path, forever)
        self.assertFails(path, 'DeleteRetentionPolicy', 'manifest does not list')

    def test_delete_retention_with_days(self):
        path = self.path_of('PutRetentionPolicy')

        def forever(doc):
            doc['log_groups'][0]['operation'] = 'DeleteRetentionPolicy'
        self.edit_json(path, forever)
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                art['operations'] = ['PutRetentionPolicy', 'DeleteRetentionPolicy']
        self.write_manifest()
        self.assertFails(path, 'Unknown parameter', 'retentionInDays')


# ----------------------------------------------------------------------------------- runner

class _LineResult(unittest.TestResult):
    """Prints "ok - NAME" or "FAIL - NAME: reason" as each test ends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = 0

    @staticmethod
    def _name(test):
        return test.id().split('.')[-1]

    @staticmethod
    def _reason(err):
        exc = err[1]
        text = str(exc).strip().splitlines()
        return text[0] if text else type(exc).__name__

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1
        print('ok - %s' % self._name(test), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print('FAIL - %s: %s' % (self._name(test), self._reason(err)), flush=True)
        sys.stderr.write(self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        print('FAIL - %s: error: %s: %s' % (self._name(test), err[0].__name__,
                                             self._reason(err)), flush=True)
        sys.stderr.write(self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print('ok - %s # skip %s' % (self._name(test), reason), flush=True)


class OrgManifestTest(unittest.TestCase):
    """A version 2 manifest (examples/organization): artifacts under <account-name>/<region>/,
    each naming its account and Region; a trail of one account writing into another account's
    bucket."""

    ARCHIVE_POLICY = 'log-archive/us-east-1/s3/acme-org-logs-222233334444/policy.json'
    TRAIL = 'management/us-east-1/cloudtrail/acme-org-trail.json'

    read = CheckArtifactsTest.read
    write = CheckArtifactsTest.write
    write_manifest = CheckArtifactsTest.write_manifest
    edit_json = CheckArtifactsTest.edit_json
    check = CheckArtifactsTest.check
    assertPasses = CheckArtifactsTest.assertPasses
    assertFails = CheckArtifactsTest.assertFails

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='lk-botocore-org-test.')
        self.out = os.path.join(self.tmp, 'out')
        shutil.copytree(org_good_dir(), self.out)
        with open(os.path.join(self.out, 'manifest.json'), encoding='utf-8') as handle:
            self.manifest = json.load(handle)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def entry(self, path):
        for art in self.manifest['artifacts']:
            if art['path'] == path:
                return art
        self.fail('the organisation output has no %s' % path)

    def test_org_untouched_output_passes(self):
        self.assertEqual(self.manifest['version'], 2)
        self.assertPasses()

    def test_org_artifact_names_another_account(self):
        self.entry(self.TRAIL)['account'] = '222233334444'
        self.write_manifest()
        self.assertFails(self.TRAIL, "account '222233334444' is not the id 123456789012")

    def test_org_artifact_outside_its_folder(self):
        self.entry(self.TRAIL)['region'] = 'eu-west-1'
        self.write_manifest()
        self.assertFails(self.TRAIL, "region 'eu-west-1' is not the folder us-east-1")

    def test_org_folder_not_an_account(self):
        art = self.entry(self.TRAIL)
        os.rename(os.path.join(self.out, 'management'), os.path.join(self.out, 'mgmt'))
        art['path'] = 'mgmt/' + art['path'].split('/', 1)[1]
        self.write_manifest()
        self.assertFails(art['path'], "folder 'mgmt' is not an account")

    def test_org_unknown_top_level_key(self):
        self.manifest['account'] = '123456789012'
        self.write_manifest()
        self.assertFails('manifest.json', "unknown key 'account'")

    def test_org_trail_of_another_account_needs_its_prefix(self):
        # The organisation trail (management account) writes into the archive account's bucket
        # under AWSLogs/<its own account>/: the bucket policy must allow that prefix.
        def drop(doc):
            for st in doc['Statement']:
                if st.get('Principal') == {'Service': 'cloudtrail.amazonaws.com'} and \
                        st.get('Action') == 's3:PutObject':
                    st['Resource'] = [r for r in st['Resource']
                                      if '/AWSLogs/123456789012/' not in r]
        self.edit_json(self.ARCHIVE_POLICY, drop)
        self.assertFails(self.ARCHIVE_POLICY, 'cloudtrail.amazonaws.com s3:PutObject',
                         'AWSLogs/123456789012/')


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = _LineResult()
    suite.run(result)
    failed = len(result.failures) + len(result.errors)
    print('%d passed, %d failed' % (result.passed, failed))
    return 1 if failed or not result.testsRun else 0


if __name__ == '__main__':
    sys.exit(main())
