# nvmfsim io tells the truth (issue 13): each test, against the embedded
# simulator, asserts the exit status and the line that says what happened.

# --depth above the queue the target grants (CAP.MQES 1023: 1024 entries) is
# clamped with a note, and the run completes.
nvmfsim_add_expect_test(cli.io_depth_clamped_to_granted_queue_with_note EXPECT 0
  STDERR "note: --depth 2048 clamped to 1024: the target's I/O queues hold 1024 entries"
  COMMAND nvmfsim io --queues 1 --depth 2048 --block 4k --size 8M)
# The embedded target's MDTS is 8 (1 MiB pages of 4 KiB): a 2 MiB command is
# refused before any I/O, naming --block and the limit.
nvmfsim_add_expect_test(cli.io_block_above_mdts_refused EXPECT 2
  STDERR "--block 2097152 is above the target's maximum data transfer of 1048576 bytes \\(MDTS 8"
  COMMAND nvmfsim io --block 2M --size 4M)
nvmfsim_add_expect_test(cli.io_size_below_block_refused EXPECT 2
  STDERR "--size 4096 is below one --block \\(131072\\)"
  COMMAND nvmfsim io --size 4k)
# A keyed SGL data block's length has 24 bits: 16M is one byte too many.
nvmfsim_add_expect_test(cli.io_block_above_keyed_sgl_limit_refused EXPECT 2
  STDERR "--block '16M': 1 to 16777215 bytes \\(16M - 1"
  COMMAND nvmfsim io --block 16M --size 32M)
nvmfsim_add_expect_test(cli.io_namespace_id_zero_refused_with_range EXPECT 2
  STDERR "--namespace-id '0': 1 to 4294967294 \\(0 and FFFFFFFFh name no single namespace\\)"
  COMMAND nvmfsim io --namespace-id 0)
# 8 commands over 128 queues of up to 65536: queues of 2 entries, buffers
# for the commands only (2 x 128 KiB for each of the 9 queues that write or
# read a block, a Read going to the next queue), and the geometry.
nvmfsim_add_expect_test(cli.io_buffers_bounded_by_commands EXPECT 0
  STDOUT "128 of 128 I/O queues granted, 8 carry commands, 2 entries each, depth 1 \\(asked 65536\\), 8 x 131072-byte commands per phase, 0 to 1 per queue.*buffers 2304 KiB.*read +8 commands, 0 errors, 0 mismatches"
  COMMAND nvmfsim io --queues 128 --depth 65536 --size 1M)
set_tests_properties(cli.io_buffers_bounded_by_commands PROPERTIES TIMEOUT 120)
# Entries are asked for after Number of Queues: 1024 queues asked, 128
# granted (the embedded target's limit), so the queues sized for 1024 (2
# entries) are connected again for 128 (4 entries: the 4 commands each).
nvmfsim_add_expect_test(cli.io_queues_sized_for_the_queues_granted EXPECT 0
  STDERR "note: the target granted 128 of the 1024 I/O queues asked, whose 2 entries were sized for 1024 queues; connecting again for 128 queues of 4 entries"
  STDOUT "128 of 1024 I/O queues granted, 128 carry commands, 4 entries each, depth 4 \\(asked 32\\), 512 x 131072-byte commands per phase, 4 per queue"
  COMMAND nvmfsim io --queues 1024 --depth 32 --size 64M)
set_tests_properties(cli.io_queues_sized_for_the_queues_granted PROPERTIES TIMEOUT 120)
# Commands go round-robin: 4 queues, 4 commands, each queue carries one.
nvmfsim_add_expect_test(cli.io_commands_spread_over_all_queues EXPECT 0
  STDOUT "4 of 4 I/O queues granted, 4 carry commands, 2 entries each, depth 1 \\(asked 32\\), 4 x 131072-byte commands per phase, 1 per queue"
  COMMAND nvmfsim io --queues 4 --size 512k)
# A dropped Read completion stops the run after the I/O timeout (default
# 5 s), naming the command (queue, CID, opcode, LBA).
nvmfsim_add_expect_test(cli.io_lost_command_named_after_timeout EXPECT 1
  STDERR "read phase: no completion within 5 s for queue 1 CID 0x[0-9a-f]+ \\(Read, opcode 02h, LBA [0-9]+, 256 blocks\\); the run stops"
  COMMAND nvmfsim io --queues 1 --depth 4 --size 1M --inject opcode=0x02,io,drop,count=1)
set_tests_properties(cli.io_lost_command_named_after_timeout PROPERTIES TIMEOUT 60)
# The stop is reported with the phase so far: the 2 failed Reads before
# the lost one are counted by status, the run stops after --io-timeout.
nvmfsim_add_expect_test(cli.io_stopped_phase_reported_with_its_errors EXPECT 1
  STDOUT "read +7 commands \\(stopped\\), 2 errors, 0 mismatches.*errors by status: 2 × Unrecovered Read Error \\(2/81h\\)"
  STDERR "FAILED: the run stopped in the read phase \\(timeout\\)"
  COMMAND nvmfsim io --queues 1 --depth 4 --size 1M --io-timeout 1
          --inject opcode=0x02,io,status=2:81,count=2 --inject opcode=0x02,io,drop,count=1)
# -o json says why the run stopped, naming the command.
nvmfsim_add_expect_test(cli.io_json_failure_names_the_lost_command EXPECT 1
  STDOUT "\"read\":[^}]*\"stopped\":true.*\"failure\":[^}]*\"kind\":\"timeout\",[^}]*\"phase\":\"read\",[^}]*\"queue\":1,[^}]*\"cid\":[0-9]+,[^}]*\"opcode\":2,[^}]*\"lba\":[0-9]+"
  COMMAND nvmfsim io --queues 1 --depth 4 --size 1M --io-timeout 1 -o json
          --inject opcode=0x02,io,drop,count=1)
# Keep Alive at KATO / 2 keeps a run longer than KATO alive: every Write
# is held 200 ms and one goes at a time, so the write phase lasts at least
# 2 s, twice KATO (1 s); the first Keep Alive goes at 500 ms, so at least
# 3 are sent (counted, not timed), and without them the target would have
# ended the association.
nvmfsim_add_expect_test(cli.io_keep_alive_outlives_kato EXPECT 0
  STDOUT "write +10 commands, 0 errors.*read +10 commands, 0 errors, 0 mismatches.*keep-alive: ([3-9]|[1-9][0-9]+) Keep Alive commands sent, one per 500 ms"
  COMMAND nvmfsim io --keep-alive-tmo 1 --queues 1 --depth 1 --block 4k --size 40k
          --inject opcode=0x01,io,delay-us=200000)
set_tests_properties(cli.io_keep_alive_outlives_kato PROPERTIES TIMEOUT 60)
# A large run under a short KATO completes (issue 13's acceptance run).
nvmfsim_add_expect_test(cli.io_large_run_outlives_kato EXPECT 0
  STDOUT "read +6144 commands, 0 errors, 0 mismatches.*keep-alive: [0-9]+ Keep Alive commands sent, one per 500 ms"
  COMMAND nvmfsim io --keep-alive-tmo 1 --queues 2 --depth 8 --size 768M)
set_tests_properties(cli.io_large_run_outlives_kato PROPERTIES TIMEOUT 120)
# The first Keep Alive (at 500 ms) is dropped: the target ends the
# association at KATO (1 s) while the second Write is held (from 0.7 to
# 1.4 s), and the queue's death names it (exit 1).
nvmfsim_add_expect_test(cli.io_queue_death_names_the_oldest_command EXPECT 1
  STDERR "write phase: queue 1 died \\([^)]*\\) with 1 commands outstanding, the oldest queue 1 CID 0x[0-9a-f]+ \\(Write, opcode 01h, LBA [0-9]+, 8 blocks\\).*FAILED: the run stopped in the write phase \\(queue_died\\)"
  COMMAND nvmfsim io --keep-alive-tmo 1 --queues 1 --depth 1 --block 4k --size 40k
          --inject opcode=0x01,io,delay-us=700000 --inject opcode=0x18,admin,drop,count=1)
set_tests_properties(cli.io_queue_death_names_the_oldest_command PROPERTIES TIMEOUT 60)
# Errors counted by status name, the first failing command printed; the
# blocks whose Write failed are not judged as mismatches.
nvmfsim_add_expect_test(cli.io_errors_counted_by_status EXPECT 1
  STDOUT "write +32 commands, 2 errors.*errors by status: 2 × Internal Error \\(0/06h\\).*first error: queue [0-9]+ CID 0x[0-9a-f]+ \\(Write, opcode 01h, LBA [0-9]+, 256 blocks\\): Internal Error \\(0/06h\\).*read +32 commands, 0 errors, 0 mismatches.*2 blocks not verified"
  COMMAND nvmfsim io --queues 2 --size 4M --inject opcode=0x01,io,status=0:6,count=2)
# A failed Read is an error, never a mismatch.
nvmfsim_add_expect_test(cli.io_failed_read_is_an_error_not_a_mismatch EXPECT 1
  STDOUT "read +32 commands, 4 errors, 0 mismatches.*4 × Unrecovered Read Error \\(2/81h\\)"
  COMMAND nvmfsim io --queues 2 --size 4M --inject opcode=0x02,io,status=2:81,dnr,every=8)
nvmfsim_add_expect_test(cli.io_timeout_zero_refused EXPECT 2
  STDERR "--io-timeout '0': seconds, 1 to 3600" COMMAND nvmfsim io --io-timeout 0)
nvmfsim_add_expect_test(cli.io_help_documents_every_option EXPECT 0
  STDOUT "--queues.*--depth.*--size.*--block.*--namespace-id.*--io-timeout.*--keep-alive-tmo.*exit status:.*77 "
  COMMAND nvmfsim io --help)
