# `nvmfsim target` and its nvmetcli config judged like every local input:
# each test asserts the exit status and that the message names the
# offending element (cmake/ExpectExit.cmake).  Included by
# sim/cli/CMakeLists.txt; also run as a script (-P) by the set-up tests to
# make the FIFO and the 20 000-subsystem config they need.
if(CMAKE_SCRIPT_MODE_FILE)
  file(MAKE_DIRECTORY ${DIR})
  if(MODE STREQUAL "fifo")
    file(REMOVE ${DIR}/ns.fifo)
    execute_process(COMMAND mkfifo ${DIR}/ns.fifo RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "mkfifo ${DIR}/ns.fifo: ${rc}")
    endif()
    file(WRITE ${DIR}/fifo.json "{\"subsystems\": [{\"nqn\": \"nqn.2026-11.io.nvmf-sim:f\", "
         "\"namespaces\": [{\"nsid\": 1, \"device\": {\"path\": \"${DIR}/ns.fifo\"}}]}], "
         "\"ports\": [{\"portid\": 1, \"addr\": {\"trtype\": \"rdma\", "
         "\"traddr\": \"127.0.0.1\"}}]}\n")
  elseif(MODE STREQUAL "big")
    # N subsystems of one namespace each; the port exposes the first ON_PORT.
    # Written in chunks: appending to one growing string is quadratic.
    file(WRITE ${DIR}/big.json "{\"subsystems\": [\n")
    set(chunk "")
    set(onport "")
    foreach(i RANGE 1 ${N})
      if(i GREATER 1)
        string(APPEND chunk ",\n")
      endif()
      string(APPEND chunk "{\"nqn\": \"nqn.2026-11.io.nvmf-sim:s${i}\", \"attr\": "
             "{\"allow_any_host\": \"1\"}, \"namespaces\": [{\"nsid\": 1, \"enable\": 1, "
             "\"device\": {\"path\": \"null:1G\"}}]}")
      if(i LESS_EQUAL ${ON_PORT})
        if(i GREATER 1)
          string(APPEND onport ", ")
        endif()
        string(APPEND onport "\"nqn.2026-11.io.nvmf-sim:s${i}\"")
      endif()
      math(EXPR r "${i} % 500")
      if(r EQUAL 0)
        file(APPEND ${DIR}/big.json "${chunk}")
        set(chunk "")
      endif()
    endforeach()
    file(APPEND ${DIR}/big.json "${chunk}\n], \"ports\": [{\"portid\": 1, "
         "\"addr\": {\"trtype\": \"rdma\", \"traddr\": \"127.0.0.1\"}, "
         "\"subsystems\": [${onport}]}]}\n")
  endif()
  return()
endif()

set(BAD ${PROJECT_SOURCE_DIR}/fixtures/configs/bad)
set(TARGET_INPUT_DIR ${CMAKE_CURRENT_BINARY_DIR}/target-input)

# ---- the config file: types, ranges, limits, names (exit 2) ----
# name | fixture under fixtures/configs/bad | stderr regex
foreach(row
    "portid_string_refused|portid-string|ports\\[0\\]\\.portid: want an integer 0 to 65535, got a string"
    "portid_negative_refused|portid-negative|ports\\[0\\]\\.portid: want an integer 0 to 65535, got -1"
    "portid_over_16_bits_refused|portid-too-big|ports\\[0\\]\\.portid: want an integer 0 to 65535, got 70000"
    "nsid_fraction_refused|nsid-fraction|subsystems\\[0\\]\\.namespaces\\[0\\]\\.nsid: want an integer 1 to 1024, got 1\\.9"
    "nsid_boolean_refused|nsid-boolean|subsystems\\[0\\]\\.namespaces\\[0\\]\\.nsid: want an integer 1 to 1024, got a boolean"
    "nsid_twice_names_both|nsid-twice|subsystems\\[0\\]\\.namespaces\\[1\\]\\.nsid: 1 is also namespaces\\[0\\]'s"
    "subsystems_string_refused|subsystems-string|: subsystems: want an array, got a string"
    "allowed_hosts_string_refused|allowed-hosts-string|subsystems\\[0\\]\\.allowed_hosts: want an array, got a string"
    "namespaces_object_refused|namespaces-object|subsystems\\[0\\]\\.namespaces: want an array, got an object"
    "trailing_text_refused|trailing-garbage|trailing-garbage\\.json: line 5, column 1: text after the JSON document"
    "ram_size_not_lba_multiple_refused|ram-size-not-lba-multiple|subsystems\\[0\\]\\.namespaces\\[0\\]\\.device\\.path: 'ram:1000': .*not a multiple of 512"
    "nqn_integer_is_a_type_error|nqn-integer|subsystems\\[0\\]\\.nqn: want a string, got an integer"
    "port_address_twice_names_the_port|port-address-twice|ports\\[1\\]\\.addr: 127\\.0\\.0\\.1:4420 is also ports\\[0\\]'s address"
    "allowed_hosts_over_limit_says_limit|too-many-allowed-hosts|subsystems\\[0\\]\\.allowed_hosts: 257 entries, more than the limit of 256"
    "namespace_directory_refused|namespace-directory|subsystems\\[0\\]\\.namespaces\\[0\\]\\.device\\.path: /: a directory, not a regular file or a block device"
    "namespace_char_device_refused|namespace-char-device|subsystems\\[0\\]\\.namespaces\\[0\\]\\.device\\.path: /dev/null: a character device"
    "unknown_key_refused|unknown-key|subsystems\\[0\\]: unknown key \"alowed_hosts\""
    "port_param_unknown_refused|param-unknown-key|ports\\[0\\]\\.param\\.tsas: not a port setting this target has"
    "port_param_integer_refused|param-integer|ports\\[0\\]\\.param\\.max_queue_size: want a string"
    "port_param_pi_refused|param-pi-enabled|ports\\[0\\]\\.param\\.pi_enable: only \"0\""
    "port_param_pool_below_one_transfer_refused|param-pool-too-small|ports\\[0\\] \\(portid 1\\): .*buffer")
  string(REPLACE "|" ";" f "${row}")
  list(GET f 0 name)
  list(GET f 1 file)
  list(GET f 2 re)
  nvmfsim_add_expect_test(cli.target_config_${name} EXPECT 2 STDERR "${re}"
                          COMMAND nvmfsim target --config ${BAD}/${file}.json --check)
endforeach()

# A port's param sets its listener (nvmet's max_queue_size, our buffers,
# connection caps and Connect timer), and --check shows them.
nvmfsim_add_expect_test(cli.target_config_port_params_honoured EXPECT 0
  STDOUT "rdma 127\\.0\\.0\\.1:4420 \\(buffers 32 MiB, connections at most 100 \\(10 per host, 20 before Connect\\), Connect within 2500 ms, receive rings at most 512 MiB\\)"
  COMMAND nvmfsim target --config ${PROJECT_SOURCE_DIR}/fixtures/configs/port-params.json --check)
nvmfsim_add_expect_test(cli.target_resource_flags_shown_by_check EXPECT 0
  STDOUT "\\(buffers 128 MiB, connections at most 64 \\(8 per host, 4 before Connect\\), Connect within 3000 ms, receive rings at most 64 MiB\\)"
  COMMAND nvmfsim target -a 127.0.0.1 --buffers 128M --max-connections 64
  --max-connections-per-host 8 --max-pending-connections 4 --receive-rings 64M
  --connect-timeout 3 --check)
nvmfsim_add_expect_test(cli.target_verbose_prints_device_limits EXPECT 0
  STDOUT "device limits \\(provider fake\\):.*  max_qp +131072.*  max_qp_wr +32768.*  max_mr +16777216"
  COMMAND nvmfsim target -a 127.0.0.1 --provider fake -v --check)
foreach(row "buffers|0|--buffers: want a size above 0" "buffers|1x|--buffers: '1x' is not a size"
            "max-connections|0|--max-connections '0': want 1 to"
            "max-connections-per-host|x|--max-connections-per-host 'x': want 1 to"
            "connect-timeout|0|--connect-timeout '0': want 1 to 3600 seconds"
            "max-pending-connections|0|--max-pending-connections '0': want 1 to"
            "receive-rings|0|--receive-rings: want a size above 0")
  string(REPLACE "|" ";" f "${row}")
  list(GET f 0 opt)
  list(GET f 1 val)
  list(GET f 2 re)
  nvmfsim_add_expect_test(cli.target_${opt}_${val}_exits_2 EXPECT 2 STDERR "${re}"
                          COMMAND nvmfsim target -a 127.0.0.1 --${opt} ${val} --check)
endforeach()

# Only rdma is served: a config without an rdma port would run forever with
# nothing listening (exit 1, the ports named).
nvmfsim_add_expect_test(cli.target_config_tcp_only_nothing_to_listen_on EXPECT 1
  STDERR "nothing to listen on: port 1 is tcp \\(not supported yet\\)"
  COMMAND nvmfsim target --config ${BAD}/tcp-only.json)
nvmfsim_add_expect_test(cli.target_config_loop_only_nothing_to_listen_on EXPECT 1
  STDERR "nothing to listen on: port 1 is loop \\(not supported yet\\)"
  COMMAND nvmfsim target --config ${BAD}/loop-only.json)
nvmfsim_add_expect_test(cli.target_config_example_checks EXPECT 0
  STDOUT "2 subsystems, 3 namespaces, 1 ports; would serve rdma 192\\.0\\.2\\.20:4420"
  COMMAND nvmfsim target --config ${PROJECT_SOURCE_DIR}/fixtures/configs/nvmetcli-example.json
  --check)

# A FIFO as a namespace path used to block open() forever: refused at once.
add_test(NAME cli.target_input_setup_fifo COMMAND ${CMAKE_COMMAND} -DMODE=fifo
         -DDIR=${TARGET_INPUT_DIR} -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(cli.target_input_setup_fifo PROPERTIES FIXTURES_SETUP target_input_fifo)
nvmfsim_add_expect_test(cli.target_config_namespace_fifo_refused EXPECT 2
  STDERR "subsystems\\[0\\]\\.namespaces\\[0\\]\\.device\\.path: .*ns\\.fifo: a FIFO, not a regular file"
  COMMAND nvmfsim target --config ${TARGET_INPUT_DIR}/fifo.json --check)
nvmfsim_add_expect_test(cli.target_ns_file_fifo_refused EXPECT 2
  STDERR "--ns 'file:1M:.*ns\\.fifo': .*a FIFO"
  COMMAND nvmfsim target -a 127.0.0.1 --ns file:1M:${TARGET_INPUT_DIR}/ns.fifo)
set_tests_properties(cli.target_config_namespace_fifo_refused cli.target_ns_file_fifo_refused
                     PROPERTIES FIXTURES_REQUIRED target_input_fifo TIMEOUT 20)

# 20 000 subsystems load (start-up is linear: an NQN index, tables grown as
# used); no timing asserted, the test's timeout is the bound.
add_test(NAME cli.target_input_setup_big COMMAND ${CMAKE_COMMAND} -DMODE=big -DN=20000
         -DON_PORT=256 -DDIR=${TARGET_INPUT_DIR} -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(cli.target_input_setup_big PROPERTIES FIXTURES_SETUP target_input_big)
nvmfsim_add_expect_test(cli.target_config_20000_subsystems_start EXPECT 0
  STDOUT "20000 subsystems, 20000 namespaces, 1 ports; would serve rdma 127\\.0\\.0\\.1:4420"
  COMMAND nvmfsim target --config ${TARGET_INPUT_DIR}/big.json --check)
set_tests_properties(cli.target_config_20000_subsystems_start PROPERTIES
                     FIXTURES_REQUIRED target_input_big TIMEOUT 30)

# ---- the flags (exit 2, the option named) ----
set(EXAMPLE_CFG ${PROJECT_SOURCE_DIR}/fixtures/configs/nvmetcli-example.json)
nvmfsim_add_expect_test(cli.target_config_with_nqn_refused EXPECT 2 STDERR "drop -n/--nqn"
  COMMAND nvmfsim target --config ${EXAMPLE_CFG} -n nqn.2014-08.org.example:foo)
nvmfsim_add_expect_test(cli.target_config_with_trsvcid_refused EXPECT 2 STDERR "drop -s/--trsvcid"
  COMMAND nvmfsim target --config ${EXAMPLE_CFG} -s 5000)
nvmfsim_add_expect_test(cli.target_bad_nqn_exits_2 EXPECT 2
  STDERR "-n/--nqn 'foo': does not start with nqn\\.yyyy-mm\\."
  COMMAND nvmfsim target -a 127.0.0.1 -n foo)
nvmfsim_add_expect_test(cli.target_bad_allow_host_exits_2 EXPECT 2
  STDERR "--allow-host 'foo': does not start with nqn\\.yyyy-mm\\."
  COMMAND nvmfsim target -a 127.0.0.1 --allow-host foo)
nvmfsim_add_expect_test(cli.target_bad_traddr_exits_2 EXPECT 2
  STDERR "-a/--traddr 'foo': want an IPv4 or IPv6 address" COMMAND nvmfsim target -a foo)
nvmfsim_add_expect_test(cli.target_unknown_provider_exits_2 EXPECT 2
  STDERR "--provider 'bogus': unknown; use ibv or fake"
  COMMAND nvmfsim target -a 127.0.0.1 --provider bogus)
nvmfsim_add_expect_test(cli.target_help_states_limits EXPECT 0
  STDOUT "Limits: the file 64 MiB; 65536 subsystems; 65536 hosts; 16 ports; per.subsystem 1024 namespaces \\(NSID 1 to 1024\\) and 256 allowed hosts; per port.256 subsystems and 32 referrals"
  COMMAND nvmfsim target --help)
