# Sources of src/trust: SSH signatures (SSHSIG) over boot material, allowed_signers.
list(APPEND S3US_SOURCES
  src/trust/wire.cc
  src/trust/ssh_key.cc
  src/trust/sshsig.cc
  src/trust/allowed_signers.cc
  src/trust/verify.cc
)
