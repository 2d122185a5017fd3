# Runs Doxygen and fails on any warning:
#   cmake -D DOXYGEN=... -D DOXYFILE=... -D WARNINGS=... -D HTML=... -P run_doxygen.cmake
# Used by the docs target and the docs test (tests/docs). HTML (the Doxyfile's HTML_OUTPUT) is
# emptied first, so no page of an earlier run (e.g. of a removed file) is left behind.
foreach(variable DOXYGEN DOXYFILE WARNINGS HTML)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_doxygen.cmake needs -D ${variable}=...")
  endif()
endforeach()

file(REMOVE "${WARNINGS}")
file(REMOVE_RECURSE "${HTML}")
execute_process(COMMAND "${DOXYGEN}" "${DOXYFILE}"
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE errors)
set(log "")
if(EXISTS "${WARNINGS}")
  file(READ "${WARNINGS}" log)
endif()
# Anything Doxygen says besides its (quiet) progress is a problem: warnings go to the log, dot and
# other errors to stderr.
string(STRIP "${log}${errors}" problems)
if(NOT status EQUAL 0 OR NOT problems STREQUAL "")
  if(problems STREQUAL "")
    set(problems "doxygen exited with status ${status}")
  endif()
  message(NOTICE "${problems}")
  message(FATAL_ERROR "the documentation has problems (above, also in ${WARNINGS}); "
                      "Doxygen must print no warning")
endif()
