# End-to-end tests: fetch.
# The fetch side through the real binary against the loopback emulators: the AWS layer
# (issue 5), #s3-include expansion (issue 6) and `get` (issue 10). Shared plumbing and the
# secret scan of every output: e2e_util.py.
s3us_add_e2e(fetch_aws fetch_aws_test.py TIMEOUT 120)
s3us_add_e2e(fetch_expand fetch_expand_test.py TIMEOUT 120)
s3us_add_e2e(get get_test.py TIMEOUT 120)
s3us_add_e2e(credentials credentials_test.py TIMEOUT 300)
s3us_add_e2e(credentials_botocore credentials_botocore_test.py TIMEOUT 300)
