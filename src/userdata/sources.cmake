# Sources of src/userdata (in the order a reader meets them).
list(APPEND S3US_SOURCES
  src/userdata/parse.cc
  src/userdata/include_list.cc
  src/userdata/mime.cc
  src/userdata/mime_params.cc
  src/userdata/mime_crosscheck.cc
  src/userdata/codecs.cc
  src/userdata/content_type.cc
  src/userdata/archive.cc
  src/userdata/py_text.cc
  src/userdata/serialize.cc
)
