# Fails when a C++ file of the project is not formatted with the repository's .clang-format.
# Run by ctest (test style/clang-format): cmake -DCLANG_FORMAT=... -DROOT=... -P CheckFormat.cmake
file(GLOB_RECURSE sources
  "${ROOT}/lib/*.cpp" "${ROOT}/lib/*.hpp"
  "${ROOT}/tests/*.cpp" "${ROOT}/tests/*.hpp"
  "${ROOT}/tools/*.cpp" "${ROOT}/tools/*.hpp"
  "${ROOT}/bench/*.cpp" "${ROOT}/bench/*.hpp"
  "${ROOT}/lessons/*.cpp" "${ROOT}/lessons/*.hpp"
  "${ROOT}/solutions/*.cpp" "${ROOT}/solutions/*.hpp")
execute_process(
  COMMAND "${CLANG_FORMAT}" --style=file --dry-run --Werror ${sources}
  WORKING_DIRECTORY "${ROOT}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "Some files are not clang-formatted (see above). Fix them with: "
                      "clang-format -i <file>")
endif()
list(LENGTH sources count)
message(STATUS "${count} files are clang-formatted")
