/*
 * fuzz-path.c - path handling: the built-in pack's file-name matching (the
 * prefilter and PCRE2 on the Windows form) and the escaping of a name for
 * every sink, on arbitrary bytes as a path.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz_packs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ws_pack *pack = fuzz_builtin_pack();
    if (!pack || size > 40000)
        return 0;
    char name[40001];
    for (size_t i = 0; i < size; i++)
        name[i] = data[i] ? (char)data[i] : '_';
    name[size] = '\0';
    if (ws_scan_buffer(pack, name, data, size, fuzz_ignore, NULL) != WS_OK)
        return 0;
    ws_report *r;
    if (ws_report_new("fuzz", &r) == WS_OK) {
        FILE *null = fopen("/dev/null", "w");
        ws_sink *s;
        if (null && ws_sink_json_new(null, 0, &s) == WS_OK && ws_report_add_sink(r, s) == WS_OK &&
            ws_sink_human_new(null, WS_SINK_VERBOSE, &s) == WS_OK &&
            ws_report_add_sink(r, s) == WS_OK && ws_sink_csv_new(null, 0, &s) == WS_OK &&
            ws_report_add_sink(r, s) == WS_OK) {
            struct ws_finding f;
            ws_finding_init(&f, WS_FINDING_ERROR);
            f.path = name;
            f.path_len = size;
            f.message = name;
            ws_report_emit(r, &f);
        }
        ws_report_free(r);
        if (null)
            fclose(null);
    }
    return 0;
}
