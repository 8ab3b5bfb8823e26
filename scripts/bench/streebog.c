/*
 * streebog.c: OpenSSL's side of `make bench`'s Streebog comparison
 * (scripts/ratio-streebog.sh). It loads the gost engine in-process, hashes
 * a 1 MiB buffer with EVP_Digest over and over for about SECONDS seconds and
 * prints the throughput in MB/s (10^6 bytes per second, as `go test -bench`
 * reports). Podpis's side is BenchmarkStreebog{256,512}_1MiB, which hashes
 * the same size per operation.
 *
 * usage: streebog md_gost12_256|md_gost12_512 [SECONDS]
 */
/* The ENGINE API is deprecated in OpenSSL 3 but is how the gost engine loads. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#define BUF_SIZE (1 << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s md_gost12_256|md_gost12_512 [SECONDS]\n", argv[0]);
        return 2;
    }
    double seconds = argc == 3 ? atof(argv[2]) : 1.0;
    if (seconds <= 0) {
        fprintf(stderr, "streebog: SECONDS must be positive\n");
        return 2;
    }

    ENGINE_load_builtin_engines();
    ENGINE *e = ENGINE_by_id("gost");
    if (e == NULL || !ENGINE_init(e)) {
        fprintf(stderr, "streebog: the gost engine cannot be loaded (package libengine-gost-openssl)\n");
        ERR_print_errors_fp(stderr);
        return 1;
    }
    ENGINE_set_default(e, ENGINE_METHOD_ALL);
    const EVP_MD *md = EVP_get_digestbyname(argv[1]);
    if (md == NULL) {
        fprintf(stderr, "streebog: no digest %s in the gost engine\n", argv[1]);
        return 1;
    }

    unsigned char *buf = malloc(BUF_SIZE);
    if (buf == NULL) {
        return 1;
    }
    for (size_t i = 0; i < BUF_SIZE; i++) {
        buf[i] = (unsigned char)(i * 7);
    }
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int outlen;

    /* One round untimed, so the tables are in cache as in the Go benchmark. */
    if (!EVP_Digest(buf, BUF_SIZE, out, &outlen, md, e)) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    long rounds = 0;
    double start = now(), elapsed;
    do {
        if (!EVP_Digest(buf, BUF_SIZE, out, &outlen, md, e)) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
        rounds++;
        elapsed = now() - start;
    } while (elapsed < seconds);

    printf("%.2f\n", (double)rounds * BUF_SIZE / elapsed / 1e6);
    free(buf);
    ENGINE_finish(e);
    ENGINE_free(e);
    return 0;
}
