# `cmake --install` and `cpack`: the two programs, their assets, desktop integration (entry, icon,
# AppStream metainfo), man pages, bash completion, the docs, and the core library as a CMake package
# (find_package(attnmd) gives attnmd::core). scripts/dev.sh package builds the .deb from this.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ATTNMD_PACKAGING ${PROJECT_SOURCE_DIR}/packaging)

# ---- the programs and what they read at run time (readAsset looks in ../share/attnmd next to bin/)
if(ATTNMD_BUILD_GUI)
  install(TARGETS attnmd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS attnmd-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets DESTINATION ${CMAKE_INSTALL_DATADIR}/attnmd)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/shaders DESTINATION ${CMAKE_INSTALL_DATADIR}/attnmd
        FILES_MATCHING PATTERN "*.vert" PATTERN "*.frag")

# ---- desktop integration
install(FILES ${ATTNMD_PACKAGING}/attnmd.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${ATTNMD_PACKAGING}/attnmd.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${ATTNMD_PACKAGING}/io.github.attnmd.attnmd.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${ATTNMD_PACKAGING}/attnmd-cli.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME attnmd-cli)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/theory.md
              ${PROJECT_SOURCE_DIR}/docs/scene-format.md ${PROJECT_SOURCE_DIR}/docs/files-and-export.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- man pages from --help (help2man, a Debian package); skipped with a note when it is missing, and
# in sanitizer builds (the programs would print the sanitizers' reports into the page).
find_program(ATTNMD_HELP2MAN help2man)
if(ATTNMD_HELP2MAN AND NOT ATTNMD_SANITIZE)
  set(man_pages "")
  set(name_attnmd "watch softmax attention learn to select tokens")
  set(name_attnmd-cli "train attention models and solve their max-margin SVMs without a display")
  foreach(prog attnmd-cli attnmd)
    if(prog STREQUAL "attnmd" AND NOT ATTNMD_BUILD_GUI)
      continue()
    endif()
    set(page ${PROJECT_BINARY_DIR}/man/${prog}.1)
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${ATTNMD_HELP2MAN} --no-info --no-discard-stderr --section=1 --output=${page}
              "--name=${name_${prog}}" $<TARGET_FILE:${prog}>
      DEPENDS ${prog}
      COMMENT "Man page ${prog}.1"
      VERBATIM)
    list(APPEND man_pages ${page})
  endforeach()
  add_custom_target(attnmd_man_pages ALL DEPENDS ${man_pages})
  install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "attnmd: no man pages (help2man missing or a sanitizer build)")
endif()

# ---- the core as a CMake package: headers under include/attnmd/core, attnmd::core
file(GLOB ATTNMD_CORE_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/core/*.h)
install(FILES ${ATTNMD_CORE_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnmd/core)
set_target_properties(attnmd_core PROPERTIES EXPORT_NAME core)
install(TARGETS attnmd_core EXPORT attnmdTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attnmd)
set(ATTNMD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/attnmd)
install(EXPORT attnmdTargets NAMESPACE attnmd:: DESTINATION ${ATTNMD_CMAKE_DIR})
configure_package_config_file(${ATTNMD_PACKAGING}/attnmdConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/attnmdConfig.cmake INSTALL_DESTINATION ${ATTNMD_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/attnmdConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/attnmdConfig.cmake ${PROJECT_BINARY_DIR}/attnmdConfigVersion.cmake
        DESTINATION ${ATTNMD_CMAKE_DIR})

# ---- the Debian package: attnmd_<version>_amd64.deb, dependencies from dpkg-shlibdeps
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME attnmd)
set(CPACK_PACKAGE_VENDOR "attnmd")
set(CPACK_PACKAGE_CONTACT "attnmd maintainers <attnmd@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "desktop lab: watch softmax attention learn to select tokens")
set(CPACK_PACKAGE_DESCRIPTION
    "attnmd shows how softmax attention learns to select tokens: build token sequences in 2D or 3D,\n"
    "pick an optimizer and watch the attention parameter rotate toward the max-margin SVM direction.\n"
    "attnmd-cli trains scenes and solves the SVMs without a display.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # attnmd_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "ffmpeg")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/package)
set(CPACK_SET_DESTDIR OFF)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
