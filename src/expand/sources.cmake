# expand: include expansion (in the order a reader meets them). The plan it produces is
# userdata; the fetcher it drives stays behind it.
s3us_layer(expand DIR src/expand
  SOURCES key_template.cc include_target.cc include_chain.cc include_once_cache.cc
          include_tree.cc body_sink.cc object_slot.cc job_pool.cc expansion.cc
          expander.cc
  PUBLIC s3us_core s3us_userdata
  PRIVATE s3us_fetch s3us_aws s3us_s3 s3us_trust)
