# net: libcurl handles and error mapping, one transfer, the multi-handle transport, body
# sinks (hashing off the transfer's thread), the retry policy.
s3us_layer(net DIR src/net
  SOURCES curl_errors.cc curl_transfer.cc curl_transport.cc sinks.cc verifying_sink.cc
          chunk_pipeline.cc retry.cc
  PUBLIC s3us_core CURL::libcurl)
