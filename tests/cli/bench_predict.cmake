# `shardsim-run bench --predict`: shardsim's prediction of each live row on the modelled cluster,
# with NCCL's modelled algorithm, protocol and channels (issue 13); its options checked before any
# rank starts.
if(TARGET shardsim-run)
  add_test(NAME cli.bench_predict_table
           COMMAND $<TARGET_FILE:shardsim-run> --local-ranks 8 --ranks-per-node 8 bench --ops all_gather -b 1M -e 8M -f 8 -n 1 -w 0
                   --predict --topology p4d.24xlarge --nccl 2.28)
  set_tests_properties(cli.bench_predict_table PROPERTIES TIMEOUT 120
                       PASS_REGULAR_EXPRESSION "shardsim's prediction \\(NCCL 2\\.28's model on p4d\\.24xlarge\\).*formula \\(us\\).*all_gather +1048576 +[0-9.]+ +[0-9.]+ +[0-9.]+ +Ring +LL +[0-9]+")
  add_test(NAME cli.bench_predict_json
           COMMAND $<TARGET_FILE:shardsim-run> --local-ranks 2 --ranks-per-node 2 bench --ops all_reduce -b 4K -e 4K -n 1 -w 0 --json
                   --predict --topology ${CMAKE_SOURCE_DIR}/topologies/emulated-k2.json)
  set_tests_properties(cli.bench_predict_json PROPERTIES TIMEOUT 120
                       PASS_REGULAR_EXPRESSION "\"predicted_algorithm\": \"ring\",[ \n]*\"predicted_time_s\": [0-9.e-]+")
  add_test(NAME cli.bench_predict_needs_topology
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.sh 1 "^shardsim-run: error: --predict needs --topology" --
                   $<TARGET_FILE:shardsim-run> --local-ranks 2 bench -b 1K -e 1K --predict)
  add_test(NAME cli.bench_predict_wrong_shape
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.sh 1 "^shardsim-run: error: --predict: p4d\\.24xlarge has 8 GPUs per node but this job runs 2 ranks per node" --
                   $<TARGET_FILE:shardsim-run> --local-ranks 2 bench -b 1K -e 1K --predict --topology p4d.24xlarge)
  # --nccl-choice reads NCCL's own TUNING log: NCCL only, and never over the user's NCCL_DEBUG.
  add_test(NAME cli.bench_nccl_choice_needs_nccl
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.sh 1 "^shardsim-run: error: --nccl-choice needs --backend nccl" --
                   $<TARGET_FILE:shardsim-run> --local-ranks 2 bench -b 1K -e 1K --nccl-choice)
  add_test(NAME cli.bench_nccl_choice_keeps_user_debug
           COMMAND ${CMAKE_COMMAND} -E env NCCL_DEBUG=WARN ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.sh 1
                   "^shardsim-run: error: --nccl-choice sets NCCL_DEBUG itself, but it is already set \\(NCCL_DEBUG=WARN\\)" --
                   $<TARGET_FILE:shardsim-run> --backend nccl --local-ranks 2 bench -b 1K -e 1K --nccl-choice)
endif()
