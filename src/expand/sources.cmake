# Sources of src/expand (in the order a reader meets them).
list(APPEND S3US_SOURCES
  src/expand/key_template.cc
  src/expand/include_target.cc
  src/expand/include_chain.cc
  src/expand/include_once_cache.cc
  src/expand/parallel.cc
  src/expand/expander.cc
)
