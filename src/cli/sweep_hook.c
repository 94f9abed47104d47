/*
 * sweep_hook.c - where `wormsign sweep` hands each collected event log and
 * registry hive copy to the log and hive detectors.
 *
 * LEAD: connect the EVTX/EVT reader and the hive detector here (they are
 * written on other branches). c->local_path is the local copy (deleted when
 * the sweep ends unless --collect-dir was given), c->kind says which reader,
 * and findings must go to ws_report_emit(report, ...) with f.host = c->host
 * and a "host.ip" field = c->ip, so they join the host's other records.
 * Called from several sweep threads at once (ws_report_emit is thread-safe).
 * Until then the sweep itself records an INFO finding "smb.collected" for
 * each copied file.
 */
#include "cli/cli.h"

void cli_sweep_on_collected(ws_report *report, const ws_pack *pack,
                            const struct ws_sweep_collected *c)
{
    (void)report;
    (void)pack;
    (void)c;
}
