# Issue 17: outputs never lost, truncated or replaced (a full disk emulated with a file size limit,
# /dev/full, closed standard streams, devices, FIFOs and symlinks as outputs, output = input), and
# a rendezvous that never hangs when MASTER_PORT is held by another program or nobody listens.
add_test(NAME cli.robust_outputs COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/robust_outputs.sh $<TARGET_FILE:shardsim>)
set_tests_properties(cli.robust_outputs PROPERTIES TIMEOUT 300)
if(TARGET shardsim-run)
  add_test(NAME cli.rendezvous_deadline COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/rendezvous_deadline.sh $<TARGET_FILE:shardsim-run>)
  set_tests_properties(cli.rendezvous_deadline PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
endif()
