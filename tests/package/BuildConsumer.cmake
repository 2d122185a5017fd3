# Run by ctest (test package/consumer): installs orm, builds tests/package/consumer against it,
# runs it and checks what it prints. Fails with the step that failed and its output.
function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
run_step("installing orm" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --component orm
         --prefix "${prefix}")
foreach(file include/orm/orm.hpp lib/cmake/orm/ormConfig.cmake lib/cmake/orm/ormTargets.cmake)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "the install did not write ${prefix}/${file}")
  endif()
endforeach()
# Only the installed package is visible to the consumer: nothing of the source or build tree.
run_step("configuring the consumer" ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE}"
         -B "${WORK_DIR}/build" -G "${GENERATOR}" -DCMAKE_CXX_COMPILER=${CXX}
         -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(NOT step_output MATCHES "orm ${EXPECTED_VERSION} from ${prefix}/lib/cmake/orm")
  message(FATAL_ERROR "the consumer did not find the installed orm ${EXPECTED_VERSION}:\n"
                      "${step_output}")
endif()
run_step("building the consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run_step("running the consumer" "${WORK_DIR}/build/consumer")
set(expected "orm ${EXPECTED_VERSION}: postgresql://reader:***@db.example:5433/books\n")
if(NOT step_output STREQUAL expected)
  message(FATAL_ERROR "the consumer printed:\n${step_output}\ninstead of:\n${expected}")
endif()
message(STATUS "the consumer built against ${prefix} and printed: ${step_output}")
