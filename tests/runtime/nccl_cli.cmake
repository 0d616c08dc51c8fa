# shardsim-run --backend nccl on a machine without a usable GPU: one line naming the rank and
# CUDA's reason, exit status 1, no crash. CUDA_VISIBLE_DEVICES is emptied so the test asserts the
# same path on a GPU machine. Where the NCCL backend was not built, the same flag must say so.
if(TARGET shardsim-run)
  set(nccl_cli_run ${CMAKE_COMMAND} -E env CUDA_VISIBLE_DEVICES= ${EXPECT_ERROR})
  set(nccl_cli_bench bench --ops all_reduce -b 1K -e 1K)
  if(TARGET shardsim_runtime_nccl)
    add_test(NAME runtime.nccl_no_device
             COMMAND ${nccl_cli_run} 1 "^shardsim-run: error: rank 0: no CUDA device visible \\(cudaGetDeviceCount: .+\\); use --backend cpu$"
                     -- $<TARGET_FILE:shardsim-run> --backend nccl ${nccl_cli_bench})
    add_test(NAME runtime.nccl_no_device_local_ranks
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/nccl_local_ranks.sh $<TARGET_FILE:shardsim-run>)
    # Needs 2 or more GPUs; skips (77) everywhere else, which is every machine this project has had.
    add_test(NAME runtime.nccl_gpu_end_to_end
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/nccl_gpu.sh $<TARGET_FILE:shardsim-run> ${PROJECT_SOURCE_DIR}/scenarios nccl)
    set_tests_properties(runtime.nccl_gpu_end_to_end PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
  else()
    add_test(NAME runtime.nccl_not_built
             COMMAND ${nccl_cli_run} 1 "built without NCCL \\(CUDA/NCCL not found at configure time\\)"
                     -- $<TARGET_FILE:shardsim-run> --backend nccl ${nccl_cli_bench})
  endif()
endif()
