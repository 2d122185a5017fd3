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
execute_process(
  COMMAND "${RUN_CLANG_TIDY}" -clang-tidy-binary "${CLANG_TIDY}" -p "${BUILD_DIR}" -j 2 -quiet
          "${ROOT}/lib/src/.*\\.cpp$"
  WORKING_DIRECTORY "${ROOT}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "clang-tidy found problems in lib/ (above). Fix them, or, for a finding "
                      "that is wrong here, add `// NOLINT(<check>): <why>` on its line")
endif()
