# Tests of run.
s3us_layer_tests(run
  SOURCES run/names_test.cc run/describe_test.cc run/drainer_test.cc run/process_test.cc
         run/script_env_test.cc run/run_state_test.cc run/dispatcher_test.cc
         run/dispatcher_state_test.cc run/report_test.cc run/plan_view_test.cc run/outcome_test.cc
  LINK s3us_run s3us_handlers)
