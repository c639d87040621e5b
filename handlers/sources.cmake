# Built-in handlers, one file pair per content type (see handlers/builtin.h).
list(APPEND S3US_SOURCES
  handlers/script_text.cc
  handlers/shell_script.cc
  handlers/boothook.cc
  handlers/cloud_config.cc
  handlers/jinja.cc
  handlers/unhandled.cc
  handlers/builtin.cc
)
