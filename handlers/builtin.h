// The one explicit list of built-in handlers: which handler takes which content type.
// Adding a handler means adding it here (and its file pair in handlers/).
#ifndef S3US_HANDLERS_BUILTIN_H_
#define S3US_HANDLERS_BUILTIN_H_

#include "run/handler.h"

namespace s3us::handlers {

// Registers, in this order: shell-script (text/x-shellscript, application/x-executable,
// text/x-shellscript-per-{boot,instance,once}), boothook (text/cloud-boothook),
// cloud-config (text/cloud-config, text/cloud-config-jsonp), jinja (text/jinja2), unhandled
// (text/part-handler, text/upstart-job, include/archive types, text/plain,
// text/x-not-multipart) and the unhandled fallback for every other type.
// Errors: kInternal if the registry already holds one of these types.
Status RegisterBuiltinHandlers(run::Registry& registry);

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_BUILTIN_H_
