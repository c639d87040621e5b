# trust: SSH signatures (SSHSIG) over boot material, allowed_signers.
s3us_layer(trust DIR src/trust
  SOURCES wire.cc ssh_key.cc sshsig.cc allowed_signers.cc verify.cc
  PUBLIC s3us_core
  PRIVATE OpenSSL::Crypto)
