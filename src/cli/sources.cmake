# Sources of src/cli (main.cc is the executable's own file and not listed here).
list(APPEND S3US_SOURCES
  src/cli/exit_codes.cc
  src/cli/usage_errors.cc
  src/cli/options.cc
  src/cli/services.cc
  src/cli/progress.cc
  src/cli/get_command.cc
  src/cli/signing_command.cc
  src/cli/trust_config.cc
  src/cli/run_lock.cc
  src/cli/status_command.cc
  src/cli/validate_command.cc
  src/cli/app.cc
)
