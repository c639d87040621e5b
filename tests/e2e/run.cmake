# End-to-end tests: run.
s3us_add_e2e(examples examples_test.py TIMEOUT 120)
s3us_add_e2e(run_mixed run_mixed_test.py TIMEOUT 120)
s3us_add_e2e(cli cli_test.py TIMEOUT 120)
s3us_add_e2e(parity parity_test.py TIMEOUT 120)
s3us_add_e2e(cli_operator cli_operator_test.py TIMEOUT 180)
s3us_add_e2e(json_schema json_schema_test.py TIMEOUT 120)
s3us_add_e2e(proxy proxy_test.py TIMEOUT 120)
