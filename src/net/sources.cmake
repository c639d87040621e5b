# net: libcurl handles and error mapping, one transfer, the multi-handle transport, body
# sinks, the retry policy.
s3us_layer(net DIR src/net
  SOURCES curl_errors.cc curl_transfer.cc curl_transport.cc sinks.cc verifying_sink.cc
          retry.cc
  PUBLIC s3us_core CURL::libcurl)
