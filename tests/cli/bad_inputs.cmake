# docs/bad-inputs.md is regenerated from tests/cli/bad_inputs/cases.txt and diffed: the doc cannot
# drift from what shardsim says, and every case must exit 1 with one line on stderr.
add_test(NAME cli.bad_inputs_doc COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/bad_inputs.sh $<TARGET_FILE:shardsim> --check)
set_tests_properties(cli.bad_inputs_doc PROPERTIES TIMEOUT 600)
