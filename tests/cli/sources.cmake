# Tests of src/cli.
s3us_layer_tests(cli
  SOURCES cli/exit_codes_test.cc cli/options_test.cc cli/usage_errors_test.cc
          cli/validate_command_test.cc cli/get_command_test.cc cli/progress_test.cc
          cli/plan_builder_test.cc cli/signing_command_test.cc cli/json_output_test.cc
          cli/status_command_test.cc cli/result_output_test.cc cli/legacy_test.cc
  LINK s3us_cli)

s3us_add_e2e(progress progress_test.py)
s3us_add_e2e(include_once include_once_test.py)
