// The Plan as people and programs see it before anything runs (`plan`, `--dry-run`): each
// part's index, run order, type, filename, size, short SHA-256, handler and source, with
// include chains drawn as an indented tree; and the same as JSON. Pure: no I/O.
//
// JSON (field names stable):
//   {parts: [{index, run_order, content_type, filename, handler, size, sha256 (64 hex),
//             source: {url, bucket, key, version_id, etag, region, verified_by} | null,
//             origin: [{part, line, url}]}],        (Plan order; origin outermost first)
//    run_order: [index...], objects_fetched, bytes_fetched}
// handler is "" when no handler (not even a fallback) takes the type. Serialise with
// DumpJson (run/report.h): filenames need not be UTF-8.
#ifndef S3US_RUN_PLAN_VIEW_H_
#define S3US_RUN_PLAN_VIEW_H_

#include <nlohmann/json.hpp>
#include <string>

#include "expand/plan.h"
#include "run/handler.h"

namespace s3us::run {

std::string RenderPlanText(const expand::Plan& plan, const Registry& registry);
nlohmann::json PlanToJson(const expand::Plan& plan, const Registry& registry);

}  // namespace s3us::run

#endif  // S3US_RUN_PLAN_VIEW_H_
