#include "sim/units/units.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("sizes: bare suffixes are binary as in nccl-tests, GB is decimal", "[units]") {
  CHECK(parse_size_bytes("1G") == 1073741824ULL);
  CHECK(parse_size_bytes("1GiB") == 1073741824ULL);
  CHECK(parse_size_bytes("1GB") == 1000000000ULL);
  CHECK(parse_size_bytes("64M") == 64ULL << 20);
  CHECK(parse_size_bytes("4096") == 4096ULL);
  CHECK_THROWS_WITH(parse_size_bytes("1 XB"), Catch::Contains("unknown size unit"));
  CHECK_THROWS_WITH(parse_size_bytes("-1G"), Catch::Contains("negative"));
  CHECK_THROWS_WITH(parse_size_bytes("99999999T"), Catch::Contains("64-bit"));
  CHECK_THROWS(parse_size_bytes("nan"));
  CHECK_THROWS(parse_size_bytes(""));
}

TEST_CASE("rates: bits vs bytes", "[units]") {
  CHECK(parse_rate_Bps("100Gbps") == 12.5e9);
  CHECK(parse_rate_Bps("25GBps") == 25e9);
  CHECK(parse_rate_Bps("25GB/s") == 25e9);
  CHECK_THROWS(parse_rate_Bps("0Gbps"));
  CHECK_THROWS(parse_rate_Bps("10 furlongs"));
}

TEST_CASE("times", "[units]") {
  CHECK(parse_time_s("2us") == 2e-6);
  CHECK(parse_time_s("1.5ms") == 1.5e-3);
  CHECK_THROWS(parse_time_s("3 fortnights"));
}
