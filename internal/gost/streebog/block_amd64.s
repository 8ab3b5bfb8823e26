//go:build amd64 && !purego

#include "textflag.h"

// The compression function g_N of GOST R 34.11-2012 for amd64: the same
// algorithm and tables as compressGeneric (block.go), with the LPS
// transformation written so that the processor's load and arithmetic units
// share the work. Only baseline x86-64 instructions are used, so no CPU
// feature test is needed; other platforms, and builds with the purego tag,
// use compressGeneric.
//
// LPS(a XOR b): for each input word j (in AX) and each of its bytes k, output
// word k accumulates lpsTable[j][byte k]. Two bytes come out of AX at a time
// through AL and AH (MOVBLZX from AH needs a destination without a REX
// prefix: SI and DI), then AX shifts by 16. The eight output words
// accumulate in R8-R14 and BX and are stored once every input word is read,
// so the output may overwrite an input. Table indexes are bytes, within the
// 256 entries of each table.
//
// Registers: CX = &lpsTable, DX = &roundConstants[i], AX = input word,
// SI/DI = table indexes, R8-R14 and BX = output words (R14 holds g only in
// Go's internal ABI; this is an ABI0 function, whose wrapper restores it).
// The frame holds K (bytes 0-63), S (64-127) and the round counter (128).

#define LOOKUP2(tab, r1, r2) \
	MOVBLZX AL, SI; \
	MOVBLZX AH, DI; \
	XORQ tab(CX)(SI*8), r1; \
	XORQ tab(CX)(DI*8), r2

#define WORD(tab) \
	LOOKUP2(tab, R8, R9); \
	SHRQ $16, AX; \
	LOOKUP2(tab, R10, R11); \
	SHRQ $16, AX; \
	LOOKUP2(tab, R12, R13); \
	SHRQ $16, AX; \
	LOOKUP2(tab, R14, BX)

// WORD0 is WORD for the first input word: it sets the output words rather
// than adding to them, which spares clearing them first.
#define LOOKUP2_FIRST(tab, r1, r2) \
	MOVBLZX AL, SI; \
	MOVBLZX AH, DI; \
	MOVQ tab(CX)(SI*8), r1; \
	MOVQ tab(CX)(DI*8), r2

#define WORD0 \
	LOOKUP2_FIRST(0, R8, R9); \
	SHRQ $16, AX; \
	LOOKUP2_FIRST(0, R10, R11); \
	SHRQ $16, AX; \
	LOOKUP2_FIRST(0, R12, R13); \
	SHRQ $16, AX; \
	LOOKUP2_FIRST(0, R14, BX)

#define STORE_OUT(off, reg) \
	MOVQ R8, (0+off)(reg); \
	MOVQ R9, (8+off)(reg); \
	MOVQ R10, (16+off)(reg); \
	MOVQ R11, (24+off)(reg); \
	MOVQ R12, (32+off)(reg); \
	MOVQ R13, (40+off)(reg); \
	MOVQ R14, (48+off)(reg); \
	MOVQ BX, (56+off)(reg)

// LPSX sets the 64 bytes at offO(regO) to LPS(A XOR B), A and B being the
// 64 bytes at offA(regA) and offB(regB).
#define LPSX(offA, regA, offB, regB, offO, regO) \
	MOVQ (0+offA)(regA), AX; \
	XORQ (0+offB)(regB), AX; \
	WORD0; \
	MOVQ (8+offA)(regA), AX; \
	XORQ (8+offB)(regB), AX; \
	WORD(2048); \
	MOVQ (16+offA)(regA), AX; \
	XORQ (16+offB)(regB), AX; \
	WORD(4096); \
	MOVQ (24+offA)(regA), AX; \
	XORQ (24+offB)(regB), AX; \
	WORD(6144); \
	MOVQ (32+offA)(regA), AX; \
	XORQ (32+offB)(regB), AX; \
	WORD(8192); \
	MOVQ (40+offA)(regA), AX; \
	XORQ (40+offB)(regB), AX; \
	WORD(10240); \
	MOVQ (48+offA)(regA), AX; \
	XORQ (48+offB)(regB), AX; \
	WORD(12288); \
	MOVQ (56+offA)(regA), AX; \
	XORQ (56+offB)(regB), AX; \
	WORD(14336); \
	STORE_OUT(offO, regO)

// LPS sets the 64 bytes at offO(regO) to LPS(A), A at offA(regA).
#define LPS(offA, regA, offO, regO) \
	MOVQ (0+offA)(regA), AX; \
	WORD0; \
	MOVQ (8+offA)(regA), AX; \
	WORD(2048); \
	MOVQ (16+offA)(regA), AX; \
	WORD(4096); \
	MOVQ (24+offA)(regA), AX; \
	WORD(6144); \
	MOVQ (32+offA)(regA), AX; \
	WORD(8192); \
	MOVQ (40+offA)(regA), AX; \
	WORD(10240); \
	MOVQ (48+offA)(regA), AX; \
	WORD(12288); \
	MOVQ (56+offA)(regA), AX; \
	WORD(14336); \
	STORE_OUT(offO, regO)

// func compressAsm(h, n, m *[8]uint64)
TEXT ·compressAsm(SB), NOSPLIT, $136-24
	MOVQ h+0(FP), AX
	MOVQ n+8(FP), BX
	MOVQ m+16(FP), DX

	// K = h XOR n; S = m.
	MOVQ 0(AX), SI
	XORQ 0(BX), SI
	MOVQ SI, 0(SP)
	MOVQ 0(DX), DI
	MOVQ DI, 64(SP)
	MOVQ 8(AX), SI
	XORQ 8(BX), SI
	MOVQ SI, 8(SP)
	MOVQ 8(DX), DI
	MOVQ DI, 72(SP)
	MOVQ 16(AX), SI
	XORQ 16(BX), SI
	MOVQ SI, 16(SP)
	MOVQ 16(DX), DI
	MOVQ DI, 80(SP)
	MOVQ 24(AX), SI
	XORQ 24(BX), SI
	MOVQ SI, 24(SP)
	MOVQ 24(DX), DI
	MOVQ DI, 88(SP)
	MOVQ 32(AX), SI
	XORQ 32(BX), SI
	MOVQ SI, 32(SP)
	MOVQ 32(DX), DI
	MOVQ DI, 96(SP)
	MOVQ 40(AX), SI
	XORQ 40(BX), SI
	MOVQ SI, 40(SP)
	MOVQ 40(DX), DI
	MOVQ DI, 104(SP)
	MOVQ 48(AX), SI
	XORQ 48(BX), SI
	MOVQ SI, 48(SP)
	MOVQ 48(DX), DI
	MOVQ DI, 112(SP)
	MOVQ 56(AX), SI
	XORQ 56(BX), SI
	MOVQ SI, 56(SP)
	MOVQ 56(DX), DI
	MOVQ DI, 120(SP)

	// K = LPS(h XOR n), the first round key.
	LEAQ ·lpsTable(SB), CX
	LPS(0, SP, 0, SP)

	// Twelve rounds: S = LPS(S XOR K); K = LPS(K XOR C_i).
	LEAQ ·roundConstants(SB), DX
	MOVQ $12, 128(SP)

round:
	LPSX(64, SP, 0, SP, 64, SP)
	LPSX(0, SP, 0, DX, 0, SP)
	ADDQ $64, DX
	DECQ 128(SP)
	JNZ  round

	// h = S XOR K XOR h XOR m (S XOR K is E(K, m)).
	MOVQ h+0(FP), AX
	MOVQ m+16(FP), DX
	MOVQ 0(SP), SI
	XORQ 64(SP), SI
	XORQ 0(DX), SI
	XORQ SI, 0(AX)
	MOVQ 8(SP), SI
	XORQ 72(SP), SI
	XORQ 8(DX), SI
	XORQ SI, 8(AX)
	MOVQ 16(SP), SI
	XORQ 80(SP), SI
	XORQ 16(DX), SI
	XORQ SI, 16(AX)
	MOVQ 24(SP), SI
	XORQ 88(SP), SI
	XORQ 24(DX), SI
	XORQ SI, 24(AX)
	MOVQ 32(SP), SI
	XORQ 96(SP), SI
	XORQ 32(DX), SI
	XORQ SI, 32(AX)
	MOVQ 40(SP), SI
	XORQ 104(SP), SI
	XORQ 40(DX), SI
	XORQ SI, 40(AX)
	MOVQ 48(SP), SI
	XORQ 112(SP), SI
	XORQ 48(DX), SI
	XORQ SI, 48(AX)
	MOVQ 56(SP), SI
	XORQ 120(SP), SI
	XORQ 56(DX), SI
	XORQ SI, 56(AX)
	RET
