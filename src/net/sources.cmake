# Sources of src/net (in the order a reader meets them).
list(APPEND S3US_SOURCES
)
