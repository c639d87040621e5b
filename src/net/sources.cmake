# Sources of src/net: libcurl handles and error mapping, one transfer, the multi-handle
# transport, body sinks, the retry policy.
list(APPEND S3US_SOURCES
  src/net/curl_errors.cc
  src/net/curl_transfer.cc
  src/net/curl_transport.cc
  src/net/sinks.cc
  src/net/retry.cc
)
