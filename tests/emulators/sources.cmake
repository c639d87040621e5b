# Tests of emulators: self-tests of the loopback IMDS and S3 emulators and their harness.
s3us_add_e2e(emulators emulators_test.py TIMEOUT 120)
s3us_add_e2e(emulators_s3 emulators_s3_test.py TIMEOUT 120)
s3us_add_e2e(emulators_wire emulators_wire_test.py TIMEOUT 60)
