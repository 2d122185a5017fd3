# The lessons and their solutions, from lessons/lessons.json (the one list of lessons: CMake, the
# workbook tool and the docs all read it).
#
# For every lesson NN in lessons.json this adds
#   lessonNN        the lesson's program, built from ${WORKBOOK_LESSONS_DIR}/<directory>, written to
#                   <build>/lessons/<directory>/<program>
#   lessonNN_app    the lesson's app code (app/, models/) as a library, when the lesson has any
# and, when WORKBOOK_SOLUTIONS_DIR is not empty, the same from ${WORKBOOK_SOLUTIONS_DIR}:
#   solutionNN, solutionNN_app   written to <build>/solutions/<directory>/<program>
# The check programs (check_lessonNN, check_solutionNN) are added by tests/lessons.
#
# Each lesson folder's CMakeLists.txt calls workbook_lesson(...) below, so a lesson and its
# solution share the same CMakeLists.txt text.
#
# Variables set here for the rest of the build:
#   WORKBOOK_LESSON_NUMBERS              "01;02;..." in lessons.json order
#   WORKBOOK_LESSON_<NN>_DIRECTORY       e.g. 01_create_db
#   WORKBOOK_LESSON_<NN>_PROGRAM         e.g. create_databases
#   WORKBOOK_LESSON_<NN>_TITLE           e.g. Create the databases

set(WORKBOOK_LESSONS_JSON "${PROJECT_SOURCE_DIR}/lessons/lessons.json")
# Code every lesson program may include (workbook/not_done.hpp); always the project's own copy.
set(WORKBOOK_LESSON_SUPPORT_DIR "${PROJECT_SOURCE_DIR}/lessons/support")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${WORKBOOK_LESSONS_JSON}")

file(READ "${WORKBOOK_LESSONS_JSON}" _workbook_json)
string(JSON _workbook_count ERROR_VARIABLE _workbook_error LENGTH "${_workbook_json}" lessons)
if(_workbook_error)
  message(FATAL_ERROR "${WORKBOOK_LESSONS_JSON}: ${_workbook_error}")
endif()

set(WORKBOOK_LESSON_NUMBERS "")
math(EXPR _workbook_last "${_workbook_count} - 1")
foreach(_index RANGE ${_workbook_last})
  string(JSON _number GET "${_workbook_json}" lessons ${_index} number)
  list(APPEND WORKBOOK_LESSON_NUMBERS "${_number}")
  foreach(_field directory program title)
    string(TOUPPER "${_field}" _upper)
    string(JSON WORKBOOK_LESSON_${_number}_${_upper} GET "${_workbook_json}" lessons ${_index}
           ${_field})
  endforeach()
endforeach()

# Warnings in a student's lesson code are shown but never stop the build (a student learning C++
# must not be blocked by an unused variable): _workbook_add_lesson turns
# CMAKE_COMPILE_WARNING_AS_ERROR off for the lesson folders. The solutions, like the library and
# the tests, keep warnings as errors when the preset asks for them (CMakePresets.json). The
# precompiled header is the same for both: GCC accepts it with or without -Werror.
add_library(workbook_lesson_warnings INTERFACE)
target_compile_options(workbook_lesson_warnings INTERFACE -Wall -Wextra)

# The lesson programs and their checks are linked again after every save. LLVM's lld (Debian
# package lld, which ./workbook setup installs) links a lesson 06 check program in 0.10 s, GNU
# gold in 0.20 s and the default linker in about 0.6 s; gold is part of binutils, so it is always
# there beside g++ when lld is not.
find_program(WORKBOOK_LLD ld.lld)
add_library(workbook_fast_link INTERFACE)
if(WORKBOOK_LLD)
  target_link_options(workbook_fast_link INTERFACE -fuse-ld=lld)
else()
  target_link_options(workbook_fast_link INTERFACE -fuse-ld=gold)
endif()

# The default database URLs of the lesson programs (lessons/support/workbook/cluster.hpp),
# compiled once for all of them: as inline code in the header it cost each lesson file that
# includes app/app.hpp about 0.1 s of compiling.
add_library(workbook_cluster STATIC "${WORKBOOK_LESSON_SUPPORT_DIR}/workbook/cluster.cpp")
target_include_directories(workbook_cluster PUBLIC "${WORKBOOK_LESSON_SUPPORT_DIR}")
# The checkout whose PostgreSQL (.workbook/pg) the lesson programs use by default.
target_compile_definitions(workbook_cluster PRIVATE WORKBOOK_CHECKOUT_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(workbook_cluster PRIVATE workbook_warnings)

# The library's headers, precompiled once for every lesson and solution target, so that saving a
# lesson file recompiles only the student's own code. With the command line (orm/cli.hpp) and the
# standard headers the lesson programs and workbook/*.hpp include. Each file still pays for the
# templates these headers use (GCC instantiates them again in every file), so the library's
# headers leave out libpqxx, date.h and <filesystem>: an empty lesson file compiles in half the
# time (0.48 -> 0.25 s), a lesson 04 main.cpp in 1.14 -> 0.82 s (fastest of 5, side by side).
# workbook/*.hpp stay out: they use the lesson's own WORKBOOK_* definitions.
add_library(workbook_lesson_pch OBJECT "${WORKBOOK_LESSON_SUPPORT_DIR}/workbook/precompiled.cpp")
target_link_libraries(workbook_lesson_pch PRIVATE orm_core workbook_warnings)
target_precompile_headers(workbook_lesson_pch PRIVATE <orm/orm.hpp> <orm/cli.hpp> <functional>
                          <iostream>)

# workbook_lesson([APP_SOURCES <file>...] PROGRAM_SOURCES <file>... [MIGRATIONS <folder>])
#
# Called from a lesson folder's CMakeLists.txt. Builds the lesson's program (the target and file
# names come from lessons.json) and, with APP_SOURCES, the app library the program and the check
# tests link. MIGRATIONS names the folder that `db` commands use by default, relative to the
# lesson folder; the program gets its absolute path as HELLO_BOOKS_MIGRATIONS_DIR.
function(workbook_lesson)
  cmake_parse_arguments(ARG "" "MIGRATIONS" "APP_SOURCES;PROGRAM_SOURCES" ${ARGN})
  if(NOT DEFINED WORKBOOK_CURRENT_TARGET)
    message(FATAL_ERROR "workbook_lesson() is for lesson folders added by cmake/Lessons.cmake")
  endif()
  set(target ${WORKBOOK_CURRENT_TARGET})
  # The lesson text messages point to (lessons/support/workbook/not_done.hpp).
  set(lesson_definitions WORKBOOK_LESSON_TEXT="${WORKBOOK_CURRENT_TEXT}")
  set(warnings ${WORKBOOK_CURRENT_WARNINGS})
  # A lesson with migrations links the whole library; the others only its core (lib/CMakeLists.txt).
  set(orm_part orm_core)
  if(ARG_MIGRATIONS)
    set(orm_part orm)
  endif()

  if(ARG_APP_SOURCES)
    add_library(${target}_app STATIC ${ARG_APP_SOURCES})
    target_include_directories(${target}_app PUBLIC "${CMAKE_CURRENT_SOURCE_DIR}"
                                                    "${WORKBOOK_LESSON_SUPPORT_DIR}")
    target_compile_definitions(${target}_app PUBLIC ${lesson_definitions})
    target_link_libraries(${target}_app PUBLIC ${orm_part} workbook_cluster PRIVATE ${warnings})
    target_precompile_headers(${target}_app REUSE_FROM workbook_lesson_pch)
  endif()

  add_executable(${target} ${ARG_PROGRAM_SOURCES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME "${WORKBOOK_CURRENT_PROGRAM}"
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}"
                                               "${WORKBOOK_LESSON_SUPPORT_DIR}")
  target_compile_definitions(${target} PRIVATE ${lesson_definitions})
  target_link_libraries(${target} PRIVATE ${orm_part} workbook_cluster ${warnings}
                                          workbook_fast_link)
  set_target_properties(${target} PROPERTIES WORKBOOK_ORM_PART ${orm_part})  # for its checks
  target_precompile_headers(${target} REUSE_FROM workbook_lesson_pch)
  if(ARG_APP_SOURCES)
    target_link_libraries(${target} PRIVATE ${target}_app)
  endif()
  if(ARG_MIGRATIONS)
    target_compile_definitions(${target} PRIVATE
      HELLO_BOOKS_MIGRATIONS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/${ARG_MIGRATIONS}")
  endif()
endfunction()

# Adds lesson `number` from `root` (the lessons or the solutions folder) as <prefix>NN.
function(_workbook_add_lesson prefix number root)
  set(directory "${WORKBOOK_LESSON_${number}_DIRECTORY}")
  if(NOT EXISTS "${root}/${directory}/CMakeLists.txt")
    message(WARNING "lesson ${number}: ${root}/${directory}/CMakeLists.txt is missing; "
                    "${prefix}${number} is not built (restore the folder: ./workbook reset ${number})")
    return()
  endif()
  # Read by workbook_lesson() in the lesson folder's CMakeLists.txt.
  set(WORKBOOK_CURRENT_TARGET "${prefix}${number}")
  set(WORKBOOK_CURRENT_PROGRAM "${WORKBOOK_LESSON_${number}_PROGRAM}")
  set(WORKBOOK_CURRENT_TEXT "lessons/${directory}/README.md")  # the text lives in lessons/ only
  set(WORKBOOK_CURRENT_WARNINGS workbook_warnings)
  if(prefix STREQUAL "lesson")  # the student's code: warnings shown, never errors
    set(WORKBOOK_CURRENT_WARNINGS workbook_lesson_warnings)
    set(CMAKE_COMPILE_WARNING_AS_ERROR OFF)  # for the targets of this folder only
  endif()
  add_subdirectory("${root}/${directory}" "${CMAKE_BINARY_DIR}/${prefix}s/${directory}")
endfunction()

foreach(_number IN LISTS WORKBOOK_LESSON_NUMBERS)
  _workbook_add_lesson(lesson ${_number} "${WORKBOOK_LESSONS_DIR}")
  if(NOT WORKBOOK_SOLUTIONS_DIR STREQUAL "")
    _workbook_add_lesson(solution ${_number} "${WORKBOOK_SOLUTIONS_DIR}")
  endif()
endforeach()
