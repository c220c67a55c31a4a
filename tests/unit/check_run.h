/* The main() of every Check suite: run it (fork mode, Check's default) and turn the
 * result into the exit status automake's test driver reads. */
#ifndef HW_CHECK_RUN_H
#define HW_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
