# run: handlers, processes, run state and the report (in the order a reader meets them).
s3us_layer(run DIR src/run
  SOURCES handler.cc names.cc describe.cc drainer.cc process.cc script_env.cc executor.cc
          run_state.cc report.cc dispatcher.cc plan_view.cc
  PUBLIC s3us_core s3us_userdata s3us_expand nlohmann_json::nlohmann_json)
