# `simulate` and `schedule`: runs over the shipped scenarios that must pass, and runs that must fail
# with one line naming the problem. cli_pass / cli_fail come from cli.cmake.
set(SCENARIOS ${CMAKE_SOURCE_DIR}/scenarios)
set(TEST_DATA ${CMAKE_SOURCE_DIR}/tests/data)
set(STEP_TRACE ${CMAKE_BINARY_DIR}/cli-step-trace.json)

cli_pass(simulate_table "step time +[0-9.]+ m?s" simulate ${SCENARIOS}/toy-zero3-2node.json)
cli_pass(simulate_json "\"step_time_s\": [0-9.e+-]+" simulate ${SCENARIOS}/toy-mics-4node.json --json)
cli_pass(simulate_passes "passes +forward [0-9.]+ m?s, backward [0-9.]+ m?s( per micro-step)?, optimizer step" simulate ${SCENARIOS}/toy-zero3-2node.json)
cli_pass(simulate_json_passes "\"passes\": \\{\n +\"micro_steps\": \\[" simulate ${SCENARIOS}/toy-mics-4node.json --json)
# Compute time lost to collectives in flight (sim/compute/interference.hpp): positive on p4d.
cli_pass(simulate_json_interference "\"interference_s\": [0-9]*\\.[0-9]*[1-9]" simulate ${SCENARIOS}/toy-mics-4node.json --json)
cli_pass(schedule_json_kernels "\"kernels\": \\[" schedule ${SCENARIOS}/toy-mics-4node.json --json)
cli_pass(simulate_overrides "strategy mics \\(partition size 16, hierarchical gather on\\)"
         simulate ${SCENARIOS}/toy-zero3-2node.json --strategy mics --partition-size 16 --hierarchical on)
cli_pass(simulate_trace "step time" simulate ${SCENARIOS}/toy-mics-4node.json --trace ${STEP_TRACE})
# The trace file holds Chrome/Perfetto events; a fixture runs the writer first under ctest -j.
add_test(NAME cli.simulate_trace_written COMMAND ${CMAKE_COMMAND} -E cat ${STEP_TRACE})
set_tests_properties(cli.simulate_trace PROPERTIES FIXTURES_SETUP step_trace)
set_tests_properties(cli.simulate_trace_written PROPERTIES FIXTURES_REQUIRED step_trace
                     PASS_REGULAR_EXPRESSION "\"traceEvents\":\\[.*\"ph\":\"X\"")
cli_pass(schedule_json "\"ops\"" schedule ${SCENARIOS}/toy-mics-4node.json --rank 3 --json)
cli_pass(schedule_table "schedule of rank 3" schedule ${SCENARIOS}/toy-mics-4node.json --rank 3)
cli_pass(simulate_deepspeed "strategy mics \\(partition size 16, hierarchical gather on\\), micro-batch 2, 8 micro-steps"
         simulate ${SCENARIOS}/toy-mics-4node.json --deepspeed ${SCENARIOS}/deepspeed/mics-ds-config.json)

cli_fail(simulate_missing_file 1 "/nonexistent/s\\.json: no such file" simulate /nonexistent/s.json)
cli_fail(simulate_malformed_json 1 "bad-truncated\\.json:5:1: malformed JSON" simulate ${TEST_DATA}/bad-truncated.json)
cli_fail(simulate_zero_nodes_in_file 1 "bad-zero-nodes\\.json: /cluster/nodes: expected an integer in \\[1, [0-9]+\\], found 0"
         simulate ${TEST_DATA}/bad-zero-nodes.json)
cli_fail(simulate_unknown_key 1 "/activation_checkpoint: unknown field 'activation_checkpoint' \\(did you mean 'activation_checkpointing'\\?\\)"
         simulate ${TEST_DATA}/bad-unknown-key.json)
cli_fail(simulate_unknown_strategy 1 "unknown strategy 'zero4' .*did you mean 'zero1'\\?"
         simulate ${SCENARIOS}/toy-zero3-2node.json --strategy zero4)
cli_fail(simulate_partition_not_dividing 1 "partition size 24 does not divide the world of 16 GPUs"
         simulate ${SCENARIOS}/toy-zero3-2node.json --strategy mics --partition-size 24)
cli_fail(simulate_partition_splits_node 1 "partition size 12 splits a node unevenly: with 8 GPUs per node"
         simulate ${SCENARIOS}/toy-mics-4node.json --nodes 3 --partition-size 12)
cli_fail(simulate_partition_not_dividing_node 1 "partition size 3 does not divide the 8 GPUs of a node"
         simulate ${SCENARIOS}/toy-mics-4node.json --nodes 3 --partition-size 3)
cli_fail(simulate_negative_nodes 1 "--nodes must be at least 1, got -2" simulate ${SCENARIOS}/toy-mics-4node.json --nodes -2)
cli_fail(simulate_zero_nodes 1 "--nodes must be at least 1, got 0" simulate ${SCENARIOS}/toy-mics-4node.json --nodes 0)
cli_fail(simulate_does_not_fit 1 "gpt3-175b with ddp on 128 x p4d\\.24xlarge does not fit: .* the largest consumer is"
         simulate ${SCENARIOS}/gpt3-175b-p4d-zero3-1024.json --strategy ddp)
cli_fail(simulate_unknown_instance 1 "unknown instance 'p9\\.xlarge'" simulate ${SCENARIOS}/toy-mics-4node.json --instance p9.xlarge)
cli_fail(simulate_deepspeed_stage 1 "bad-ds-stage7\\.json: /zero_optimization/stage: expected 0-3, found 7"
         simulate ${SCENARIOS}/toy-mics-4node.json --deepspeed ${TEST_DATA}/bad-ds-stage7.json)
cli_fail(simulate_deepspeed_batch 1 "bad-ds-batch\\.json: /train_batch_size: Check batch related parameters\\. train_batch_size is not equal to micro_batch_per_gpu \\* gradient_acc_step \\* world_size 1000 != 2 \\* 8 \\* 32"
         simulate ${SCENARIOS}/toy-mics-4node.json --deepspeed ${TEST_DATA}/bad-ds-batch.json)
cli_fail(simulate_deepspeed_missing 1 "/nonexistent/ds\\.json: no such file"
         simulate ${SCENARIOS}/toy-mics-4node.json --deepspeed /nonexistent/ds.json)
cli_fail(schedule_rank_out_of_range 1 "--rank 32 is outside the cluster of 32 GPUs" schedule ${SCENARIOS}/toy-mics-4node.json --rank 32)
cli_fail(schedule_negative_rank 1 "--rank -1 is outside the cluster of 32 GPUs" schedule ${SCENARIOS}/toy-mics-4node.json --rank -1)

# Real models and configs in (docs/scenarios.md): a run from flags alone, the training length stated,
# DeepSpeed "auto" filled and said, offload refused in one line, and a plan's emitted DeepSpeed
# config fed back to simulate.
cli_pass(simulate_model_flags "seq_len 2048 \\(--seq-len\\)"
         simulate --model hf/llama-2-7b --instance p4d.24xlarge --nodes 2 --strategy zero3 --seq-len 2048)
cli_pass(simulate_hf_default_seq_len "seq_len 4096 \\(default: the smaller of 4096 and the config's max_position_embeddings 32768"
         simulate --model hf/mistral-7b --instance p4de.24xlarge --nodes 2 --strategy zero3)
cli_pass(simulate_moe_active "46.7B parameters, 12.9B active per token"
         simulate --model hf/mixtral-8x7b --instance p4de.24xlarge --nodes 4 --strategy zero3 --seq-len 2048)
cli_fail(simulate_model_flags_missing 1 "--instance is required without a scenario file"
         simulate --model gpt2-small --nodes 1 --strategy zero3)
cli_pass(simulate_deepspeed_auto "note: DeepSpeed train_micro_batch_size_per_gpu \"auto\" -> 4"
         simulate ${SCENARIOS}/toy-mics-4node.json --deepspeed ${SCENARIOS}/deepspeed/hf-ds-config-zero3-no-offload.json)
cli_fail(simulate_deepspeed_offload 1 "offload_optimizer/device: offload to 'cpu' is not modelled"
         simulate ${SCENARIOS}/toy-mics-4node.json --deepspeed ${SCENARIOS}/deepspeed/hf-ds-config-zero3.json)
set(EMITTED_DS ${CMAKE_BINARY_DIR}/cli-plan-ds-config.json)
cli_pass(plan_emit_deepspeed "launch with:.*deepspeed --num_nodes 2 --num_gpus 8.*torchrun --nnodes 2 --nproc-per-node 8"
         plan --model toy-1b --gpus 16 --global-batch 64 --strategies zero3,mics --emit-deepspeed ${EMITTED_DS}
         --emit-fsdp ${CMAKE_BINARY_DIR}/cli-plan-fsdp.json)
cli_pass(plan_emitted_deepspeed_simulates "step time"
         simulate --model toy-1b --instance p4d.24xlarge --nodes 2 --deepspeed ${EMITTED_DS})
set_tests_properties(cli.plan_emit_deepspeed PROPERTIES FIXTURES_SETUP emitted_ds)
set_tests_properties(cli.plan_emitted_deepspeed_simulates PROPERTIES FIXTURES_REQUIRED emitted_ds)
