/*
 * test-core.c - unit tests of the low-level modules: cursor, buffer caps,
 * text escaping, number parsing, JSON writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/compat.h"
#include "core/buf.h"
#include "core/cur.h"
#include "core/json.h"
#include "core/text.h"

static void cursor_bounds(void **state)
{
    (void)state;
    const uint8_t b[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    struct ws_cur c, sub;
    uint32_t v32;
    uint64_t v64;
    uint16_t v16;
    ws_cur_init(&c, b, sizeof b);
    assert_int_equal(ws_cur_le32(&c, &v32), WS_OK);
    assert_int_equal(v32, 0x04030201u);
    assert_int_equal(ws_cur_le64(&c, &v64), WS_E_TRUNCATED); /* 5 left */
    assert_int_equal(c.off, 4);                              /* unchanged on failure */
    assert_int_equal(ws_cur_sub(&c, 6, &sub), WS_E_TRUNCATED);
    assert_int_equal(ws_cur_sub(&c, 5, &sub), WS_OK);
    assert_int_equal(ws_cur_left(&c), 0);
    assert_int_equal(ws_cur_be16(&sub, &v16), WS_OK);
    assert_int_equal(v16, 0x0506);
    assert_int_equal(ws_cur_skip(&sub, 3), WS_OK);
    assert_int_equal(ws_cur_skip(&sub, 1), WS_E_TRUNCATED);
    assert_int_equal(ws_cur_window(&c, 9, 0, &sub), WS_OK);
    assert_int_equal(ws_cur_window(&c, 9, 1, &sub), WS_E_TRUNCATED);
    assert_int_equal(ws_cur_window(&c, SIZE_MAX, 2, &sub), WS_E_TRUNCATED);
    assert_int_equal(ws_cur_seek(&c, 10), WS_E_TRUNCATED);
}

static void buffer_cap(void **state)
{
    (void)state;
    struct ws_buf b;
    ws_buf_init(&b, 8); /* holds at most 7 bytes + NUL */
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_int_equal(ws_buf_add(&b, "123456", 6), WS_OK);
    assert_int_equal(ws_buf_add(&b, "7", 1), WS_OK);          /* limit */
    assert_int_equal(ws_buf_add(&b, "8", 1), WS_E_TOO_LARGE); /* limit + 1 */
    assert_int_equal(b.len, 7);
    assert_string_equal(b.data, "1234567"); /* unchanged and valid */
    ws_buf_reset(&b);
    assert_int_equal(ws_buf_addf(&b, "%d-%s", 42, "x"), WS_OK);
    assert_string_equal(b.data, "42-x");
    assert_int_equal(ws_buf_addf(&b, "%s", "toolong"), WS_E_TOO_LARGE);
    ws_buf_release(&b);
}

static void text_escaping(void **state)
{
    (void)state;
    struct ws_buf b;
    ws_buf_init(&b, 1024);
    const char name[] = "a\"b\\c\nd\x01\xff\xc3\xa9";
    assert_int_equal(ws_text_json(&b, name, sizeof name - 1), WS_OK);
    assert_string_equal(b.data, "a\\\"b\\\\c\\nd\\u0001\xEF\xBF\xBD\xc3\xa9");
    ws_buf_reset(&b);
    assert_int_equal(ws_text_human(&b, name, sizeof name - 1), WS_OK);
    assert_string_equal(b.data, "a\"b\\c\\x0ad\\x01\\xff\xc3\xa9");
    ws_buf_reset(&b);
    assert_int_equal(ws_text_csv(&b, "x\"y", 3), WS_OK);
    assert_string_equal(b.data, "\"x\"\"y\"");
    assert_false(ws_text_is_utf8("\xc0\xaf", 2));     /* overlong */
    assert_false(ws_text_is_utf8("\xed\xa0\x80", 3)); /* surrogate */
    assert_true(ws_text_is_utf8("\xf0\x9f\x98\x80", 4));
    ws_buf_release(&b);
}

static void numbers(void **state)
{
    (void)state;
    const char *s = "18446744073709551615x", *p = s;
    uint64_t v;
    assert_int_equal(ws_parse_u64(&p, s + strlen(s), UINT64_MAX, &v), WS_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(*p, 'x');
    const char *o = "18446744073709551616";
    p = o;
    assert_int_equal(ws_parse_u64(&p, o + strlen(o), UINT64_MAX, &v), WS_E_OVERFLOW);
    assert_ptr_equal(p, o);
    const char *e = "";
    p = e;
    assert_int_equal(ws_parse_u64(&p, e, 10, &v), WS_E_SYNTAX);
    const char *m = "101";
    p = m;
    assert_int_equal(ws_parse_u64(&p, m + 3, 100, &v), WS_E_OVERFLOW);
    p = m;
    assert_int_equal(ws_parse_u64(&p, m + 3, 101, &v), WS_OK);
}

static void json_writer(void **state)
{
    (void)state;
    struct ws_buf b;
    struct ws_json j;
    ws_buf_init(&b, 4096);
    ws_json_init(&j, &b);
    ws_json_obj_begin(&j, NULL);
    ws_json_str(&j, "a", "x");
    ws_json_arr_begin(&j, "l");
    ws_json_u64(&j, NULL, 1);
    ws_json_i64(&j, NULL, -2);
    ws_json_arr_end(&j);
    ws_json_obj_begin(&j, "o");
    ws_json_bool(&j, "t", 1);
    ws_json_obj_end(&j);
    ws_json_obj_end(&j);
    assert_int_equal(ws_json_status(&j), WS_OK);
    assert_string_equal(b.data, "{\"a\":\"x\",\"l\":[1,-2],\"o\":{\"t\":true}}");
    /* nesting beyond the cap is an error, not an overflow */
    ws_buf_reset(&b);
    ws_json_init(&j, &b);
    for (int i = 0; i < WS_JSON_MAX_DEPTH + 2; i++)
        ws_json_arr_begin(&j, NULL);
    assert_int_equal(ws_json_status(&j), WS_E_TOO_LARGE);
    ws_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursor_bounds), cmocka_unit_test(buffer_cap),
        cmocka_unit_test(text_escaping), cmocka_unit_test(numbers),
        cmocka_unit_test(json_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
