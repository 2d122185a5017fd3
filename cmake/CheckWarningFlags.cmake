# Run by ctest (test style/warnings-as-errors): reads the build's compile_commands.json and checks
# that warnings are errors where the preset asks for them (CMAKE_COMPILE_WARNING_AS_ERROR) and
# never in a student's lesson code.
#   cmake -DCOMMANDS=<build>/compile_commands.json -DLESSONS_DIR=... -DLIB_DIR=...
#         -DWARNINGS_AS_ERRORS=ON|OFF -P CheckWarningFlags.cmake
include("${CMAKE_CURRENT_LIST_DIR}/CompileCommands.cmake")
read_compile_commands("${COMMANDS}" json)  # a unity build's batches as their sources
string(JSON count LENGTH "${json}")
math(EXPR last "${count} - 1")
set(lesson_files 0)
set(lib_files 0)
foreach(index RANGE ${last})
  string(JSON file GET "${json}" ${index} file)
  string(JSON command GET "${json}" ${index} command)
  set(output "")
  if(command MATCHES " -o ([^ ]+)")  # the object file: its folder names the target
    set(output "${CMAKE_MATCH_1}")
  endif()
  string(FIND " ${command} " " -Werror " werror)
  string(FIND "${file}" "${LESSONS_DIR}/" in_lessons)
  string(FIND "${file}" "${LESSONS_DIR}/support/" in_support)  # the workbook's code, not a lesson
  string(FIND "${file}" "${LIB_DIR}/" in_lib)
  # A lesson's own files, and the check program built against them (check_lessonNN).
  if((in_lessons EQUAL 0 AND NOT in_support EQUAL 0) OR output MATCHES "/check_lesson[0-9]+\\.dir/")
    math(EXPR lesson_files "${lesson_files} + 1")
    if(NOT werror EQUAL -1)
      message(FATAL_ERROR "${output} (from ${file}, a student's lesson code) is compiled with "
                          "-Werror: a warning would stop the student's build")
    endif()
  elseif(in_lib EQUAL 0)
    math(EXPR lib_files "${lib_files} + 1")
    if(WARNINGS_AS_ERRORS AND werror EQUAL -1)
      message(FATAL_ERROR "${file} is compiled without -Werror although the build has "
                          "CMAKE_COMPILE_WARNING_AS_ERROR=ON")
    endif()
  endif()
endforeach()
if(lesson_files EQUAL 0 OR lib_files EQUAL 0)
  message(FATAL_ERROR "${COMMANDS} lists ${lesson_files} lesson and ${lib_files} library files: "
                      "expected both (is CMAKE_EXPORT_COMPILE_COMMANDS on?)")
endif()
message(STATUS "${lesson_files} lesson files without -Werror; ${lib_files} library files "
               "(warnings as errors: ${WARNINGS_AS_ERRORS})")
