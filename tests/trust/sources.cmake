# Tests of src/trust.
list(APPEND S3US_TEST_SOURCES
  trust/wire_test.cc
  trust/sshsig_test.cc
  trust/allowed_signers_test.cc
  trust/verify_test.cc
  trust/differential_test.cc
)
