/*
 * fuzz_input.h - handing a harness's input to code that wants something
 * other than a buffer, and reading back what it hands out:
 *   fuzz_memfd()       the input as a file: written to a memfd, named
 *                      /proc/self/fd/N (for libraries that open a path:
 *                      libtsk, libevt); the caller closes the descriptor;
 *   fuzz_touch_event() reads the terminating byte of every string an event
 *                      hands out (System values, field names and values), so
 *                      ASan sees any string that ends past its buffer.
 */
#ifndef WS_FUZZ_INPUT_H
#define WS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wormsign/evtx.h"

/* The descriptor, with its path in path[], or -1 if the input could not be
 * written whole. */
static inline int fuzz_memfd(const char *name, const uint8_t *data, size_t size, char *path,
                             size_t path_size)
{
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    snprintf(path, path_size, "/proc/self/fd/%d", fd);
    return fd;
}

static inline void fuzz_touch_event(const struct ws_evtx_event *ev, const char *field)
{
    volatile size_t sum = 0;
    for (int k = 0; k < WS_EVTX_SYS_COUNT; k++)
        if (ev->sys[k].s)
            sum += (size_t)ev->sys[k].s[ev->sys[k].len];
    for (size_t i = 0; i < ev->n_fields; i++)
        sum += (size_t)ev->fields[i].name.s[ev->fields[i].name.len] +
               (size_t)ev->fields[i].value.s[ev->fields[i].value.len];
    (void)sum;
    (void)ws_evtx_event_field(ev, field);
}

#endif
