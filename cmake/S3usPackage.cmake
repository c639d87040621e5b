# The Debian package, by CPack's DEB generator: `cpack -G DEB` in a build configured with
# CMAKE_INSTALL_PREFIX=/usr (docs/packaging.md). Dependencies come from dpkg-shlibdeps.
# The distributed binary is built as Debian builds its packages (dpkg-buildflags on bookworm:
# fortify, stack protector, relro/bindnow), with unused sections dropped (-Qn: no compiler
# ident section). It is optimised for size (-Os halves it: 2.3 MB at -O2), except the user-data
# parsers, which read every byte of user data and are 1.6x slower at -Os.
option(S3US_DEBIAN_FLAGS "Build with Debian's package flags and unused-section removal" OFF)
if(S3US_DEBIAN_FLAGS)
  foreach(target IN LISTS S3US_LAYER_TARGETS ITEMS s3-user-script)
    set(opt -Os)
    if(target STREQUAL "s3us_userdata")
      set(opt -O2)
    endif()
    target_compile_options(${target} PRIVATE ${opt} -fstack-protector-strong
                           -fstack-clash-protection -Wformat -Werror=format-security
                           -ffunction-sections -fdata-sections -Qn)
    target_compile_definitions(${target} PRIVATE _FORTIFY_SOURCE=2)
  endforeach()
  target_link_options(s3-user-script PRIVATE -Wl,-z,relro -Wl,-z,now -Wl,--gc-sections
                      -Wl,--as-needed)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_PACKAGE_NAME s3-user-script)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT
    "s3-user-script maintainers <maintainers@users.noreply.h-seed-6e08ebc0.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "run EC2 user data with #s3-include from private S3")
# Absolute destinations (/var/lib/cloud/handlers) go below the staging root, not into /.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS cloud-init)
set(CPACK_PACKAGE_DESCRIPTION [=[User data written as "#s3-include" names objects in private S3
buckets instead of carrying the boot material itself. s3-user-script
fetches them with the instance role's credentials (IMDSv2, SigV4),
verifies every object, and runs the parts in document order as
cloud-init would: scripts, cloud-config, boothooks, MIME multipart,
gzip and nested includes.

The package installs a cloud-init part handler, so instances whose AMI
has the package handle "#s3-include" parts with no change to user
data, and a disabled systemd unit for instances without cloud-init.]=])
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/postinst" "${PROJECT_SOURCE_DIR}/packaging/prerm"
    "${PROJECT_SOURCE_DIR}/packaging/postrm" "${S3US_PACKAGING_OUT}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
