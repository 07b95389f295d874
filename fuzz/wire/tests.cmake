# nvmfsim fuzz judged like every local input: each test checks the exit
# status and that the message names the option, the element or the cause.
# cli.fuzz_embedded_20000 and cli.fuzz_replay_reproduces_hang are in
# sim/cli/CMakeLists.txt.
set(WIRE_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/wire/tests)
set(WIRE_OUT ${CMAKE_CURRENT_BINARY_DIR}/wire-tests)
file(MAKE_DIRECTORY ${WIRE_OUT})
set(wire_tests "")

# 0 would mean "no limit" to the run loop: refused, not 60 s.
foreach(opt count time)
  nvmfsim_add_expect_test(cli.fuzz_${opt}_0_exits_2 EXPECT 2 STDERR "--${opt} '0': want a whole number, 1 to"
                          COMMAND nvmfsim fuzz --${opt} 0)
  list(APPEND wire_tests cli.fuzz_${opt}_0_exits_2)
endforeach()
nvmfsim_add_expect_test(cli.fuzz_replay_with_count_exits_2 EXPECT 2
  STDERR "--replay resends a file: --count does not apply"
  COMMAND nvmfsim fuzz --replay ${PROJECT_SOURCE_DIR}/fuzz/replay/hang-io-read-dropped.json
          --count 5)
list(APPEND wire_tests cli.fuzz_replay_with_count_exits_2)

# -o json: progress and the result, one object a line.
nvmfsim_add_expect_test(cli.fuzz_json_progress_and_summary EXPECT 0
  STDOUT "^{\"event\":\"start\",.*}.{\"event\":\"progress\",\"capsules\":600,.*\"statuses\":{\"0/00\":[0-9]+.*}.{\"event\":\"done\",\"capsules\":600,.*\"liveness_held\":true}.$"
  COMMAND nvmfsim fuzz --count 600 -o json)
nvmfsim_add_expect_test(cli.fuzz_json_finding EXPECT 1
  STDOUT "{\"event\":\"found\",\"step\":1,\"finding\":\"hang: I/O CID 0x1000 .*\"replay_file\":\"${WIRE_OUT}/json-found.json\"}"
  COMMAND nvmfsim fuzz --count 48 --seed 7 --timeout 200 --inject opcode=0x02,io,drop,count=1
          -o json --replay-out ${WIRE_OUT}/json-found.json)
list(APPEND wire_tests cli.fuzz_json_progress_and_summary cli.fuzz_json_finding)

# A set-up failure is an error naming the cause, not a finding: no FOUND,
# no replay file (no_finding.sh fails the run otherwise).
nvmfsim_add_expect_test(cli.fuzz_without_rdma_device_is_an_error_not_a_finding EXPECT 1
  STDERR "no RDMA device.*nothing was sent"
  COMMAND sh ${WIRE_TESTS}/no_finding.sh ${WIRE_OUT}/no-device.json $<TARGET_FILE:nvmfsim> fuzz
          -a 127.0.0.1 -n nqn.2014-08.org.example:x --replay-out ${WIRE_OUT}/no-device.json)
nvmfsim_add_expect_test(cli.fuzz_replay_without_rdma_device_is_an_error EXPECT 1
  STDERR "no RDMA device.*nothing was sent"
  COMMAND nvmfsim fuzz -a 127.0.0.1 --replay
          ${PROJECT_SOURCE_DIR}/fuzz/replay/hang-io-read-dropped.json)
list(APPEND wire_tests cli.fuzz_without_rdma_device_is_an_error_not_a_finding
     cli.fuzz_replay_without_rdma_device_is_an_error)

# Replay files are read with json_in: capped, typed, each error naming the
# element.  Small bad files are written here; big ones by the test itself.
set(R ${WIRE_OUT}/replay)
file(MAKE_DIRECTORY ${R})
file(WRITE ${R}/qid-string.json
     "{\"capsules\": [{\"qid\": 0, \"data\": \"\"}, {\"qid\": \"a\", \"data\": \"\"}]}\n")
file(WRITE ${R}/qid-2.json "{\"capsules\": [{\"qid\": 2, \"data\": \"AAAA\"}]}\n")
file(WRITE ${R}/not-base64.json "{\"capsules\": [{\"qid\": 1, \"data\": \"AA*A\"}]}\n")
string(REPEAT "A" 5552 long)
file(WRITE ${R}/capsule-too-long.json "{\"capsules\": [{\"qid\": 1, \"data\": \"${long}\"}]}\n")
file(WRITE ${R}/syntax.json "{\n  \"capsules\": [\n    {\"qid\": 0 \"data\": \"\"}\n  ]\n}\n")
file(WRITE ${R}/unknown-key.json "{\"capsules\": [], \"seeds\": 1}\n")
file(WRITE ${R}/no-capsules.json "{\"seed\": 1}\n")
file(WRITE ${R}/version-2.json "{\"version\": 2, \"capsules\": []}\n")
file(WRITE ${R}/bad-nqn.json "{\"target\": {\"nqn\": \"x\"}, \"capsules\": []}\n")
file(WRITE ${R}/bad-inject.json
     "{\"target\": {\"inject\": [\"opcode=0x02,colour=blue\"]}, \"capsules\": []}\n")
file(WRITE ${R}/memory-rkey.json
     "{\"memory\": [{\"addr\": 1, \"rkey\": 4294967296}], \"capsules\": []}\n")
set(bad_replays
  "missing-file|/nonexistent/replay.json: No such file or directory"
  "qid-string|qid-string.json: capsules\\[1\\]\\.qid: want an integer 0 to 1, got a string"
  "qid-2|capsules\\[0\\]\\.qid: want an integer 0 to 1, got 2"
  "not-base64|capsules\\[0\\]\\.data: not base64 of at most 4160 bytes"
  "capsule-too-long|capsules\\[0\\]\\.data: 5552 bytes, more than 5548"
  "syntax|syntax.json: line 3, column 15"
  "unknown-key|unknown-key.json: unknown key \"seeds\""
  "no-capsules|no-capsules.json: capsules: missing"
  "version-2|version: 2, but this nvmfsim reads version 1"
  "bad-nqn|target\\.nqn: "
  "bad-inject|target\\.inject\\[0\\]: 'opcode=0x02,colour=blue': .*colour"
  "memory-rkey|memory\\[0\\]\\.rkey: want an integer 0 to 4294967295")
foreach(row IN LISTS bad_replays)
  string(REPLACE "|" ";" row "${row}")
  list(GET row 0 name)
  list(GET row 1 regex)
  if(name STREQUAL "missing-file")
    set(file /nonexistent/replay.json)
  else()
    set(file ${R}/${name}.json)
  endif()
  string(REPLACE "-" "_" tname "${name}")
  nvmfsim_add_expect_test(cli.fuzz_replay_${tname}_exits_2 EXPECT 2 STDERR "${regex}"
                          COMMAND nvmfsim fuzz --replay ${file})
  list(APPEND wire_tests cli.fuzz_replay_${tname}_exits_2)
endforeach()
# Over the caps: 16 MiB of file, 100000 capsules.
nvmfsim_add_expect_test(cli.fuzz_replay_over_16_mib_exits_2 EXPECT 2
  STDERR "17825792 bytes, more than the 16777216"
  COMMAND sh -c "truncate -s 17M $1 && exec $0 fuzz --replay $1" $<TARGET_FILE:nvmfsim>
          ${R}/big.json)
nvmfsim_add_expect_test(cli.fuzz_replay_over_100000_capsules_exits_2 EXPECT 2
  STDERR "capsules: 100001 entries, more than the limit of 100000"
  COMMAND sh -c "(printf '{\"capsules\":[' && yes '{\"qid\":0},' | head -n 100000 && printf '{\"qid\":0}]}') >$1 && exec $0 fuzz --replay $1"
          $<TARGET_FILE:nvmfsim> ${R}/many.json)
list(APPEND wire_tests cli.fuzz_replay_over_16_mib_exits_2
     cli.fuzz_replay_over_100000_capsules_exits_2)

# The command docs/fuzzing.md shows for fuzz/replay/hang-io-read-dropped.json,
# word for word, in a scratch directory: it finds the hang and writes the file.
file(MAKE_DIRECTORY ${WIRE_OUT}/doc-example)
nvmfsim_add_expect_test(cli.fuzz_documented_example_finds_the_hang EXPECT 1
  STDERR "FOUND at step [0-9]+: hang: I/O .*replay file: fuzz/replay/hang-io-read-dropped.json"
  COMMAND sh ${WIRE_TESTS}/doc_example.sh ${PROJECT_SOURCE_DIR}/docs/fuzzing.md
          $<TARGET_FILE:nvmfsim>)
set_tests_properties(cli.fuzz_documented_example_finds_the_hang PROPERTIES
                     WORKING_DIRECTORY ${WIRE_OUT}/doc-example)
list(APPEND wire_tests cli.fuzz_documented_example_finds_the_hang)

# Output that cannot be written is a failure, and the run stops early
# (--time 60 against a 30 s test timeout).
nvmfsim_add_expect_test(cli.fuzz_output_write_failure_exits_1 EXPECT 1
  STDERR "nvmfsim fuzz: writing the .*output failed"
  COMMAND sh -c "exec $0 fuzz --time 60 >/dev/full" $<TARGET_FILE:nvmfsim>)
list(APPEND wire_tests cli.fuzz_output_write_failure_exits_1)

set_tests_properties(${wire_tests} PROPERTIES LABELS fuzz TIMEOUT 30)
