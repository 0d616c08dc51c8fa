# The limits in sim/input/limits.hpp: each too-large input stops at once with one line naming the
# quantity and the limit. The inputs sit just past each limit, except the million-candidate sweep.
cli_fail(limit_cluster_gpus 1 "1048584 GPUs|131073 nodes x 8 GPUs is more than the 1048576 GPUs" topology --nodes 131073)
cli_fail(limit_group_range 1 "--group: range '0-2000000000' spans more than the 1048576 GPUs" collective --nodes 2 --group 0-2000000000)
cli_fail(limit_sweep_sizes 1 "give more than 200 sizes" collective --nodes 1 --min-bytes 1 --max-bytes 1G --factor 1.01)
cli_fail(limit_model_layers 1 "/layers: 100001 layers is more than the 100000" plan --model ${CMAKE_CURRENT_SOURCE_DIR}/cli/limits/layers-100001.json)
cli_fail(limit_layer_micro_steps 1 "layer micro-steps in one step's schedule, more than the 1048576"
         simulate ${CMAKE_SOURCE_DIR}/scenarios/toy-mics-4node.json --accumulation 100000)
cli_fail(limit_step_ring_steps 1 "simulating this zero3 step on 1048576 GPUs means [0-9]+ ring steps, more than the 30000000"
         simulate ${CMAKE_SOURCE_DIR}/scenarios/toy-zero3-2node.json --nodes 131072)
# A sweep of 1,277,000 candidates (2 cluster sizes with hundreds of divisors x 4 instances x 4
# strategies x every partition size x 240 micro-batch splits): refused after counting 20,001.
cli_fail(limit_plan_candidates 1 "the sweep has more than 20000 candidates"
         plan --model toy-1b --instances p4d.24xlarge,p4de.24xlarge,p5.48xlarge,p3dn.24xlarge --gpus 2882880,5765760
         --global-batch 4155498547200 --splits 250 --strategies zero2,zero3,mics,hybrid_shard)
# A plan whose every fitting candidate is too large to simulate says so (one that has others goes on).
cli_fail(limit_plan_nothing_simulated 1 "none of the 1 candidates that fit in memory could be simulated; the first, zero3 on 1048576 GPUs, was not simulated: simulating this zero3 step"
         plan --model toy-1b --gpus 1048576 --strategies zero3 --global-batch 1048576 --splits 1)
# Ten thousand layers is within the limits and runs.
cli_pass(limit_ten_thousand_layers "step time" simulate ${CMAKE_CURRENT_SOURCE_DIR}/cli/limits/ten-thousand-layers.json)
