# End-to-end tests: signed boot material (issue 21), with Debian's real ssh-keygen.
s3us_add_e2e(signing_cli signing_cli_test.py TIMEOUT 120)
s3us_add_e2e(signing_boot signing_boot_test.py TIMEOUT 180)
