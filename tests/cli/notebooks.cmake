# notebooks/: the plotting command on fresh CLI outputs (every figure in PNG and SVG; bad input fails
# with one line and writes no image), and every notebook executed headless with nbconvert on
# Debian's Python (matplotlib, pandas, nbconvert, ipykernel: installed by .ci/install-deps).
set(SHARDSIM_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python for the notebook tests: Debian's, with matplotlib, pandas, nbconvert and ipykernel")
set(NOTEBOOKS ${CMAKE_SOURCE_DIR}/notebooks)

add_test(NAME notebooks.plots COMMAND ${NOTEBOOKS}/test_plots.sh $<TARGET_FILE:shardsim>)
add_test(NAME notebooks.plots_missing_input
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect_error.sh 1 "^shardsim_plots: error: /nonexistent/plan\\.csv: no such file$"
                 -- ${SHARDSIM_PYTHON} ${NOTEBOOKS}/shardsim_plots.py --plan /nonexistent/plan.csv
                 --out ${CMAKE_BINARY_DIR}/notebooks-never-written)
foreach(nb scaling planning memory)
  add_test(NAME notebooks.${nb} COMMAND ${NOTEBOOKS}/test_notebooks.sh $<TARGET_FILE:shardsim> ${nb})
endforeach()
set_tests_properties(notebooks.plots notebooks.plots_missing_input notebooks.scaling notebooks.planning
                     notebooks.memory PROPERTIES ENVIRONMENT "SHARDSIM_PYTHON=${SHARDSIM_PYTHON};MPLBACKEND=Agg"
                     TIMEOUT 180 LABELS notebooks)
