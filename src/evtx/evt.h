/*
 * evt.h - legacy Windows Event Log files (.evt, Windows NT to XP/2003),
 * read through libevt (Debian libevt-dev) and handed out as the same
 * struct ws_evtx_event as EVTX records, so `logs dump` and the event
 * detectors need not care. Built only with HAVE_LIBEVT; otherwise opening
 * returns WS_E_UNSUPPORTED. Mapping:
 *   record_id = record number; filetime = creation (generated) time;
 *   EventID = identifier & 0xFFFF, Qualifiers = identifier >> 16;
 *   Provider = source name; Computer; UserID = SID; Task = category;
 *   Level from the event type (error 2, warning 3, information 4, audit 0);
 *   Keywords 0x8020000000000000 / 0x8010000000000000 for audit success /
 *   failure; fields param1..paramN = the insertion strings.
 * Thread rule: one thread at a time per handle.
 */
#ifndef WS_EVTX_EVT_H
#define WS_EVTX_EVT_H

#include "core/compat.h"
#include "wormsign/evtx.h"

struct ws_evt;

/* Does the file start like an EVT log (header size 0x30, "LfLe")? */
int ws_evt_sniff(const uint8_t *p, size_t n);
/* The file header (ELF_LOGFILE_HEADER) is this long. */
#define WS_EVT_HEADER_SIZE 0x30
/* Open path through libevt. head/head_len: the file's first bytes as the
 * caller read them (at most WS_EVT_HEADER_SIZE are used), for the record
 * numbers the header names, so that a copy that ends early is reported. */
WS_MUST_CHECK ws_status ws_evt_open(const char *path, const uint8_t *head, size_t head_len,
                                    struct ws_evt **out);
void ws_evt_free(struct ws_evt *e);
/* Also hand out the records libevt recovers from unused space (after the
 * allocated ones, flagged ev->recovered). */
void ws_evt_set_recover(struct ws_evt *e, int on);
WS_MUST_CHECK ws_status ws_evt_next(struct ws_evt *e, enum ws_evtx_item *kind,
                                    const struct ws_evtx_event **ev,
                                    const struct ws_evtx_error **err);

#endif
