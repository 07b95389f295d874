# Bad local input: each test asserts exit 2 (or 1 where the run itself
# failed) and a message naming the element or option (cmake/ExpectExit.cmake).
set(PROFILES ${PROJECT_SOURCE_DIR}/fixtures/profiles)
set(NVMFSIM_EXE $<TARGET_FILE:nvmfsim>)

# ---- sizes (cli_parse_size): every suffix read, nothing cut, rounded or wrapped ----
nvmfsim_add_expect_test(cli.size_plain_and_k EXPECT 0 STDOUT "1024 x 512-byte commands"
                        COMMAND nvmfsim io --queues 1 --size 512k --block 512)
# --block 3 parses but does not divide --size: the message shows the bytes.
nvmfsim_add_expect_test(cli.size_M EXPECT 2 STDERR "--size 67108864 is not a multiple"
                        COMMAND nvmfsim io --size 64M --block 3)
nvmfsim_add_expect_test(cli.size_G EXPECT 2 STDERR "--size 1073741824 is not a multiple"
                        COMMAND nvmfsim io --size 1G --block 3)
nvmfsim_add_expect_test(cli.size_T EXPECT 2 STDERR "--size 1099511627776 exceeds the namespace"
                        COMMAND nvmfsim io --size 1T)
nvmfsim_add_expect_test(cli.size_long_text_not_cut EXPECT 0 STDOUT "32 x 131072-byte commands"
                        COMMAND nvmfsim io --queues 1 --size 0000000000000000000000000000000000004M)
nvmfsim_add_expect_test(cli.size_overflow_refused EXPECT 2
                        STDERR "'99999999999999999999' is more than 2\\^64 - 1 bytes"
                        COMMAND nvmfsim io --size 99999999999999999999)
nvmfsim_add_expect_test(cli.size_suffix_overflow_refused EXPECT 2
                        STDERR "'16777216T' is more than 2\\^64 - 1 bytes"
                        COMMAND nvmfsim io --size 16777216T)
nvmfsim_add_expect_test(cli.size_trailing_garbage_refused EXPECT 2 STDERR "'4Mx' is not a size"
                        COMMAND nvmfsim io --size 4Mx)
nvmfsim_add_expect_test(cli.size_not_multiple_of_block_refused EXPECT 2
                        STDERR "--size 233472 is not a multiple of --block 131072"
                        COMMAND nvmfsim io --size 228k)
nvmfsim_add_expect_test(cli.size_below_one_block_refused EXPECT 2
                        STDERR "--size 102400 is below one --block \\(131072\\)"
                        COMMAND nvmfsim io --size 100k)
# 27 zeros and 512G fill the 31 bytes the --ns parser used to copy: the x
# after them was cut and a 512 GiB namespace made.
nvmfsim_add_expect_test(cli.target_ns_size_text_not_cut EXPECT 2
                        STDERR "--ns 'ram:0+512Gx': SIZE: .* is not a size"
                        COMMAND nvmfsim target -a 127.0.0.1 --ns ram:000000000000000000000000000512Gx)
nvmfsim_add_expect_test(cli.target_ns_size_not_lba_multiple_refused EXPECT 2
                        STDERR "--ns 'ram:1000': SIZE: .*not a multiple of 512"
                        COMMAND nvmfsim target -a 127.0.0.1 --ns ram:1000)
nvmfsim_add_expect_test(cli.target_ns_unknown_kind_refused EXPECT 2
                        STDERR "--ns 'disk:1G': want ram:SIZE, null:SIZE or file:SIZE:PATH"
                        COMMAND nvmfsim target -a 127.0.0.1 --ns disk:1G)
nvmfsim_add_expect_test(cli.target_ns_path_only_for_files EXPECT 2
                        STDERR "--ns 'null:1G:/x': null takes no PATH"
                        COMMAND nvmfsim target -a 127.0.0.1 --ns null:1G:/x)
nvmfsim_add_expect_test(cli.target_ns_file_needs_a_path EXPECT 2
                        STDERR "--ns 'file:1G:': file: .*PATH missing"
                        COMMAND nvmfsim target -a 127.0.0.1 --ns file:1G:)

# ---- host IDs (cli_parse_hostid): exactly 8-4-4-4-12 hex digits ----
foreach(bad "leading_space| f01fb42-9f7f-4856-b0b3-51e60b8de349"
            "extra_dash|0f01fb42-9f7f-4856-b0b3-51e6-0b8de349"
            "missing_dash|0f01fb429f7f-4856-b0b3-51e60b8de349a"
            "trailing_dash|0f01fb42-9f7f-4856-b0b3-51e60b8de349-"
            "not_hex|0f01fb42-9f7f-4856-b0b3-51e60b8de34g")
  string(REPLACE "|" ";" pair "${bad}")
  list(GET pair 0 what)
  list(GET pair 1 id)
  nvmfsim_add_expect_test(cli.hostid_${what}_refused EXPECT 2
                          STDERR "-I/--hostid '${id}': want a UUID"
                          COMMAND nvmfsim identify -I ${id})
endforeach()
nvmfsim_add_expect_test(cli.hostid_upper_case_accepted EXPECT 0 STDOUT "NVME Identify Controller"
                        COMMAND nvmfsim identify -I 0F01FB42-9F7F-4856-B0B3-51E60B8DE349)

# ---- NQNs (cli_check_nqn, NVMe Base 2.0 §4.5) for -n and -q ----
string(REPEAT "x" 200 long)
set(short_uuid 0f01fb42-9f7f-4856-b0b3-51e60b8de34)
foreach(bad "no_prefix|-n|foo|does not start with nqn.yyyy-mm."
            "bad_month|-n|nqn.2014-13.org.example:x|does not start with nqn.yyyy-mm."
            "bad_uuid|-q|nqn.2014-08.org.nvmexpress:uuid:${short_uuid}|'${short_uuid}' is not a UUID"
            "empty_label|-q|nqn.2014-08..org:x|an empty label in the domain"
            "no_name|-n|nqn.2014-08.org.example|no ':name' after the domain"
            "empty_name|-n|nqn.2014-08.org.example:|nothing after the ':'"
            "too_long|-q|nqn.2014-08.org.example:${long}|224 bytes: an NQN is at most 223")
  string(REPLACE "|" ";" t "${bad}")
  list(GET t 0 what)
  list(GET t 1 opt)
  list(GET t 2 nqn)
  list(GET t 3 why)
  if(opt STREQUAL "-q")
    nvmfsim_add_expect_test(cli.nqn_${what}_refused EXPECT 2
                            STDERR "${opt}/--[a-z]*nqn '.*': ${why}"
                            COMMAND nvmfsim identify ${opt} ${nqn})
  else()
    # a target's subsystem name is sent as given, with a warning (Linux
    # nvmet takes any name); the embedded simulator then refuses it
    nvmfsim_add_expect_test(cli.nqn_${what}_warned EXPECT 1
                            STDERR "warning: ${opt}/--[a-z]*nqn '.*' is not an NQN \\(${why}"
                            COMMAND nvmfsim identify ${opt} ${nqn})
  endif()
endforeach()
# Bytes CMake cannot hold in a list: printf makes them.
nvmfsim_add_expect_test(cli.nqn_not_utf8_refused EXPECT 2 STDERR "byte 24 is not UTF-8"
  COMMAND sh -c "exec \"$0\" identify -q \"$(printf 'nqn.2014-08.org.example:\\300\\200')\""
          ${NVMFSIM_EXE})
nvmfsim_add_expect_test(cli.nqn_control_character_refused EXPECT 2
  STDERR "byte 24 is a control character"
  COMMAND sh -c "exec \"$0\" identify -q \"$(printf 'nqn.2014-08.org.example:\\033x')\""
          ${NVMFSIM_EXE})
nvmfsim_add_expect_test(cli.nqn_discovery_accepted EXPECT 0 STDOUT "cntrltype : 2"
                        COMMAND nvmfsim identify -n nqn.2014-08.org.nvmexpress.discovery)

# ---- --inject rules (cli_parse_inject): contradictions refused, naming the key ----
foreach(bad "two_actions|drop,status=2:81|'status=2:81' and 'drop' contradict: give one action"
            "delay_and_drop|delay-us=5,drop|'delay-us=5' and 'drop' contradict"
            "admin_with_io|opcode=2,admin,io,drop|'admin' and 'io' contradict"
            "admin_with_lba|admin,lba=0-7,drop|'admin' and 'lba=0-7' contradict"
            "io_on_qid_0|qid=0,io,drop|'qid=0' and 'io' contradict"
            "empty_sct|status=:81|'status=:81': want status=SCT:SC"
            "empty_sc|status=2:|'status=2:': want status=SCT:SC"
            "success_status|status=0:0|'status=0:0' is a successful completion, not a fault"
            "unknown_key|opcode=2,colour=blue|'colour=blue': unknown key 'colour'"
            "empty_field|opcode=2,,drop|an empty field"
            "trailing_comma|drop,|an empty field"
            "empty_value|opcode=,drop|'opcode=': opcode needs a value"
            "repeated_key|opcode=1,opcode=2,drop|'opcode=2': opcode is given twice"
            "dnr_without_status|dnr,drop|'dnr' and 'drop' contradict"
            "flag_with_value|io=1,drop|'io=1': io takes no value"
            "zero_every|every=0,drop|'every=0': want 1 to"
            "opcode_range|opcode=256,drop|'opcode=256': want 0 to 255"
            "no_action|opcode=2|say what to do")
  string(REPLACE "|" ";" t "${bad}")
  list(GET t 0 what)
  list(GET t 1 rule)
  list(GET t 2 why)
  nvmfsim_add_expect_test(cli.inject_${what}_refused EXPECT 2 STDERR "--inject '${rule}': ${why}"
                          COMMAND nvmfsim io --inject ${rule})
endforeach()

# ---- exit codes: 0 success, 1 a failed run, 2 a usage or input error ----
foreach(cmd "" discover identify io conform fuzz)
  set(name "${cmd}")
  if(name STREQUAL "")
    set(name top_level)
  endif()
  nvmfsim_add_expect_test(cli.help_states_exit_codes.${name} EXPECT 0
                          STDOUT "exit status:.*0   success.*1   the run failed.*2   a usage.*77 "
                          COMMAND nvmfsim ${cmd} --help)
endforeach()
nvmfsim_add_expect_test(cli.discover_inject_with_address_exits_2 EXPECT 2
                        STDERR "--inject acts on the embedded simulator"
                        COMMAND nvmfsim discover --inject drop -a 192.0.2.1)
string(REPEAT "1" 64 addr64)
nvmfsim_add_expect_test(cli.traddr_too_long_exits_2 EXPECT 2
                        STDERR "-a/--traddr '1+': want an address or host name of 1 to 63 bytes"
                        COMMAND nvmfsim discover -a ${addr64})
nvmfsim_add_expect_test(cli.trsvcid_not_a_port_exits_2 EXPECT 2
                        STDERR "-s/--trsvcid '70000': want a port"
                        COMMAND nvmfsim discover -a 192.0.2.1 -s 70000)
nvmfsim_add_expect_test(cli.provider_without_address_exits_2 EXPECT 2
                        STDERR "--provider needs -a/--traddr"
                        COMMAND nvmfsim identify --provider fake)
foreach(cmd discover identify io)
  nvmfsim_add_expect_test(cli.bogus_provider_exits_2.${cmd} EXPECT 2
                          STDERR "--provider 'bogus': use ibv or fake"
                          COMMAND nvmfsim ${cmd} --provider bogus)
  # Output that never reached its file is a failed run.
  nvmfsim_add_expect_test(cli.write_failure_exits_1.${cmd} EXPECT 1
                          STDERR "nvmfsim ${cmd}: writing the standard output failed"
                          COMMAND sh -c "exec \"$0\" \"$@\" >/dev/full" ${NVMFSIM_EXE} ${cmd})
endforeach()
nvmfsim_add_expect_test(cli.identify_inactive_namespace_exits_1 EXPECT 1
                        STDERR "namespace 2 is inactive \\(Identify Namespace returned zeroed data"
                        COMMAND nvmfsim identify -N 2)
nvmfsim_add_expect_test(cli.io_inactive_namespace_exits_1 EXPECT 1
                        STDERR "namespace 2 is inactive"
                        COMMAND nvmfsim io -N 2 --size 1M)
# --depth above the granted queue is clamped with a note (issue 13):
# cli.io_depth_clamped_to_granted_queue_with_note in io_tests.cmake.
foreach(cmd discover identify)
  nvmfsim_add_expect_test(cli.no_target_listening_says_so.${cmd} EXPECT 1
                          STDERR "at 127.0.0.1:4420 failed: no target listens there"
                          COMMAND nvmfsim ${cmd} --provider fake -a 127.0.0.1
                                  -n nqn.2014-08.org.example:x)
endforeach()
