# Sources of src/run (in the order a reader meets them).
list(APPEND S3US_SOURCES
  src/run/handler.cc
  src/run/names.cc
  src/run/describe.cc
  src/run/process.cc
  src/run/script_env.cc
  src/run/executor.cc
  src/run/run_state.cc
  src/run/report.cc
  src/run/dispatcher.cc
  src/run/plan_view.cc
)
