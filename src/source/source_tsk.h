/*
 * source_tsk.h - a disk image (raw/dd, E01, VMDK, VHD) as a source, through
 * The Sleuth Kit, without mounting.
 *
 * ws_source_tsk_open() sniffs a regular file: if libtsk finds a volume system
 * or a file system in it, the image is opened and the file's own path becomes
 * the root of a tree the walker can walk with ws_source_tsk. Paths inside it
 * are "<image path>/<fs path>" for an unpartitioned image and
 * "<image path>/p<N>/<fs path>" for the N-th allocated partition
 * (docs/internals/image.md). The context is reference counted: the opener
 * holds one reference, every open file one more, so queued files outlive the
 * walk of their root. All libtsk calls on one image are serialised by one
 * mutex in the context.
 */
#ifndef WS_SOURCE_TSK_H
#define WS_SOURCE_TSK_H

#include "source/source.h"
#include "wormsign/finding.h"

enum ws_tsk_flags {
    WS_TSK_DELETED = 1u << 0, /* also list deleted (unallocated) files and folders */
};

extern const struct ws_source_ops ws_source_tsk;

/* Open path as a disk image. WS_E_UNSUPPORTED: libtsk finds neither a volume
 * system nor a file system (the caller scans the file as bytes). Problems
 * inside a recognised image (a partition without a readable file system, a
 * corrupt table) are sent to emit as error or skip findings naming the image.
 * On success *ctx holds one reference. */
WS_MUST_CHECK ws_status ws_source_tsk_open(const char *path, unsigned flags, ws_emit_fn emit,
                                           void *emit_user, void **ctx);
/* Drop a reference; the image is closed with the last one (files included). */
void ws_source_tsk_release(void *ctx);

#endif
