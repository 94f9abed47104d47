/*
 * fuzz-smbneg.c - the SMB NEGOTIATE response parser of the dialect probe
 * (src/sweep/smbneg.c) on arbitrary bytes, as an answer to every dialect.
 */
#include <stddef.h>
#include <stdint.h>

#include "sweep/smbneg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (unsigned i = 0; i < WS_SMB_N_DIALECTS; i++) {
        ws_status st = ws_smb_negotiate_parse(i, data, size);
        if (st != WS_OK && st != WS_E_UNSUPPORTED && st != WS_E_TRUNCATED && st != WS_E_CORRUPT)
            __builtin_trap();
    }
    return 0;
}
