# cli: the command line over every layer (main.cc is the executable's own file).
s3us_layer(cli DIR src/cli
  SOURCES exit_codes.cc json_output.cc usage_errors.cc command_flags.cc options.cc services.cc progress.cc get_command.cc
          signing_command.cc trust_config.cc run_lock.cc status_command.cc validate_command.cc
          cloud_config_check.cc plan_builder.cc plan_commands.cc legacy.cc app.cc
          result_output.cc
  PUBLIC s3us_core s3us_userdata s3us_trust s3us_net s3us_aws s3us_s3 s3us_fetch s3us_expand
         s3us_run s3us_handlers CLI11::CLI11)
