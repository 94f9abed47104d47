/*
 * lsan.h - LeakSanitizer suppressions for leaks inside third-party libraries
 * (never our code), for the sanitizer builds. Each is bounded per file or per
 * image opened:
 *   - libregf 20201007 keeps a key item and its libcdata arrays when it fails
 *     to read a damaged key (patterns name the innermost frames: libregf has
 *     no frame pointers, so fast unwinding stops there);
 *   - libewf (2014) leaks its handle when an E01 fails to open, libvmdk and
 *     libvhdi theirs when a file with their magic fails to open (libtsk 4.11).
 * WS_DEFINE_LSAN_SUPPRESSIONS() defines LeakSanitizer's hook as a weak symbol;
 * it is placed in the objects that use those libraries and in init.c, so any
 * binary linking them carries it, once (weak definitions merge).
 */
#ifndef WS_LSAN_H
#define WS_LSAN_H

#define WS_LSAN_SUPPRESSIONS                                                                       \
    "leak:libregf_key_item_initialize\n"                                                           \
    "leak:libcdata_array_initialize\n"                                                             \
    "leak:libewf_\n"                                                                               \
    "leak:libewf.so\n"                                                                             \
    "leak:libvmdk\n"                                                                               \
    "leak:libvhdi\n"                                                                               \
    "leak:vmdk_open\n"                                                                             \
    "leak:vhdi_open\n"

#define WS_DEFINE_LSAN_SUPPRESSIONS()                                                              \
    const char *__lsan_default_suppressions(void);                                                 \
    __attribute__((weak, visibility("default"))) const char *__lsan_default_suppressions(void)     \
    {                                                                                              \
        return WS_LSAN_SUPPRESSIONS;                                                               \
    }

#endif
