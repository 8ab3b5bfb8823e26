/*
 * gost3410.c — OpenSSL gost engine reference for scripts/ratio-gost3410.sh:
 * generates a key in-process and runs EVP_PKEY_sign or EVP_PKEY_verify on a
 * random digest in a loop, printing operations per second.
 *
 *   cc -O2 -o gost3410 gost3410.c -lcrypto
 *   ./gost3410 gost2012_256 A sign 1.0
 *   -> ops/s 23999.5
 */
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "gost3410 bench: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s gost2012_256|gost2012_512 PARAMSET sign|verify SECONDS\n", argv[0]);
        return 2;
    }
    const char *alg = argv[1], *paramset = argv[2], *op = argv[3];
    double seconds = atof(argv[4]);

    ENGINE_load_builtin_engines();
    ENGINE *e = ENGINE_by_id("gost");
    if (e == NULL || !ENGINE_init(e)) die("loading the gost engine");
    ENGINE_set_default(e, ENGINE_METHOD_ALL);

    int nid = OBJ_txt2nid(alg);
    if (nid == NID_undef) die("algorithm lookup");
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(nid, e);
    if (kctx == NULL || EVP_PKEY_keygen_init(kctx) <= 0) die("keygen init");
    if (EVP_PKEY_CTX_ctrl_str(kctx, "paramset", paramset) <= 0) die("paramset");
    EVP_PKEY *key = NULL;
    if (EVP_PKEY_keygen(kctx, &key) <= 0) die("keygen");

    size_t dlen = strcmp(alg, "gost2012_512") == 0 ? 64 : 32;
    unsigned char digest[64], sig[128];
    size_t siglen = sizeof(sig);
    RAND_bytes(digest, sizeof(digest));

    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, e);
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0) die("sign init");
    if (EVP_PKEY_sign(ctx, sig, &siglen, digest, dlen) <= 0) die("sign");
    int verify = strcmp(op, "verify") == 0;
    if (verify && EVP_PKEY_verify_init(ctx) <= 0) die("verify init");

    long ops = 0;
    double start = now(), elapsed;
    do {
        for (int i = 0; i < 16; i++) {
            if (verify) {
                if (EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) != 1) die("verify");
            } else {
                siglen = sizeof(sig);
                if (EVP_PKEY_sign(ctx, sig, &siglen, digest, dlen) <= 0) die("sign");
            }
        }
        ops += 16;
        elapsed = now() - start;
    } while (elapsed < seconds);
    printf("ops/s %.1f\n", ops / elapsed);

    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_CTX_free(kctx);
    EVP_PKEY_free(key);
    ENGINE_finish(e);
    ENGINE_free(e);
    return 0;
}
