/* One entry point for every cmocka test executable.
 *
 * CTest runs each unit test as its own process with the test's name as the
 * only argument (cmake/NvmfsimTesting.cmake), so a failing rule shows up by
 * name in `ctest` output.  With no argument the whole group runs.  A name that
 * matches no test is an error rather than a silent pass.
 */
#ifndef NVMFSIM_TESTING_CMOCKA_MAIN_H
#define NVMFSIM_TESTING_CMOCKA_MAIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static inline int nvmfsim_run_tests(const char *group, const struct CMUnitTest *tests,
				    size_t count, CMFixtureFunction setup,
				    CMFixtureFunction teardown, int argc, char **argv)
{
	if (argc > 1) {
		size_t i;

		for (i = 0; i < count; i++)
			if (strcmp(tests[i].name, argv[1]) == 0)
				break;
		if (i == count) {
			fprintf(stderr, "%s: no test named '%s'\n", group, argv[1]);
			return 2;
		}
		cmocka_set_test_filter(argv[1]);
	}
	return _cmocka_run_group_tests(group, tests, count, setup, teardown);
}

#define NVMFSIM_TEST_MAIN(tests)                                                         \
	int main(int argc, char **argv)                                                  \
	{                                                                                \
		return nvmfsim_run_tests(__FILE__, tests, sizeof(tests) / sizeof(tests[0]), \
					 NULL, NULL, argc, argv);                        \
	}

#endif
