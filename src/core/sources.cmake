# Sources of src/core: errors, secrets and logging, crypto, clock, strings, safe files.
list(APPEND S3US_SOURCES
  src/core/error.cc
  src/core/secret.cc
  src/core/log.cc
  src/core/crypto.cc
  src/core/clock.cc
  src/core/strings.cc
  src/core/files.cc
)
