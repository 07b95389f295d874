# nvmf_add_conformance_test(<name> [ARGS...])
#
# Adds a CTest test that runs the nvmf-sim conformance suite with ARGS (for
# example `-t rdma -a 192.0.2.10 -n nqn... --target-profile my.json`) and
# writes <name>.xml (JUnit) and <name>.tap next to the build's other output.
# The test fails when any case fails or errors; divergences and skips do
# not fail it.  Works inside this project (the nvmfsim target) and in a
# downstream project that installed or built nvmfsim: set NVMFSIM_EXECUTABLE
# or have `nvmfsim` on PATH.
function(nvmf_add_conformance_test name)
  if(TARGET nvmfsim)
    set(exe $<TARGET_FILE:nvmfsim>)
  else()
    find_program(NVMFSIM_EXECUTABLE nvmfsim REQUIRED)
    set(exe ${NVMFSIM_EXECUTABLE})
  endif()
  add_test(NAME ${name}
           COMMAND ${exe} conform ${ARGN}
                   --junit ${CMAKE_CURRENT_BINARY_DIR}/${name}.xml
                   --tap ${CMAKE_CURRENT_BINARY_DIR}/${name}.tap)
  set_tests_properties(${name} PROPERTIES LABELS conformance TIMEOUT 600)
endfunction()
