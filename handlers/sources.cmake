# Built-in handlers, one file pair per content type (see handlers/builtin.h).
s3us_layer(handlers DIR handlers
  SOURCES script_text.cc shell_script.cc boothook.cc cloud_config.cc jinja.cc unhandled.cc
          builtin.cc
  PUBLIC s3us_run
  PRIVATE s3us_core s3us_userdata yaml-cpp)
