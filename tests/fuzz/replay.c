/*
 * Runs the fuzz target over files given on the command line, without libFuzzer: make check
 * replays the seed corpus through the same entry point so the target cannot rot, and a crash
 * found by the fuzzer can be reproduced in any build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int ran = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        size_t cap = 1 << 16, len = 0;
        unsigned char *buf = malloc(cap);
        if (!buf)
            return 2;
        size_t got;
        while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
            len += got;
            if (len == cap) {
                cap *= 2;
                unsigned char *nb = realloc(buf, cap);
                if (!nb) {
                    free(buf);
                    fclose(f);
                    return 2;
                }
                buf = nb;
            }
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        ran++;
    }
    printf("replayed %d inputs\n", ran);
    return ran > 0 ? 0 : 2;
}
