# `shardsim-run step` as users run it: 4 local processes as 2 nodes x 2 ranks. Registered only
# once runtime/cli/main.cpp wires the step command and the local launcher (until then the same
# runs are covered in-process by step_command_test.cpp).
set(step_cli_main "")
if(EXISTS ${PROJECT_SOURCE_DIR}/runtime/cli/main.cpp)
  file(READ ${PROJECT_SOURCE_DIR}/runtime/cli/main.cpp step_cli_main)
endif()
if(TARGET shardsim-run AND step_cli_main MATCHES "run_step_command" AND step_cli_main MATCHES "local-ranks" AND step_cli_main MATCHES "ranks-per-node")
  set(step_launch ${SHARDSIM_RUN} --local-ranks 4 --ranks-per-node 2)
  set(step_small --scale-bytes 0.001 --scale-compute 0.001 -n 2 -w 1)
  function(step_cli_pass name regex)
    add_test(NAME runtime.cli.step_${name} COMMAND ${step_launch} step ${ARGN})
    set_tests_properties(runtime.cli.step_${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}" TIMEOUT 120)
  endfunction()
  function(step_cli_fail name status regex)
    add_test(NAME runtime.cli.step_${name} COMMAND ${EXPECT_ERROR} ${status} "${regex}" -- ${step_launch} step ${ARGN})
    set_tests_properties(runtime.cli.step_${name} PROPERTIES TIMEOUT 120)
  endfunction()
  step_cli_pass(toy_zero3 "step time" ${PROJECT_SOURCE_DIR}/scenarios/toy-zero3-2node.json ${step_small})
  step_cli_pass(toy_mics_hierarchical "step time" ${PROJECT_SOURCE_DIR}/scenarios/toy-mics-4node.json --partition-size 4 ${step_small})
  step_cli_pass(emulated_predict "measured / predicted.*\npasses +forward .*\npredicted passes +forward " ${PROJECT_SOURCE_DIR}/scenarios/emulated-zero3.json --accumulation 2
                --predict --topology ${PROJECT_SOURCE_DIR}/topologies/emulated-k2.json ${step_small})
  step_cli_fail(buffer_limit 1 "--max-buffer-bytes" ${PROJECT_SOURCE_DIR}/scenarios/toy-zero3-2node.json --max-buffer-bytes 1K)
  step_cli_fail(predict_shape 1 "pass --topology FILE" ${PROJECT_SOURCE_DIR}/scenarios/toy-zero3-2node.json --predict)
  # The scenario override flags have one definition (sim/scenario_cli): `shardsim simulate` and
  # `shardsim-run step` refuse the same bad value with the same one-line message.
  if(TARGET shardsim)
    set(emulated_mics ${PROJECT_SOURCE_DIR}/scenarios/emulated-mics.json)
    function(same_refusal name message)
      add_test(NAME runtime.cli.simulate_${name}
               COMMAND ${EXPECT_ERROR} 1 "^shardsim: error: ${message}$" -- $<TARGET_FILE:shardsim> simulate ${emulated_mics} ${ARGN})
      step_cli_fail(${name} 1 "^shardsim-run: error: ${message}$" ${emulated_mics} ${ARGN})
    endfunction()
    same_refusal(partition_size_zero "--partition-size must be positive, got 0" --partition-size 0)
    same_refusal(hierarchical_maybe "--hierarchical must be on or off" --hierarchical maybe)
    same_refusal(accumulation_zero "--accumulation must be at least 1, got 0" --accumulation 0)
  endif()
  # The GEMM sweep behind the compute-efficiency calibration (CPU stand-in: 10 us-1 ms sleeps).
  add_test(NAME runtime.cli.gemm_sleep
           COMMAND ${step_launch} gemm --instance emulated-k2 --min-flops 1e5 --max-flops 1e7 --stepfactor 10 -n 2 -w 1)
  set_tests_properties(runtime.cli.gemm_sleep PROPERTIES PASS_REGULAR_EXPRESSION "1e\\+07 +[0-9.]+ +[0-9.]+ +0\\.0" TIMEOUT 120)
  add_test(NAME runtime.cli.gemm_needs_instance COMMAND ${EXPECT_ERROR} 1 "name that model with --instance"
           -- ${step_launch} gemm)
  set_tests_properties(runtime.cli.gemm_needs_instance PROPERTIES TIMEOUT 120)
endif()
