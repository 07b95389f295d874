# cmake -DCMD=nvmfsim -DPROFILE=waiver-example.json -DOUT=dir -P CheckReports.cmake
# Runs a conform selection in which one case is waived and one skipped as
# crashing the target, then checks that every report carries the waived
# state and the headline, and validates them: xmllint (JUnit), prove (TAP 13)
# and jq (JSON) when present.
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${CMD} conform --target-profile ${PROFILE}
                        --inject opcode=0x09,admin,status=0:2
                        features.3.4 sgl.2.4 connect.1.1
                        --junit ${OUT}/w.xml --tap ${OUT}/w.tap --json ${OUT}/w.json
                        --markdown ${OUT}/w.md
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
# Everything that ran and failed is waived: exit 0.
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "conform with a waiver: exit ${rc}\n${out}\n${err}")
endif()
foreach(f w.xml w.tap w.json w.md)
  file(READ ${OUT}/${f} text)
  if(NOT text MATCHES "waived")
    message(FATAL_ERROR "${f} lacks the waived state:\n${text}")
  endif()
  if(NOT text MATCHES "1 case skipped: crashes the target \\(sgl.2.4\\)")
    message(FATAL_ERROR "${f} lacks the headline:\n${text}")
  endif()
endforeach()
if(NOT out MATCHES "waived +1")
  message(FATAL_ERROR "console counts lack 'waived 1':\n${out}")
endif()
find_program(XMLLINT xmllint)
find_program(PROVE prove)
find_program(JQ jq)
if(XMLLINT)
  execute_process(COMMAND ${XMLLINT} --noout ${OUT}/w.xml RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "xmllint: the JUnit report is not well-formed")
  endif()
endif()
if(PROVE)
  # TAP: the waived case is "not ok # TODO", which a TAP harness passes.
  execute_process(COMMAND ${PROVE} -e cat ${OUT}/w.tap RESULT_VARIABLE rc OUTPUT_VARIABLE pout
                  ERROR_VARIABLE perr)
  file(READ ${OUT}/w.tap tap)
  if(NOT rc EQUAL 0 OR NOT tap MATCHES "not ok [0-9]+ - features.3.4 [^\n]*# TODO waived: ")
    message(FATAL_ERROR "prove: ${rc}\n${pout}\n${perr}")
  endif()
endif()
if(JQ)
  execute_process(COMMAND ${JQ} -e
    ".counts.waived == 1 and (.cases[] | select(.id == \"features.3.4\") | .waiver.unwaived == \"FAIL\")"
    ${OUT}/w.json RESULT_VARIABLE rc OUTPUT_VARIABLE jout)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "jq: the JSON report lacks the waiver: ${jout}")
  endif()
endif()
# --strict ignores the waiver: the same run fails.
execute_process(COMMAND ${CMD} conform --target-profile ${PROFILE} --strict
                        --inject opcode=0x09,admin,status=0:2 features.3.4
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "conform --strict: exit ${rc}, expected 1")
endif()
message(STATUS "waived state and headline in console, JUnit, TAP, JSON and Markdown; --strict fails")
