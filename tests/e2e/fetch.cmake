# End-to-end tests: fetch.
# The fetch side through the real binary against the loopback emulators: the AWS layer
# (issue 5), #s3-include expansion (issue 6) and `get` (issue 10). Shared plumbing and the
# secret scan of every output: e2e_util.py.
s3us_add_e2e(fetch_aws fetch_aws_test.py TIMEOUT 300)
s3us_add_e2e(fetch_expand fetch_expand_test.py TIMEOUT 300)
s3us_add_e2e(get get_test.py TIMEOUT 300 COST 40)
s3us_add_e2e(get_dest get_dest_test.py TIMEOUT 120)
s3us_add_e2e(tls tls_test.py TIMEOUT 120)
s3us_add_e2e(include_keys include_keys_test.py TIMEOUT 120)
s3us_add_e2e(credentials credentials_test.py TIMEOUT 300)
# Issue 14: the fault matrix (IMDS, S3 and a fault proxy in front of either).
s3us_add_e2e(fault_matrix fault_matrix_test.py TIMEOUT 300 COST 80)
# Issue 14: the bad-input corpus of tests/data/bad/ through `plan`, time- and memory-bounded.
s3us_add_e2e(bad_input bad_input_test.py TIMEOUT 400)
s3us_add_e2e(failclosed failclosed_test.py TIMEOUT 120)
# Every path a user or the environment names, as a FIFO, a pipe, a symlink or a directory.
s3us_add_e2e(fifo_inputs fifo_inputs_test.py TIMEOUT 180)
# Hostile or unusual S3 and IMDS servers (scripts/emulators/hostile.py): framing, 1xx,
# endless answers, redirects, bad tokens and credentials.
s3us_add_e2e(hostile_server hostile_server_test.py TIMEOUT 180)
# An IMDS and S3 written from the protocols, not from our emulators (wire_probe.py): pooled
# connections the server closed, folded headers, HTTP/1.0, a 307, other credential shapes.
s3us_add_e2e(wire_probe wire_probe_test.py TIMEOUT 120)
# Issue 16: memory flat in object size (plan, resolve and a run of 4 x 60 MiB; plan of 16 x 15 MiB).
s3us_add_e2e(memory memory_test.py TIMEOUT 600 COST 100)
# Issue 14: 300 `plan` processes at once against a throttling S3 and IMDS. Alone: it holds
# every core for a minute, and a test beside it whose binary probes IMDS as a workstation
# does (1 s a request, 1.5 s in all) can find its emulator too slow to answer and exit 3
# (e2e.signing_boot did, with a sanitized fleet running beside it).
s3us_add_e2e(fleet fleet_test.py TIMEOUT 300)
set_tests_properties(e2e.fleet PROPERTIES RUN_SERIAL TRUE)
s3us_add_e2e(credentials_botocore credentials_botocore_test.py TIMEOUT 300)
