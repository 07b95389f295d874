# nvmfsim_add_cmocka_test(<exe> SOURCES ... LIBS ... [LABELS ...])
#
# Builds one cmocka executable and registers every cmocka_unit_test*(name)
# found in its sources as its own CTest test "<exe>.<name>", so `ctest -N`
# lists the contract rule by rule.  The executable takes the test name as its
# only argument (see sim/testing/cmocka_main.h).
function(nvmfsim_add_cmocka_test exe)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${exe} ${T_SOURCES})
  target_link_libraries(${exe} PRIVATE ${T_LIBS} nvmfsim::cmocka nvmfsim_testing)
  set(found 0)
  foreach(src IN LISTS T_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${abs}")
    file(STRINGS "${abs}" lines REGEX "cmocka_unit_test[a-z_]*\\(")
    foreach(line IN LISTS lines)
      string(REGEX MATCHALL "cmocka_unit_test[a-z_]*\\([ ]*[A-Za-z0-9_]+" calls "${line}")
      foreach(call IN LISTS calls)
        string(REGEX REPLACE ".*\\([ ]*" "" name "${call}")
        add_test(NAME ${exe}.${name} COMMAND ${exe} ${name})
        set_tests_properties(${exe}.${name} PROPERTIES
          SKIP_RETURN_CODE 77 LABELS "unit;${T_LABELS}" TIMEOUT 60)
        math(EXPR found "${found} + 1")
      endforeach()
    endforeach()
  endforeach()
  if(found EQUAL 0)
    message(FATAL_ERROR "${exe}: no cmocka_unit_test() found in ${T_SOURCES}")
  endif()
endfunction()

# nvmfsim_add_expect_test(<name> EXPECT <code> [STDOUT <regex>] [STDERR <regex>]
#                         COMMAND <exe> [args...])
#
# A test of a command's exit status and output together: CTest's own
# PASS_REGULAR_EXPRESSION ignores the exit status, so a crash or sanitizer
# abort after the expected line would pass.  <exe> may be a target name.
function(nvmfsim_add_expect_test name)
  cmake_parse_arguments(T "" "EXPECT;STDOUT;STDERR" "COMMAND" ${ARGN})
  list(POP_FRONT T_COMMAND exe)
  if(TARGET ${exe})
    set(exe $<TARGET_FILE:${exe}>)
  endif()
  set(extra "")
  if(DEFINED T_STDOUT)
    list(APPEND extra "-DEXPECT_STDOUT=${T_STDOUT}")
  endif()
  if(DEFINED T_STDERR)
    list(APPEND extra "-DEXPECT_STDERR=${T_STDERR}")
  endif()
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -DCMD=${exe} "-DARGS=${T_COMMAND}"
           -DEXPECT=${T_EXPECT} ${extra} -P ${PROJECT_SOURCE_DIR}/cmake/ExpectExit.cmake)
endfunction()
