# Run by ctest (test style/clang-tidy): clang-tidy-14 with the repository's .clang-tidy over the
# library's sources (lib/src; lib/include through HeaderFilterRegex), two files at a time. Any
# finding fails the test (WarningsAsErrors in .clang-tidy).
#   cmake -DBUILD_DIR=<build with compile_commands.json> -DROOT=<checkout> -P RunClangTidy.cmake
# The programs are looked up when the test runs, so installing clang-tidy-14 after configuring is
# enough (./workbook test installs it).
find_program(RUN_CLANG_TIDY NAMES run-clang-tidy-14 run-clang-tidy)
find_program(CLANG_TIDY NAMES clang-tidy-14 clang-tidy)
if(NOT RUN_CLANG_TIDY OR NOT CLANG_TIDY)
  message(FATAL_ERROR "clang-tidy-14 is not installed: run ./workbook test (it installs the test "
                      "packages) or: sudo apt-get install clang-tidy-14")
endif()
# A unity build compiles lib/src in batches: clang-tidy gets each source on its own, with its
# batch's flags (which also shows a source that does not compile alone, e.g. a missing #include).
include("${CMAKE_CURRENT_LIST_DIR}/CompileCommands.cmake")
read_compile_commands("${BUILD_DIR}/compile_commands.json" commands)
string(JSON count LENGTH "${commands}")
set(lib_sources 0)
math(EXPR last "${count} - 1")
foreach(index RANGE ${last})
  string(JSON file GET "${commands}" ${index} file)
  string(FIND "${file}" "${ROOT}/lib/src/" at)
  if(at EQUAL 0 AND file MATCHES "\\.cpp$")
    math(EXPR lib_sources "${lib_sources} + 1")
  endif()
endforeach()
file(GLOB_RECURSE expected RELATIVE "${ROOT}" "${ROOT}/lib/src/*.cpp")
list(LENGTH expected expected_count)
if(NOT lib_sources EQUAL expected_count)
  message(FATAL_ERROR "${BUILD_DIR}/compile_commands.json names ${lib_sources} of the "
                      "${expected_count} sources in lib/src: clang-tidy would skip the others")
endif()
file(WRITE "${BUILD_DIR}/clang-tidy/compile_commands.json" "${commands}")
execute_process(
  COMMAND "${RUN_CLANG_TIDY}" -clang-tidy-binary "${CLANG_TIDY}" -p "${BUILD_DIR}/clang-tidy"
          -j 2 -quiet "${ROOT}/lib/src/.*\\.cpp$"
  WORKING_DIRECTORY "${ROOT}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "clang-tidy found problems in lib/ (above). Fix them, or, for a finding "
                      "that is wrong here, add `// NOLINT(<check>): <why>` on its line")
endif()
