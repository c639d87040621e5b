# userdata: the user-data formats (in the order a reader meets them).
s3us_layer(userdata DIR src/userdata
  SOURCES parse.cc include_list.cc mime.cc mime_params.cc mime_crosscheck.cc mimetic_body.cc codecs.cc gzip.cc
          part_bytes.cc launch_index.cc content_type.cc archive.cc
          cloud_config_yaml.cc pyyaml_resolve.cc key_spelling.cc yaml_blanks.cc py_text.cc serialize.cc
          payload.cc
  PUBLIC s3us_core
  PRIVATE PkgConfig::MAGIC PkgConfig::LIBYAML Mimetic::Mimetic yaml-cpp ZLIB::ZLIB)
