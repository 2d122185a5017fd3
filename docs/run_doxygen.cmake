# Runs Doxygen, fails on any warning, then finishes the HTML:
#   cmake -D DOXYGEN=... -D DOXYFILE=... -D WARNINGS=... -D HTML=... [-D XML=...] -P run_doxygen.cmake
# Used by the docs target and the docs test (tests/docs). HTML (the Doxyfile's HTML_OUTPUT) and
# XML (its XML_OUTPUT) are emptied first, so no page of an earlier run (e.g. of a removed file) is
# left behind.
foreach(variable DOXYGEN DOXYFILE WARNINGS HTML)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_doxygen.cmake needs -D ${variable}=...")
  endif()
endforeach()

file(REMOVE "${WARNINGS}")
file(REMOVE_RECURSE "${HTML}")
if(DEFINED XML)
  file(REMOVE_RECURSE "${XML}")
endif()
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

# Pictures that fit the page. Doxygen 1.9.4 shows every SVG picture (dot graphs) in an <iframe>
# of the picture's fixed size, wider than a phone and sometimes than the text column; an iframe
# cannot scale its content. An <object> can: docs/site.css lets it shrink to the column (wide
# screens) or scroll inside its box (narrow ones). Its links still open in the page (Doxygen
# writes them with target="_top"). The fallback text shows only when the picture fails to load,
# which the browser test (tests/docs/browser_test.py) looks for.
file(GLOB pages "${HTML}/*.html")
set(svg_iframe "<iframe scrolling=\"no\" frameborder=\"0\" src=\"([^\"]+\\.svg)\" width=\"([0-9]+)\" height=\"([0-9]+)\"><p><b>This browser is not able to show SVG: try Firefox, Chrome, Safari, or Opera instead.</b></p></iframe>")
set(svg_object "<object class=\"svg-picture\" type=\"image/svg+xml\" data=\"\\1\" width=\"\\2\" height=\"\\3\"><p class=\"svg-missing\">The picture \\1 did not load.</p></object>")
foreach(page IN LISTS pages)
  file(READ "${page}" text)
  string(REGEX REPLACE "${svg_iframe}" "${svg_object}" finished "${text}")
  if(NOT finished STREQUAL text)
    file(WRITE "${page}" "${finished}")
  endif()
endforeach()
