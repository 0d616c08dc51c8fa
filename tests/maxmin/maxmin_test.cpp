#include "sim/maxmin/maxmin.hpp"

#include <catch2/catch.hpp>

using namespace shardsim;

TEST_CASE("two flows on one link get half each", "[maxmin]") {
  MaxMinSystem s;
  const int link = s.add_constraint(10.0);
  s.add_variable({{link, 1}});
  s.add_variable({{link, 1}});
  const auto x = s.solve();
  CHECK(x[0] == 5.0);
  CHECK(x[1] == 5.0);
}

TEST_CASE("a flow bottlenecked elsewhere leaves the rest to the others", "[maxmin]") {
  // A uses link 0 (capacity 10); B uses links 0 and 1 (capacity 2). B is held to 2 by link 1,
  // so A takes the remaining 10 - 2 = 8 of link 0.
  MaxMinSystem s;
  const int l0 = s.add_constraint(10.0), l1 = s.add_constraint(2.0);
  s.add_variable({{l0, 1}});
  s.add_variable({{l0, 1}, {l1, 1}});
  const auto x = s.solve();
  CHECK(x[0] == Approx(8.0).epsilon(1e-12));
  CHECK(x[1] == Approx(2.0).epsilon(1e-12));
}

TEST_CASE("progressive filling over three levels", "[maxmin]") {
  // Link a (cap 3) carries f1, f2, f3; link b (cap 10) carries f3, f4.
  // Round 1: a's share 1 < b's share 5 -> f1 = f2 = f3 = 1, a saturates.
  // Round 2: only f4 left on b with residual 9 -> f4 = 9.
  MaxMinSystem s;
  const int a = s.add_constraint(3.0), b = s.add_constraint(10.0);
  s.add_variable({{a, 1}});
  s.add_variable({{a, 1}});
  s.add_variable({{a, 1}, {b, 1}});
  s.add_variable({{b, 1}});
  const auto x = s.solve();
  CHECK(x[0] == Approx(1.0));
  CHECK(x[1] == Approx(1.0));
  CHECK(x[2] == Approx(1.0));
  CHECK(x[3] == Approx(9.0));
}

TEST_CASE("a coefficient counts a link used twice", "[maxmin]") {
  // One variable crossing the same 12-capacity constraint twice gets 6.
  MaxMinSystem s;
  const int c = s.add_constraint(12.0);
  s.add_variable({{c, 2}});
  CHECK(s.solve()[0] == Approx(6.0));
}

TEST_CASE("bad systems are rejected", "[maxmin]") {
  MaxMinSystem s;
  CHECK_THROWS(s.add_constraint(0.0));
  const int c = s.add_constraint(1.0);
  CHECK_THROWS(s.add_variable({{c + 1, 1}}));
  CHECK_THROWS(s.add_variable({{c, 0}}));
}
