# core: errors, secrets and logging, crypto, clock, strings, safe files, ParallelFor.
s3us_layer(core DIR src/core
  SOURCES error.cc secret.cc log.cc crypto.cc crc.cc crc_x86.cc clock.cc strings.cc files.cc private_paths.cc child.cc interrupt.cc parallel.cc
  PUBLIC Threads::Threads
  PRIVATE OpenSSL::Crypto ZLIB::ZLIB)
target_compile_definitions(s3us_core PUBLIC S3US_VERSION="${PROJECT_VERSION}")
