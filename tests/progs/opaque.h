/* Hide a pointer's origin from the compiler, so a deliberate heap error in a test
 * program is compiled as written instead of being diagnosed or optimised away. */
#ifndef HW_TEST_OPAQUE_H
#define HW_TEST_OPAQUE_H
static inline void *opaque(void *p)
{
    void *volatile v = p;
    return v;
}
#endif
