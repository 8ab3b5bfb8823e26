/*
 * Interop peer for the magma tests: calls the GOST 28147-89 key wrap,
 * KEK diversification and S-box tables exported by OpenSSL's gost engine
 * (gost.so), which has no command-line interface for them. Built by the
 * tests in a temporary directory; arguments and results are hex.
 *
 *   engine_peer sbox   SET                 -> 128 bytes: K1..K8 rows
 *   engine_peer wrap   SET KEK UKM CEK      -> UKM || ENC || MAC (CryptoPro)
 *   engine_peer unwrap SET KEK WRAPPED      -> CEK, or "FAIL"
 *   engine_peer divers SET KEK UKM          -> diversified KEK
 *   engine_peer maciv  SET KEY IV DATA      -> 4-byte MAC with IV
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char byte;
/* gost_subst_block of the engine: rows k8..k1, 16 entries each. */
typedef struct { byte k[8][16]; } subst;
extern subst Gost28147_TestParamSet, Gost28147_CryptoProParamSetA,
    Gost28147_CryptoProParamSetB, Gost28147_CryptoProParamSetC,
    Gost28147_CryptoProParamSetD, Gost28147_TC26ParamSetZ,
    GostR3411_94_TestParamSet, GostR3411_94_CryptoProParamSet;

/* The engine's gost_ctx is opaque here; this buffer is far larger. */
static union { long double align; byte b[1 << 16]; } ctx;

void gost_init(void *c, const subst *b);
void gost_key(void *c, const byte *k);
int gost_mac_iv(void *c, int mac_len, const byte *iv, const byte *data,
                unsigned int data_len, byte *mac);
void keyDiversifyCryptoPro(void *c, const byte *in, const byte *ukm, byte *out);
int keyWrapCryptoPro(void *c, const byte *kek, const byte *ukm,
                     const byte *cek, byte *wrapped);
int keyUnwrapCryptoPro(void *c, const byte *kek, const byte *wrapped, byte *cek);

static subst *sets[] = {
    &Gost28147_TestParamSet, &Gost28147_CryptoProParamSetA,
    &Gost28147_CryptoProParamSetB, &Gost28147_CryptoProParamSetC,
    &Gost28147_CryptoProParamSetD, &Gost28147_TC26ParamSetZ,
    &GostR3411_94_TestParamSet, &GostR3411_94_CryptoProParamSet,
};

static size_t unhex(const char *s, byte *out, size_t max) {
    size_t n = strlen(s) / 2;
    if (n > max) { fprintf(stderr, "argument too long\n"); exit(2); }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) { fprintf(stderr, "bad hex\n"); exit(2); }
        out[i] = (byte)v;
    }
    return n;
}

static void puthex(const byte *b, size_t n) {
    for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    byte a[4096], b[64], c[64], out[64];
    if (argc < 3) return 2;
    int set = atoi(argv[2]);
    if (set < 0 || set >= (int)(sizeof(sets) / sizeof(sets[0]))) return 2;
    gost_init(&ctx, sets[set]);
    if (!strcmp(argv[1], "sbox")) {
        for (int r = 7; r >= 0; r--) puthex(sets[set]->k[r], 16);
    } else if (!strcmp(argv[1], "wrap") && argc == 6) {
        unhex(argv[3], a, 32); unhex(argv[4], b, 8); unhex(argv[5], c, 32);
        keyWrapCryptoPro(&ctx, a, b, c, out);
        puthex(out, 44);
    } else if (!strcmp(argv[1], "unwrap") && argc == 5) {
        unhex(argv[3], a, 32); unhex(argv[4], b, 44);
        if (keyUnwrapCryptoPro(&ctx, a, b, out)) puthex(out, 32);
        else printf("FAIL\n");
    } else if (!strcmp(argv[1], "divers") && argc == 5) {
        unhex(argv[3], a, 32); unhex(argv[4], b, 8);
        keyDiversifyCryptoPro(&ctx, a, b, out);
        puthex(out, 32);
    } else if (!strcmp(argv[1], "maciv") && argc == 6) {
        byte key[32], iv[8];
        unhex(argv[3], key, 32); unhex(argv[4], iv, 8);
        size_t n = unhex(argv[5], a, sizeof(a));
        gost_key(&ctx, key);
        gost_mac_iv(&ctx, 32, iv, a, (unsigned)n, out);
        puthex(out, 4);
    } else {
        return 2;
    }
    return 0;
}
