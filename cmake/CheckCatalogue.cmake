# cmake -DCMD=nvmfsim -DDOC=docs/conformance.md -P CheckCatalogue.cmake
# Fails when the committed case catalogue differs from what the code says;
# regenerate with: nvmfsim conform --catalogue > docs/conformance.md
execute_process(COMMAND ${CMD} conform --catalogue OUTPUT_VARIABLE now RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nvmfsim conform --catalogue failed: ${rc}")
endif()
file(READ ${DOC} committed)
if(NOT now STREQUAL committed)
  message(FATAL_ERROR "${DOC} is stale: run `nvmfsim conform --catalogue > docs/conformance.md`")
endif()
