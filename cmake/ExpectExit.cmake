# cmake -DCMD=exe -DARGS=a;b -DEXPECT=code [-DEXPECT_STDERR=regex] [-DEXPECT_STDOUT=regex]
#       -P ExpectExit.cmake
# Runs CMD with ARGS and fails unless it exits with EXPECT and, when given,
# its stderr and stdout match.  A non-zero EXPECT also needs a message
# (on stderr, or on stdout when EXPECT_STDOUT names it).  Use this instead of PASS_REGULAR_EXPRESSION, with which CTest
# ignores the exit status (a crash or sanitizer abort after the line would
# pass).
execute_process(COMMAND ${CMD} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc STREQUAL EXPECT)
  message(FATAL_ERROR "${CMD} ${ARGS}: exit ${rc}, expected ${EXPECT}\n${out}\n${err}")
endif()
if(NOT EXPECT EQUAL 0 AND err STREQUAL "" AND NOT DEFINED EXPECT_STDOUT)
  message(FATAL_ERROR "${CMD} ${ARGS}: exit ${rc} without a message on stderr")
endif()
if(DEFINED EXPECT_STDERR AND NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "${CMD} ${ARGS}: stderr lacks '${EXPECT_STDERR}':\n${err}")
endif()
if(DEFINED EXPECT_STDOUT AND NOT out MATCHES "${EXPECT_STDOUT}")
  message(FATAL_ERROR "${CMD} ${ARGS}: stdout lacks '${EXPECT_STDOUT}':\n${out}\n${err}")
endif()
message(STATUS "exit ${rc} as expected")
