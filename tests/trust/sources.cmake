# Tests of src/trust.
s3us_layer_tests(trust
  SOURCES trust/wire_test.cc trust/sshsig_test.cc trust/allowed_signers_test.cc
         trust/verify_test.cc trust/differential_test.cc
  LINK s3us_trust)
