/* Entry points of the demo program's two halves. */
#ifndef DEMO_H
#define DEMO_H
#ifdef __cplusplus
extern "C" {
#endif
int demo_load_config(void);
int demo_fill_cache(void);
#ifdef __cplusplus
}
#endif
#endif
