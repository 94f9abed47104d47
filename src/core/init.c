/*
 * init.c - library start-up and shutdown: libyara's global tables.
 */
#include "core/compat.h"

#include <yara.h>

#include "core/lsan.h"
#include "wormsign/wormsign.h"

#ifndef WS_VERSION
#define WS_VERSION "0.0.0"
#endif

ws_status ws_library_init(void)
{
    return yr_initialize() == ERROR_SUCCESS ? WS_OK : WS_E_NOMEM;
}

void ws_library_finish(void)
{
    yr_finalize();
}

const char *ws_version(void)
{
    return WS_VERSION;
}

WS_DEFINE_LSAN_SUPPRESSIONS()
