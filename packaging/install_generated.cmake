# Runs inside `cmake --install` (install(CODE) in packaging/CMakeLists.txt), where
# CMAKE_INSTALL_PREFIX is the prefix of this install and DESTDIR, if set, stages it.
# In: TRAIO_PACKAGING_DIR, TRAIO_GENERATED_DIR, TRAIO_SYSCONFDIR (GNUInstallDirs' value).

# traiod reads /etc/traio/traiod.json by default (kDefaultConfigFile). The config goes to the
# prefix's sysconfdir, which for /usr is /etc (the GNU convention GNUInstallDirs follows for
# CMAKE_INSTALL_FULL_SYSCONFDIR); anywhere else the units pass --config to point traiod at it.
set(traiod_default_config "/etc/traio/traiod.json")
string(REGEX REPLACE "/+$" "" prefix "${CMAKE_INSTALL_PREFIX}")  # "/" becomes ""
if(IS_ABSOLUTE "${TRAIO_SYSCONFDIR}")
  set(sysconfdir "${TRAIO_SYSCONFDIR}")
elseif(prefix STREQUAL "/usr" OR prefix STREQUAL "")
  set(sysconfdir "/${TRAIO_SYSCONFDIR}")
else()
  set(sysconfdir "${prefix}/${TRAIO_SYSCONFDIR}")
endif()
set(config_dir "${sysconfdir}/traio")
set(traiod "${prefix}/bin/traiod")

set(TRAIOD_EXEC "${traiod}")
if(NOT "${config_dir}/traiod.json" STREQUAL traiod_default_config)
  string(APPEND TRAIOD_EXEC " --config ${config_dir}/traiod.json")
endif()
# A user's traiod runs without flags: $XDG_RUNTIME_DIR/traio.sock, ~/.local/state/traio.
set(TRAIOD_EXEC_USER "${traiod}")

configure_file("${TRAIO_PACKAGING_DIR}/traiod.service.in" "${TRAIO_GENERATED_DIR}/system/traiod.service" @ONLY)
configure_file("${TRAIO_PACKAGING_DIR}/user/traiod.service.in" "${TRAIO_GENERATED_DIR}/user/traiod.service" @ONLY)
file(INSTALL "${TRAIO_GENERATED_DIR}/system/traiod.service" DESTINATION "${prefix}/lib/systemd/system")
file(INSTALL "${TRAIO_GENERATED_DIR}/user/traiod.service" DESTINATION "${prefix}/lib/systemd/user")

# The default config's boot_dir is the boot.d installed beside it.
file(READ "${TRAIO_PACKAGING_DIR}/traiod.json" config_text)
string(REPLACE "\"/etc/traio/boot.d\"" "\"${config_dir}/boot.d\"" config_text "${config_text}")
file(WRITE "${TRAIO_GENERATED_DIR}/traiod.json" "${config_text}")
# An operator's edited config is never overwritten by a later install.
if(EXISTS "$ENV{DESTDIR}${config_dir}/traiod.json")
  message(STATUS "Keeping: $ENV{DESTDIR}${config_dir}/traiod.json")
else()
  file(INSTALL "${TRAIO_GENERATED_DIR}/traiod.json" DESTINATION "${config_dir}")
endif()
if(NOT IS_DIRECTORY "$ENV{DESTDIR}${config_dir}/boot.d")
  message(STATUS "Installing: $ENV{DESTDIR}${config_dir}/boot.d")
  file(MAKE_DIRECTORY "$ENV{DESTDIR}${config_dir}/boot.d")
endif()
