# Built-in handlers, one file pair per content type (see handlers/builtin.h).
list(APPEND S3US_SOURCES
)
