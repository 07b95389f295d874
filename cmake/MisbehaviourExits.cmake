# cmake -DCMD=nvmfsim -P MisbehaviourExits.cmake
# For every misbehaviour switch `nvmfsim conform --misbehave list` names,
# the default run (no --level) must exit 1: a CI using nvmfsim conform as
# it comes fails on each broken rule.  With no switch it must exit 0.
execute_process(COMMAND ${CMD} conform --misbehave list RESULT_VARIABLE rc OUTPUT_VARIABLE list)
if(NOT rc EQUAL 0 OR list STREQUAL "")
  message(FATAL_ERROR "conform --misbehave list: exit ${rc}")
endif()
execute_process(COMMAND ${CMD} conform RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "conform without a switch: exit ${rc}\n${out}\n${err}")
endif()
string(REGEX MATCHALL "(^|\n)[a-z0-9-]+" names "${list}")
set(n 0)
foreach(name IN LISTS names)
  string(STRIP "${name}" name)
  execute_process(COMMAND ${CMD} conform --misbehave ${name} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 1)
    message(FATAL_ERROR "conform --misbehave ${name}: exit ${rc}, expected 1\n${out}\n${err}")
  endif()
  string(REGEX MATCH "FAIL +[0-9]+" fails "${out}")
  message(STATUS "--misbehave ${name}: exit 1, ${fails}")
  math(EXPR n "${n} + 1")
endforeach()
message(STATUS "${n} switches, each fails the default run")
