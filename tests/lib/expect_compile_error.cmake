# cmake -DCOMPILER=... -DFLAGS=... -DSOURCE=file.cpp -P expect_compile_error.cmake
#
# Compiles SOURCE (syntax only). A file whose first line is "// expect: MESSAGE" must fail to
# compile, with MESSAGE in the compiler's output; any other file must compile.
file(STRINGS "${SOURCE}" first_line LIMIT_COUNT 1)
execute_process(COMMAND ${COMPILER} -std=c++17 -fsyntax-only ${FLAGS} "${SOURCE}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(first_line MATCHES "^// expect: (.*)$")
  set(expected "${CMAKE_MATCH_1}")
  if(result EQUAL 0)
    message(FATAL_ERROR "${SOURCE} compiled, but must fail with: ${expected}")
  endif()
  string(FIND "${output}" "${expected}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "${SOURCE} failed without the message '${expected}':\n${output}")
  endif()
elseif(NOT result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} must compile:\n${output}")
endif()
