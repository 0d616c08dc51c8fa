# Issue 17: outputs never lost, truncated or replaced (a full disk emulated with a file size limit,
# /dev/full, closed standard streams, devices, FIFOs and symlinks as outputs, output = input), and
# a rendezvous that never hangs when MASTER_PORT is held by another program or nobody listens.
add_test(NAME cli.robust_outputs COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/robust_outputs.sh $<TARGET_FILE:shardsim>)
set_tests_properties(cli.robust_outputs PROPERTIES TIMEOUT 300)
if(TARGET shardsim-run)
  add_test(NAME cli.rendezvous_deadline COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/rendezvous_deadline.sh $<TARGET_FILE:shardsim-run>)
  set_tests_properties(cli.rendezvous_deadline PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
endif()
# Runtime checks whose message depends on the machine (resolver, memory size), so they are matched
# by pattern here rather than written into docs/bad-inputs.md.
if(TARGET shardsim-run)
  function(run_fail name regex)
    add_test(NAME cli.run_${name} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.sh 1 "${regex}" -- $<TARGET_FILE:shardsim-run> ${ARGN})
  endfunction()
  run_fail(unresolvable_hostname "^shardsim-run: error: --hostname 'no-such-host\\.invalid': cannot be resolved \\(.+\\)"
           --hostname no-such-host.invalid --local-ranks 2 bench -b 1K -e 1K)
  run_fail(bench_beyond_memory "^shardsim-run: error: -e 1T: the largest size needs about 4\\.00 TiB per rank"
           --local-ranks 2 bench -b 1T -e 1T)
endif()
