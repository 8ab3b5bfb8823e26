/*
 * OpenSSL gost engine reference for the GOST 28147-89 / GOST R 34.11-94
 * speed comparison: loads the engine in-process and prints the throughput
 * in MB/s of one algorithm over 8 KiB operations, matching the Go
 * benchmarks BenchmarkCFBMeshing, BenchmarkCTRMeshing (package magma) and
 * BenchmarkCryptoPro/8KiB (package gost341194).
 *
 *   magma-bench gost89|gost89-cnt|md_gost94 SECONDS
 *
 * Build: cc -O2 -Wno-deprecated-declarations -o magma-bench magma-bench.c -lcrypto
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/engine.h>
#include <openssl/evp.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    static unsigned char buf[8192], out[8192 + 64];
    unsigned char key[32] = {1}, iv[8] = {2}, md[64];
    unsigned int mdlen;
    long ops = 0;
    if (argc != 3) {
        fprintf(stderr, "usage: magma-bench ALG SECONDS\n");
        return 2;
    }
    double seconds = atof(argv[2]);
    ENGINE_load_builtin_engines();
    ENGINE *e = ENGINE_by_id("gost");
    if (e == NULL || !ENGINE_init(e)) {
        fprintf(stderr, "magma-bench: cannot load the gost engine\n");
        return 1;
    }
    ENGINE_set_default(e, ENGINE_METHOD_ALL);
    double t0 = now(), t;
    if (strcmp(argv[1], "md_gost94") == 0) {
        const EVP_MD *m = EVP_get_digestbyname("md_gost94");
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        if (m == NULL || c == NULL) return 1;
        do {
            for (int i = 0; i < 16; i++, ops++) {
                EVP_DigestInit_ex(c, m, e);
                EVP_DigestUpdate(c, buf, sizeof buf);
                EVP_DigestFinal_ex(c, md, &mdlen);
            }
        } while ((t = now() - t0) < seconds);
    } else {
        const EVP_CIPHER *ci = EVP_get_cipherbyname(argv[1]);
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int outl;
        if (ci == NULL || c == NULL || !EVP_EncryptInit_ex(c, ci, e, key, iv)) return 1;
        do {
            for (int i = 0; i < 16; i++, ops++)
                EVP_EncryptUpdate(c, out, &outl, buf, sizeof buf);
        } while ((t = now() - t0) < seconds);
    }
    printf("%.2f\n", ops * (double)sizeof buf / t / 1e6);
    return 0;
}
