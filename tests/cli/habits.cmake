# Habits of every command: plan's objective and what it says when nothing can be recommended,
# hints that point the right way, --version, `env`, GiB in human output, traces of several ranks.
# cli_pass / cli_fail come from cli.cmake.
set(HABITS_TRACE ${CMAKE_BINARY_DIR}/cli-habits-trace.json)

cli_pass(version "^shardsim [0-9]+\\.[0-9]+\\.[0-9]+( \\(git [0-9a-f]+\\))?\n$" --version)
add_test(NAME cli.run_version COMMAND $<TARGET_FILE:shardsim-run> --version)
set_tests_properties(cli.run_version PROPERTIES PASS_REGULAR_EXPRESSION "^shardsim-run [0-9]+\\.[0-9]+\\.[0-9]+")
cli_pass(env "framework profiles +deepspeed, deepspeed-0\\.5\\.6, fsdp, fsdp2, ideal" env)
cli_pass(env_models "Hugging Face models +hf/bloom-176b" env)
cli_pass(env_json "\"nccl_versions\": \\[" env --json)

# The issue's case: p4de is a hair faster, p4d cheaper per token; under cost the price decides.
cli_pass(plan_objective_cost "ranked by cost per token; the fastest, .* on 2 x p4de\\.24xlarge"
         plan --model toy-1b --instances p4d.24xlarge,p4de.24xlarge --gpus 16 --global-batch 64 --objective cost --tokens 1e9)
cli_pass(plan_objective_time "to train +\\$ to train"
         plan --model toy-1b --gpus 16 --global-batch 64 --objective time --tokens 1e9)
cli_pass(plan_table_gib "mem/GPU.*\n.* [0-9]+\\.[0-9] GiB " plan --model toy-1b --gpus 16 --global-batch 64)
cli_fail(plan_budget_excludes_all 1 "--budget \\$1\\.00/h is below the cheapest cluster that fits"
         plan --model toy-1b --gpus 16 --global-batch 64 --budget 1)
cli_fail(plan_max_nodes_excludes_all 1 "--max-nodes 1 is below the fewest nodes that fit"
         plan --model toy-1b --gpus 16,32 --global-batch 64 --max-nodes 1)
cli_fail(plan_unknown_objective 1 "--objective: unknown objective 'speed'" plan --model toy-1b --objective speed)
cli_fail(plan_strategy_fsdp 1 "'fsdp' is a framework, not a strategy: .* zero3 with --frameworks fsdp.* hybrid_shard"
         plan --model toy-1b --strategies fsdp)
cli_fail(simulate_strategy_fsdp 1 "zero3 with --framework fsdp" simulate ${CMAKE_SOURCE_DIR}/scenarios/toy-mics-4node.json --strategy fsdp)
# Activations dominate: the hint is checkpointing, GPUs or shorter sequences, never more sharding.
cli_fail(plan_activations_hint 1 "sharding does not shrink activations: turn activation checkpointing back on.*add GPUs"
         plan --model hf/llama-2-7b --gpus 8 --global-batch 64 --seq-len 32768 --no-checkpointing --strategies zero3)

cli_pass(simulate_trace_ranks "step time" simulate ${CMAKE_SOURCE_DIR}/scenarios/toy-mics-4node.json --trace ${HABITS_TRACE} --trace-ranks 0,9)
add_test(NAME cli.simulate_trace_ranks_written COMMAND ${CMAKE_COMMAND} -E cat ${HABITS_TRACE})
set_tests_properties(cli.simulate_trace_ranks PROPERTIES FIXTURES_SETUP habits_trace)
set_tests_properties(cli.simulate_trace_ranks_written PROPERTIES FIXTURES_REQUIRED habits_trace
                     PASS_REGULAR_EXPRESSION "\"pid\":9,.*\"group_size\":.*\"busbw_GBps\":.*\"ph\":\"f\"")
cli_fail(simulate_trace_ranks_alone 1 "--trace-ranks needs --trace FILE" simulate ${CMAKE_SOURCE_DIR}/scenarios/toy-mics-4node.json --trace-ranks 0,1)
cli_fail(simulate_trace_ranks_outside 1 "--trace-ranks: rank 99 is outside the world of 32 ranks"
         simulate ${CMAKE_SOURCE_DIR}/scenarios/toy-mics-4node.json --trace ${CMAKE_BINARY_DIR}/cli-habits-never.json --trace-ranks 99)
