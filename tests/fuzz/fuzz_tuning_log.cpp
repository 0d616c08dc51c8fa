// Fuzzes parse_nccl_tuning_log (an NCCL_DEBUG_SUBSYS=TUNING log) and what `shardsim nccl
// --tuning-log` does next with each table it accepts: the comparison with the modelled table of
// 2 x p4d under NCCL 2.28 for every collective, whose choice from the printed table, where there is
// one, must have a finite, non-negative predicted time.
#include "tests/fuzz/fuzz_support.hpp"

#include "sim/nccl/nccl_table_compare.hpp"
#include "sim/nccl/nccl_tuning_log.hpp"

#include <cmath>

SHARDSIM_FUZZ_TARGET(tuning_log) {
  using namespace shardsim;
  if (size > fuzz::kMaxInput) return 0;
  const std::string path = fuzz::write_temp(data, size, "tuning_log");
  fuzz::expect_only_input_errors("fuzz_tuning_log", [&] {
    const NcclTuningLog log = read_nccl_tuning_log(path);
    static const NcclVersion version = load_nccl_version("2.28");
    static const InstanceType instance = load_instance_by_name("p4d.24xlarge");
    const NcclSystem system = nccl_system(instance, 2, instance.gpus_per_node);
    for (std::size_t i = 0; i < log.tables.size(); ++i) {
      const NcclPrintedTable& table = nccl_tuning_table(log, static_cast<int>(i) + 1);
      for (CollectiveKind kind : {CollectiveKind::all_gather, CollectiveKind::reduce_scatter, CollectiveKind::all_reduce})
        for (const NcclChoiceComparison& c : compare_nccl_tables(version, system, kind, table.of(kind), {8.0, 1048576.0, 1073741824.0}).choices)
          if (c.nccl && !(std::isfinite(c.nccl->time_s) && c.nccl->time_s >= 0)) {
            std::fprintf(stderr, "\nfuzz_tuning_log: BUG: NCCL's printed table predicted %g s\n", c.nccl->time_s);
            std::abort();
          }
    }
    if (log.tables.empty()) nccl_tuning_table(log, 1);  // the error a user sees
  });
  return 0;
}
