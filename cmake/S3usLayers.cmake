# One static library per layer, so that the build itself keeps the layer order.
#
# Every layer gets an include root of its own in the build tree that holds just one link,
# <layer> -> its source folder, so "#include "s3/client.h"" resolves only where the
# target links s3us_aws (directly, or through a PUBLIC link of a layer it links). A layer
# links the layers below it that it uses: PUBLIC those its headers hand on to every user,
# PRIVATE the rest, so a layer sees no more than it needs and an include from the wrong
# layer fails to compile.
#
# s3us_layer(NAME DIR dir SOURCES ... [PUBLIC ...] [PRIVATE ...])
set(S3US_LAYER_TARGETS "")
function(s3us_layer name)
  cmake_parse_arguments(L "" "DIR" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(root "${PROJECT_BINARY_DIR}/layers/${name}")
  file(MAKE_DIRECTORY "${root}")
  file(CREATE_LINK "${PROJECT_SOURCE_DIR}/${L_DIR}" "${root}/${name}" SYMBOLIC)
  list(TRANSFORM L_SOURCES PREPEND "${PROJECT_SOURCE_DIR}/${L_DIR}/")
  add_library(s3us_${name} STATIC ${L_SOURCES})
  target_include_directories(s3us_${name} PUBLIC "${root}")
  target_link_libraries(s3us_${name} PUBLIC ${L_PUBLIC} PRIVATE ${L_PRIVATE})
  set(S3US_LAYER_TARGETS ${S3US_LAYER_TARGETS} s3us_${name} PARENT_SCOPE)
endfunction()
