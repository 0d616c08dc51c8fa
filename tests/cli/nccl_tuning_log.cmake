# `shardsim nccl --tuning-log`: NCCL's own printed cost table (tests/nccl/data/, written from the
# model) beside shardsim's, and the choice per size from each.
set(TUNING_LOGS ${CMAKE_CURRENT_SOURCE_DIR}/nccl/data)
cli_pass(nccl_tuning_log_same "Tree +Simple +692.0 +692.00 +\\+0.0%.*choose the same algorithm and protocol at 5 of 5 sizes"
         nccl --nodes 2 --op all_reduce --nccl 2.12 --tuning-log ${TUNING_LOGS}/p4d-2node-nccl2.12.log --min-bytes 1M --max-bytes 4G --factor 8)
cli_pass(nccl_tuning_log_changed "Tree +Simple +692.0 +692.00 +\\+0.0% +14.7 +44.16 +\\+200.4% \\*.*1 of 6 cells differ.*Tree +LL128 +[0-9.]+ +Tree +Simple +[0-9.]+ +NO"
         nccl --nodes 2 --op all_reduce --nccl 2.12 --tuning-log ${TUNING_LOGS}/p4d-2node-nccl2.12-changed.log --min-bytes 1M --max-bytes 4G --factor 8)
cli_pass(nccl_tuning_log_second_table "table 2 of 2 \\(line 30; blocks of 3 algorithms \\(NCCL 2.23 on\\)\\); written by NCCL 2.28.9"
         nccl --nodes 1 --op all_gather --tuning-log ${TUNING_LOGS}/p4d-2node-nccl2.28.log --table-index 2)
cli_pass(nccl_tuning_log_json "\"agreeing_sizes\": 1"
         nccl --nodes 4 --op reduce_scatter --nccl 2.18 --tuning-log ${TUNING_LOGS}/p4d-4node-nccl2.18.log --json)
cli_fail(nccl_tuning_log_truncated 1 "tuning-truncated-row.log:11: the AllReduce row is truncated"
         nccl --nodes 2 --op all_reduce --nccl 2.12 --tuning-log ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad_inputs/nccl/tuning-truncated-row.log)
cli_fail(nccl_tuning_log_with_algo 1 "--algo excludes --tuning-log"
         nccl --algo ring --tuning-log ${TUNING_LOGS}/p4d-2node-nccl2.12.log)
# NCCL's per-call choice lines (NCCL_DEBUG_SUBSYS=TUNING, "AllReduce: N Bytes -> Algo A proto P
# channel{Lo..Hi}={..}"), here without a cost table: the model agrees on 3 of the 4 distinct calls.
cli_pass(nccl_tuning_log_calls "written by NCCL 2.28.9\\): no cost table, 6 per-call choice lines.*1073741824 +1 +Ring +Simple +8 +Tree +Simple +8 +NO.*for 3 of 4 distinct logged calls"
         nccl --instance p4de.24xlarge --nodes 2 --op all_reduce --nccl 2.28 --tuning-log ${TUNING_LOGS}/p4de-2node-calls-nccl2.28.log)
cli_pass(nccl_tuning_log_calls_all_gather "\"bytes\": 16777216.0.*\"agree\": true"
         nccl --instance p4de.24xlarge --nodes 2 --op all_gather --nccl 2.28 --tuning-log ${TUNING_LOGS}/p4de-2node-calls-nccl2.28.log --json)
# Live logs: NCCL 2.28.9 itself on the device machine (one H200, 2 and 4 emulated nodes of 1 GPU over
# its socket transport; validate/gpu/README.md). Every printed cell and every logged call agree
# with the model on the instance file written for that machine.
cli_pass(nccl_tuning_log_live_2node_all_reduce "written by NCCL 2.28.9.*0 of 4 cells differ.*for 15 of 15 distinct logged calls"
         nccl --instance h200-socket-emulated --nodes 2 --op all_reduce --tuning-log ${TUNING_LOGS}/h200-socket-2node-nccl2.28.9-live.log)
cli_pass(nccl_tuning_log_live_2node_all_gather "PAT +Simple +17.6 +17.60 .*0 of 3 cells differ.*for 13 of 13 distinct logged calls"
         nccl --instance h200-socket-emulated --nodes 2 --op all_gather --tuning-log ${TUNING_LOGS}/h200-socket-2node-nccl2.28.9-live.log)
cli_pass(nccl_tuning_log_live_4node_all_reduce "0 of 4 cells differ.*for 10 of 10 distinct logged calls"
         nccl --instance h200-socket-emulated --nodes 4 --op all_reduce --tuning-log ${TUNING_LOGS}/h200-socket-4node-nccl2.28.9-live.log)
