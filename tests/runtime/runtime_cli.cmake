# shardsim-run with real processes: the launcher, the bench output, and failure behaviour.
if(TARGET shardsim-run)
  set(launcher_cases ${CMAKE_CURRENT_SOURCE_DIR}/launcher_cases.sh)
  foreach(case bench_json table kill_rank stall_rank mismatched_arguments tcp_rendezvous inter_node_delay)
    add_test(NAME runtime.cli.${case} COMMAND ${launcher_cases} ${case} ${SHARDSIM_RUN})
    set_tests_properties(runtime.cli.${case} PROPERTIES TIMEOUT 60)
  endforeach()

  function(runtime_fail name status regex)
    add_test(NAME runtime.cli.${name} COMMAND ${EXPECT_ERROR} ${status} "${regex}" -- ${SHARDSIM_RUN} ${ARGN})
  endfunction()
  runtime_fail(bad_group 1 "--group 'partition:3': the partition size 3 does not divide the 4 ranks"
               --local-ranks 4 bench --group partition:3)
  runtime_fail(bad_op 1 "unknown collective 'all_to_all'" --local-ranks 2 bench --ops all_to_all)
  runtime_fail(bad_size 1 "^shardsim-run: error: -b: " --local-ranks 2 bench -b 1Q)
  runtime_fail(bad_ranks_per_node 1 "^shardsim-run: error: 3 ranks per node does not divide the 4 ranks$" --local-ranks 4 --ranks-per-node 3 bench)
  runtime_fail(no_rendezvous 1 "no rendezvous for 2 ranks: set MASTER_ADDR and MASTER_PORT"
               bench -b 1K -e 1K)
  set_tests_properties(runtime.cli.no_rendezvous PROPERTIES ENVIRONMENT "RANK=1;WORLD_SIZE=2;MASTER_ADDR=;SHARDSIM_STORE_DIR=")
  runtime_fail(unreachable_rendezvous 1 "^shardsim-run: error: cannot reach rendezvous at 127.0.0.1:9 within 1 s"
               --timeout-s 1 bench -b 1K -e 1K)
  set_tests_properties(runtime.cli.unreachable_rendezvous PROPERTIES
                       ENVIRONMENT "RANK=1;WORLD_SIZE=2;MASTER_ADDR=127.0.0.1;MASTER_PORT=9;SHARDSIM_STORE_DIR=" TIMEOUT 20)
  add_test(NAME runtime.cli.single_rank COMMAND ${SHARDSIM_RUN} bench -b 1K -e 1K -n 1 -w 0)
  set_tests_properties(runtime.cli.single_rank PROPERTIES PASS_REGULAR_EXPRESSION "Out of bounds values : 0 OK"
                       ENVIRONMENT "RANK=;WORLD_SIZE=;SHARDSIM_STORE_DIR=;MASTER_ADDR=" TIMEOUT 20)
endif()
