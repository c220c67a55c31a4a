/*
 * The fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput (fuzz_report.c) once on
 * every file named, or on every file of the directories named (by default the seed corpus
 * and the inputs that once crashed, HW_FUZZ_DIR/corpus and HW_FUZZ_DIR/regress), so that
 * make check replays them (and tools/check-asan again under ASan/UBSan). Exits non-zero
 * when an input cannot be read; a crash is the test failing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs bigger than this are not fuzzer inputs: refuse rather than guess. */
#define REPLAY_MAX_INPUT (16u << 20)

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    size_t n = buf ? fread(buf, 1, REPLAY_MAX_INPUT, f) : 0;
    int bad = !buf || ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: cannot read (or larger than %u bytes)\n", path,
                REPLAY_MAX_INPUT);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

static int is_input(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Replay every file of dir in name order; the number that failed, or -1. */
static int replay_dir(const char *dir, int *count)
{
    struct dirent **names;
    int n = scandir(dir, &names, is_input, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
        bad += replay_file(path) < 0;
        ++*count;
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {HW_FUZZ_DIR "/corpus", HW_FUZZ_DIR "/regress"};
    const char *const *inputs = argc > 1 ? (const char *const *)argv + 1 : defaults;
    int ninputs = argc > 1 ? argc - 1 : 2;
    int bad = 0, count = 0;
    for (int i = 0; i < ninputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            int rc = replay_dir(inputs[i], &count);
            bad += rc < 0 ? 1 : rc;
        } else {
            bad += replay_file(inputs[i]) < 0;
            count++;
        }
    }
    printf("replay: %d inputs, %d unreadable\n", count, bad);
    return bad ? 1 : 0;
}
