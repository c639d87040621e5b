# Sources of src/aws (in the order a reader meets them).
list(APPEND S3US_SOURCES
)
