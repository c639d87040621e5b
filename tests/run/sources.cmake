# Tests of run.
list(APPEND S3US_TEST_SOURCES
  run/names_test.cc
  run/describe_test.cc
  run/process_test.cc
  run/script_env_test.cc
  run/run_state_test.cc
  run/dispatcher_test.cc
  run/dispatcher_state_test.cc
  run/report_test.cc
  run/plan_view_test.cc
)
