# Installs the orm library as a CMake package (component "orm"):
#   cmake --install build/dev --component orm --prefix <prefix>
# writes <prefix>/include/orm/..., <prefix>/lib/liborm.a and <prefix>/lib/cmake/orm/, so that
# another project does
#   find_package(orm 0.1 CONFIG REQUIRED)     # with -DCMAKE_PREFIX_PATH=<prefix>
#   target_link_libraries(app PRIVATE orm::orm)
# tests/package builds such a consumer against a prefix in the build tree (test package/consumer).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ORM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/orm")
install(TARGETS orm_core orm EXPORT ormTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT orm
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/lib/include/orm"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}" COMPONENT orm)
install(EXPORT ormTargets NAMESPACE orm:: DESTINATION "${ORM_INSTALL_CMAKEDIR}" COMPONENT orm)

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/ormConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/package/ormConfig.cmake"
  INSTALL_DESTINATION "${ORM_INSTALL_CMAKEDIR}")
# The library's version is the workbook's (project() in CMakeLists.txt); 0.x: a new minor
# version may change the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/ormConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/ormConfig.cmake"
              "${PROJECT_BINARY_DIR}/package/ormConfigVersion.cmake"
  DESTINATION "${ORM_INSTALL_CMAKEDIR}" COMPONENT orm)
