# cmake -DCMD=exe -DARGS=a;b -DEXPECT=code [-DEXPECT_STDERR=text] -P ExpectExit.cmake
# Runs CMD with ARGS and fails unless it exits with EXPECT (and, when given,
# its stderr contains EXPECT_STDERR and says something at all).
execute_process(COMMAND ${CMD} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL EXPECT)
  message(FATAL_ERROR "${CMD} ${ARGS}: exit ${rc}, expected ${EXPECT}\n${out}\n${err}")
endif()
if(err STREQUAL "")
  message(FATAL_ERROR "${CMD} ${ARGS}: exit ${rc} without a message on stderr")
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "${CMD} ${ARGS}: stderr lacks '${EXPECT_STDERR}':\n${err}")
endif()
message(STATUS "exit ${rc} as expected: ${err}")
