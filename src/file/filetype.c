/*
 * filetype.c - magic-byte table for Loki's `filetype` external. The names
 * follow Loki's config/file-type-signatures.cfg so rules written for Loki
 * (`filetype == "EXE"`) behave the same.
 */
#include "core/compat.h"

#include <string.h>

#include "file/filetype.h"

static const struct {
    const char *magic;
    size_t len;
    const char *name;
} magics[] = {
    {"MZ", 2, "EXE"},
    {"\x7f"
     "ELF",
     4, "ELF"},
    {"PK\x03\x04", 4, "ZIP"},
    {"Rar!\x1a\x07", 6, "RAR"},
    {"7z\xbc\xaf\x27\x1c", 6, "7Z"},
    {"\x1f\x8b", 2, "GZIP"},
    {"MDMP", 4, "MDMP"},
    {"%PDF", 4, "PDF"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "OLE"},
    {"MSCF", 4, "CAB"},
    {"{\\rtf", 5, "RTF"},
    {"\xca\xfe\xba\xbe", 4, "CLASS"},
    {"\x89PNG", 4, "PNG"},
    {"GIF8", 4, "GIF"},
    {"\xff\xd8\xff", 3, "JPEG"},
    {"ElfFile", 7, "EVTX"},
    {"regf", 4, "REGF"},
    {"\xd4\xc3\xb2\xa1", 4, "PCAP"},
    {"\x0a\x0d\x0d\x0a", 4, "PCAPNG"},
    {"L\0\0\0\x01\x14\x02\0", 8, "LNK"},
};

const char *ws_filetype_of(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < WS_ARRAY_LEN(magics); i++)
        if (len >= magics[i].len && memcmp(data, magics[i].magic, magics[i].len) == 0)
            return magics[i].name;
    return "";
}
