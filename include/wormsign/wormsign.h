/*
 * wormsign.h - the umbrella header of libwormsign.
 *
 * Call ws_library_init() once from the main thread before anything else and
 * ws_library_finish() after every other call has returned (libyara requires
 * the same of yr_initialize/yr_finalize).
 */
#ifndef WORMSIGN_H
#define WORMSIGN_H

#include "wormsign/status.h"
#include "wormsign/finding.h"
#include "wormsign/sink.h"
#include "wormsign/pack.h"
#include "wormsign/scan.h"
#include "wormsign/smb.h"
#include "wormsign/sweep.h"
#include "wormsign/logs.h"
#include "wormsign/hive.h"

#ifdef __cplusplus
extern "C" {
#endif

WS_API WS_MUST_CHECK ws_status ws_library_init(void);
WS_API void ws_library_finish(void);
/* "0.1.0" */
WS_API const char *ws_version(void);

#ifdef __cplusplus
}
#endif
#endif
