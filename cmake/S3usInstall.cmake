# What `cmake --install` (and so the .deb) puts where, by GNUInstallDirs. With
# CMAKE_INSTALL_PREFIX=/usr (the package) the cloud-init handler link lands in
# /var/lib/cloud/handlers, where Debian's cloud-init loads part handlers system-wide, and the
# hook that recreates it after `cloud-init clean` in /etc/cloud/clean.d; with another prefix
# both land below that prefix unless S3US_CLOUDINIT_HANDLER_DIR / _CLEAN_DIR say otherwise.
include(GNUInstallDirs)

# Empty in the cache means "follow the prefix": a default written into the cache would keep
# the first configure's prefix when a build is reconfigured for /usr.
set(S3US_CLOUDINIT_HANDLER_DIR ""
    CACHE PATH "cloud-init's <cloud_dir>/handlers, where the part handler link goes")
set(S3US_HANDLER_LINK_DIR "${S3US_CLOUDINIT_HANDLER_DIR}")
if(NOT S3US_HANDLER_LINK_DIR)
  set(S3US_HANDLER_LINK_DIR "${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/cloud/handlers")
endif()
set(S3US_CLOUDINIT_CLEAN_DIR ""
    CACHE PATH "cloud-init's clean.d, run by `cloud-init clean` after it empties cloud_dir")
set(S3US_CLEAN_HOOK_DIR "${S3US_CLOUDINIT_CLEAN_DIR}")
if(NOT S3US_CLEAN_HOOK_DIR)
  set(S3US_CLEAN_HOOK_DIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}/cloud/clean.d")
endif()
# A file in /etc is a conffile: dpkg keeps an admin's change and removes it on purge only.
set(S3US_CLOUDINIT_CLEAN_HOOK "${S3US_CLEAN_HOOK_DIR}/50-s3-user-script")
set(S3US_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "Where s3-user-script.service goes")
set(S3US_TMPFILES_DIR "lib/tmpfiles.d"
    CACHE STRING "Where the tmpfiles.d entry that recreates the handler link goes")
set(S3US_BASH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
    CACHE STRING "Where the bash completion goes")
set(S3US_HANDLER_SHARE_DIR "${CMAKE_INSTALL_DATADIR}/s3-user-script/cloudinit")

set(S3US_PACKAGING_SRC "${PROJECT_SOURCE_DIR}/packaging")
set(S3US_PACKAGING_OUT "${PROJECT_BINARY_DIR}/packaging")
file(MAKE_DIRECTORY "${S3US_PACKAGING_OUT}")

# Files that name installed paths are configured for the prefix.
set(S3US_INSTALLED_BINARY "${CMAKE_INSTALL_FULL_BINDIR}/s3-user-script")
set(S3US_INSTALLED_HANDLER "${CMAKE_INSTALL_FULL_DATADIR}/s3-user-script/cloudinit/s3_user_script.py")
configure_file("${S3US_PACKAGING_SRC}/s3-user-script.service.in"
               "${S3US_PACKAGING_OUT}/s3-user-script.service" @ONLY)
configure_file("${S3US_PACKAGING_SRC}/s3-user-script.tmpfiles.in"
               "${S3US_PACKAGING_OUT}/s3-user-script.conf" @ONLY)
configure_file("${S3US_PACKAGING_SRC}/s3-user-script.clean.in"
               "${S3US_PACKAGING_OUT}/50-s3-user-script" @ONLY)
configure_file("${S3US_PACKAGING_SRC}/conffiles.in" "${S3US_PACKAGING_OUT}/conffiles" @ONLY)
# The handler link, made here and installed as a link.
file(CREATE_LINK "${S3US_INSTALLED_HANDLER}" "${S3US_PACKAGING_OUT}/s3_user_script.py" SYMBOLIC)

# Debian wants the man page and changelog compressed, reproducibly (gzip -n).
find_program(S3US_GZIP gzip REQUIRED)
set(S3US_GZIPPED "")
foreach(pair "s3-user-script.1;s3-user-script.1.gz" "changelog;changelog.gz")
  list(GET pair 0 in)
  list(GET pair 1 out)
  add_custom_command(OUTPUT "${S3US_PACKAGING_OUT}/${out}"
                     COMMAND "${S3US_GZIP}" -9nc "${S3US_PACKAGING_SRC}/${in}" > "${out}"
                     DEPENDS "${S3US_PACKAGING_SRC}/${in}"
                     WORKING_DIRECTORY "${S3US_PACKAGING_OUT}" VERBATIM)
  list(APPEND S3US_GZIPPED "${S3US_PACKAGING_OUT}/${out}")
endforeach()
add_custom_target(s3us_packaging_files ALL DEPENDS ${S3US_GZIPPED})

install(TARGETS s3-user-script RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${S3US_PACKAGING_OUT}/s3-user-script.1.gz"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
install(FILES "${S3US_PACKAGING_SRC}/s3-user-script.bash-completion"
        DESTINATION "${S3US_BASH_COMPLETION_DIR}" RENAME s3-user-script)
install(FILES "${PROJECT_SOURCE_DIR}/handlers/cloudinit/s3_user_script.py"
        DESTINATION "${S3US_HANDLER_SHARE_DIR}")
install(FILES "${S3US_PACKAGING_OUT}/s3_user_script.py"
        DESTINATION "${S3US_HANDLER_LINK_DIR}")
install(FILES "${S3US_PACKAGING_OUT}/s3-user-script.conf" DESTINATION "${S3US_TMPFILES_DIR}")
install(PROGRAMS "${S3US_PACKAGING_OUT}/50-s3-user-script" DESTINATION "${S3US_CLEAN_HOOK_DIR}")
install(FILES "${S3US_PACKAGING_OUT}/s3-user-script.service"
        DESTINATION "${S3US_SYSTEMD_UNIT_DIR}")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${S3US_PACKAGING_SRC}/copyright"
              "${S3US_PACKAGING_OUT}/changelog.gz"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
