# `shardsim-run step` as users run it: 4 local processes as 2 nodes x 2 ranks. Registered only
# once runtime/cli/main.cpp wires the step command and the local launcher (until then the same
# runs are covered in-process by step_command_test.cpp).
file(READ ${PROJECT_SOURCE_DIR}/runtime/cli/main.cpp step_cli_main)
if(step_cli_main MATCHES "run_step_command" AND step_cli_main MATCHES "local-ranks" AND step_cli_main MATCHES "ranks-per-node")
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
  step_cli_pass(emulated_predict "measured / predicted" ${PROJECT_SOURCE_DIR}/scenarios/emulated-zero3.json --accumulation 2
                --predict --topology ${PROJECT_SOURCE_DIR}/topologies/emulated-k2.json ${step_small})
  step_cli_fail(buffer_limit 1 "--max-buffer-bytes" ${PROJECT_SOURCE_DIR}/scenarios/toy-zero3-2node.json --max-buffer-bytes 1K)
  step_cli_fail(predict_shape 1 "pass --topology FILE" ${PROJECT_SOURCE_DIR}/scenarios/toy-zero3-2node.json --predict)
endif()
