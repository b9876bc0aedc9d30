/* Tests for proto/encode.c: frames byte for byte. */
#include "suites.h"

#include "proto/encode.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static struct bl_buf out;

static void setup(void)
{
    bl_buf_init(&out);
}

static void teardown(void)
{
    bl_buf_close(&out);
}

static const struct bl_slice no_reply = {NULL, 0};

/* MSG without reply: subject, sid, size. */
START_TEST(msg_without_reply)
{
    encode_msg(&out, BL_SLICE_LIT("orders.new"), BL_SLICE_LIT("7"), no_reply, 0,
               BL_SLICE_LIT("hello"));
    ck_assert_uint_eq(out.len, strlen("MSG orders.new 7 5\r\nhello\r\n"));
    ck_assert_str_eq(out.p, "MSG orders.new 7 5\r\nhello\r\n");
}
END_TEST

/* MSG with reply: the reply goes between sid and size. */
START_TEST(msg_with_reply)
{
    encode_msg(&out, BL_SLICE_LIT("a"), BL_SLICE_LIT("12"),
               BL_SLICE_LIT("_INBOX.x"), 0, BL_SLICE_LIT("hi"));
    ck_assert_str_eq(out.p, "MSG a 12 _INBOX.x 2\r\nhi\r\n");
}
END_TEST

/* MSG with an empty payload still ends in an empty CRLF-terminated body. */
START_TEST(msg_with_empty_payload)
{
    encode_msg(&out, BL_SLICE_LIT("a"), BL_SLICE_LIT("1"), no_reply, 0,
               (struct bl_slice){NULL, 0});
    ck_assert_str_eq(out.p, "MSG a 1 0\r\n\r\n");
}
END_TEST

/* HMSG without reply: header size, then total size. */
START_TEST(hmsg_without_reply)
{
    encode_msg(&out, BL_SLICE_LIT("h"), BL_SLICE_LIT("3"), no_reply, 12,
               BL_SLICE_LIT("NATS/1.0\r\n\r\nhi"));
    ck_assert_str_eq(out.p, "HMSG h 3 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
}
END_TEST

/* HMSG with reply. */
START_TEST(hmsg_with_reply)
{
    encode_msg(&out, BL_SLICE_LIT("h"), BL_SLICE_LIT("3"), BL_SLICE_LIT("r.1"),
               12, BL_SLICE_LIT("NATS/1.0\r\n\r\n"));
    ck_assert_str_eq(out.p, "HMSG h 3 r.1 12 12\r\nNATS/1.0\r\n\r\n\r\n");
}
END_TEST

/* Payload bytes go out verbatim, NUL included. */
START_TEST(msg_payload_is_binary_safe)
{
    encode_msg(&out, BL_SLICE_LIT("a"), BL_SLICE_LIT("1"), no_reply, 0,
               (struct bl_slice){"x\0y", 3});
    ck_assert_uint_eq(out.len, 16);
    ck_assert_mem_eq(out.p, "MSG a 1 3\r\nx\0y\r\n", 16);
}
END_TEST

/* encode_msg_line() writes just the control line, big sizes in decimal. */
START_TEST(msg_line_alone)
{
    encode_msg_line(&out, BL_SLICE_LIT("a"), BL_SLICE_LIT("1"), no_reply, 0,
                    1048576);
    ck_assert_str_eq(out.p, "MSG a 1 1048576\r\n");
    bl_buf_clear(&out);
    encode_msg_line(&out, BL_SLICE_LIT("a"), BL_SLICE_LIT("1"),
                    BL_SLICE_LIT("r"), 100, 18446744073709551615u);
    ck_assert_str_eq(out.p, "HMSG a 1 r 100 18446744073709551615\r\n");
}
END_TEST

/* Encoders append after what the buffer already holds. */
START_TEST(encoders_append)
{
    bl_buf_append_str(&out, "PONG\r\n");
    encode_msg(&out, BL_SLICE_LIT("a"), BL_SLICE_LIT("1"), no_reply, 0,
               BL_SLICE_LIT("x"));
    encode_err(&out, "'Unknown Protocol Operation'");
    encode_info(&out, "{\"max_payload\":1048576}");
    ck_assert_str_eq(out.p, "PONG\r\nMSG a 1 1\r\nx\r\n"
                            "-ERR 'Unknown Protocol Operation'\r\n"
                            "INFO {\"max_payload\":1048576}\r\n");
    ck_assert_uint_eq(out.len, strlen(out.p));
}
END_TEST

/* Many frames into one buffer: it grows and stays exact. */
START_TEST(many_msgs_grow_the_buffer)
{
    char sid[24];
    for (int i = 0; i < 1000; i++) {
        snprintf(sid, sizeof(sid), "%d", i);
        encode_msg(&out, BL_SLICE_LIT("subject.with.some.tokens"),
                   bl_slice_of(sid), BL_SLICE_LIT("reply"), 0,
                   BL_SLICE_LIT("payload"));
    }
    const char *w = out.p;
    for (int i = 0; i < 1000; i++) {
        char want[96];
        int n = snprintf(want, sizeof(want),
                         "MSG subject.with.some.tokens %d reply 7\r\n"
                         "payload\r\n",
                         i);
        ck_assert_mem_eq(w, want, (size_t)n);
        w += n;
    }
    ck_assert_ptr_eq(w, out.p + out.len);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, t);
    suite_add_tcase(s, tc);
}

Suite *encode_suite(void)
{
    Suite *s = suite_create("proto/encode");
    add(s, "msg", msg_without_reply);
    add(s, "msg_reply", msg_with_reply);
    add(s, "msg_empty", msg_with_empty_payload);
    add(s, "hmsg", hmsg_without_reply);
    add(s, "hmsg_reply", hmsg_with_reply);
    add(s, "binary", msg_payload_is_binary_safe);
    add(s, "msg_line", msg_line_alone);
    add(s, "append", encoders_append);
    add(s, "many", many_msgs_grow_the_buffer);
    return s;
}
