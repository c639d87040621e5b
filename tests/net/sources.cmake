# Tests of net: error mapping, sinks and their hashing pipeline, the retry policy (fakes, no
# sleeping) and the libcurl transport against a scripted loopback server.
s3us_layer_tests(net
  SOURCES net/loopback_server.cc net/curl_errors_test.cc net/sinks_test.cc net/verifying_sink_test.cc
         net/chunk_pipeline_test.cc
         net/retry_test.cc net/retry_backoff_test.cc
         net/curl_transport_test.cc net/curl_transport_shared_test.cc net/curl_framing_test.cc
  LINK s3us_net)
