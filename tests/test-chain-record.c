/* test-chain-record.c: chain records, their hash input and their JSON
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "anx-chain-record.h"

static GDateTime *
time_at (const char *text)
{
  g_autoptr(GError) error = NULL;
  GDateTime *time = anx_chain_parse_time (text, &error);

  g_assert_no_error (error);
  return time;
}

static AnxChainRecord *
make_charge (void)
{
  g_autoptr(GDateTime) at = time_at ("2026-03-14T09:42:17+08:00");
  AnxChainRecord *record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, "C1", 0, NULL, at);

  anx_chain_record_set_charge (record, "S1", "OCMF|{}|{}", 1000, 85);
  anx_chain_record_add_tariff_segment (record, "平", 1000, 85320);
  return record;
}

static void
test_genesis (void)
{
  g_autofree char *hex = anx_chain_hash_to_hex (anx_chain_genesis_hash ());
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) "anxin.chain.genesis.v1", -1);
  g_assert_cmpstr (hex, ==, g_checksum_get_string (checksum));
}

static void
test_hex (void)
{
  guint8 hash[ANX_CHAIN_HASH_SIZE];
  g_autofree char *back = NULL;
  const char *good = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

  g_assert_true (anx_chain_hash_from_hex (good, hash));
  g_assert_cmpuint (hash[1], ==, 0x11);
  g_assert_cmpuint (hash[31], ==, 0xff);
  back = anx_chain_hash_to_hex (hash);
  g_assert_cmpstr (back, ==, good);

  g_assert_false (anx_chain_hash_from_hex ("0011", hash));
  g_assert_false (anx_chain_hash_from_hex (
      "00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", hash));
  g_assert_false (anx_chain_hash_from_hex (
      "0g112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", hash));
  g_assert_false (anx_chain_hash_from_hex (NULL, hash));
}

static void
test_times (void)
{
  static const struct
  {
    const char *input;
    const char *formatted;
    gint64 unix_seconds;
    int usec;
    int offset;
  } good[] = {
    { "2026-03-14T09:42:17+08:00", "2026-03-14T09:42:17+08:00", 1773452537, 0, 28800 },
    { "2026-03-14T01:42:17Z", "2026-03-14T01:42:17Z", 1773452537, 0, 0 },
    { "2026-03-14T01:42:17+00:00", "2026-03-14T01:42:17Z", 1773452537, 0, 0 },
    { "2026-03-14T01:42:17.5-05:30", "2026-03-14T01:42:17.500-05:30", 1773472337, 500000, -19800 },
    { "2026-03-14T01:42:17.000001Z", "2026-03-14T01:42:17.000001Z", 1773452537, 1, 0 },
    { "2024-02-29T23:59:59.999999+14:00", "2024-02-29T23:59:59.999999+14:00", 1709200799, 999999,
      50400 },
    { "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", 0, 0, 0 },
  };
  static const char *const bad[] = {
    "",
    "2026-03-14",
    "2026-03-14T09:42:17",
    "2026-03-14 09:42:17Z",
    "2026-03-14t09:42:17Z",
    "2026-03-14T09:42:17z",
    "2026-03-14T09:42:60Z",
    "2026-02-29T09:42:17Z",
    "2026-13-01T00:00:00Z",
    "2026-03-14T24:00:00Z",
    "2026-03-14T09:42:17-00:00",
    "2026-03-14T09:42:17.Z",
    "2026-03-14T09:42:17.1234567Z",
    "2026-03-14T09:42:17+0800",
    "2026-03-14T09:42:17+24:00",
    "2026-03-14T09:42:17Z ",
    "0000-01-01T00:00:00Z",
    "+2026-03-14T09:42:17Z",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GDateTime) time = time_at (good[i].input);
      g_autofree char *formatted = anx_chain_format_time (time);

      g_assert_cmpstr (formatted, ==, good[i].formatted);
      g_assert_cmpint (g_date_time_to_unix (time), ==, good[i].unix_seconds);
      g_assert_cmpint (g_date_time_get_microsecond (time), ==, good[i].usec);
      g_assert_cmpint (g_date_time_get_utc_offset (time) / G_TIME_SPAN_SECOND, ==, good[i].offset);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) time = anx_chain_parse_time (bad[i], &error);

      g_test_message ("time “%s”", bad[i]);
      g_assert_null (time);
      g_assert_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE);
    }
}

/* The hash input of a small seal record, written out byte by byte from the
 * table in docs/feed-protocol.md */
static void
test_hash_input_layout (void)
{
  g_autoptr(GDateTime) at = time_at ("1970-01-01T08:00:01+08:00");
  g_autoptr(GDateTime) event = time_at ("1970-01-01T00:00:00.000002Z");
  g_autoptr(AnxChainRecord) record = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  static const guint8 head[] = {
    0,   0,   0,   18, 'a', 'n', 'x', 'i', 'n', '.', 'c', 'h', 'a', 'i', 'n', '.', 'r', 'e', 'c',
    'o', 'r', 'd', 1,  2,   0,   0,   0,   2,   'C', '7', 0,   0,   0,   0,   0,   0,   1,   2,
  };
  static const guint8 tail[] = {
    /* recorded_at: 1 s = 1000000 µs (0x0f4240), offset 28800 (0x7080) */
    0,
    0,
    0,
    0,
    0,
    0x0f,
    0x42,
    0x40,
    0,
    0,
    0x70,
    0x80,
    /* seal_id "S" */
    0,
    0,
    0,
    1,
    'S',
    /* removed */
    4,
    /* event_time 2 µs, offset 0 */
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    2,
    0,
    0,
    0,
    0,
    /* signed_signal "" */
    0,
    0,
    0,
    0,
  };
  guint8 prev[ANX_CHAIN_HASH_SIZE];

  memset (prev, 0xab, sizeof prev);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_SEAL, "C7", 258, prev, at);
  anx_chain_record_set_seal (record, "S", ANX_SEAL_ACTION_REMOVED, event, NULL);

  g_byte_array_append (expected, head, sizeof head);
  g_byte_array_append (expected, prev, sizeof prev);
  g_byte_array_append (expected, tail, sizeof tail);

  input = anx_chain_record_get_hash_input (record);
  g_assert_cmpmem (g_bytes_get_data (input, NULL), g_bytes_get_size (input), expected->data,
                   expected->len);
}

static void
test_negative_time_and_error (void)
{
  g_autoptr(GDateTime) at = time_at ("1969-12-31T23:59:59-01:00");
  g_autoptr(AnxChainRecord) record = NULL;
  g_autoptr(GBytes) input = NULL;
  const guint8 *data;
  gsize len;
  /* 1969-12-31T23:59:59-01:00 = 1970-01-01T00:59:59Z = 3599 s */
  static const guint8 time_bytes[] = {
    0, 0, 0, 0, 0xd6, 0x84, 0x61, 0xc0, 0xff, 0xff, 0xf1, 0xf0,
  };
  static const guint8 error_bytes[] = { 1, 0xff, 0xff, 0xff, 0xdd }; /* -35 */

  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION, "C", 0, NULL, at);
  anx_chain_record_set_inspection (record, "I", ANX_INSPECTION_RESULT_PASS, at, NULL, NULL);
  anx_chain_record_set_measured_error (record, TRUE, -35);
  input = anx_chain_record_get_hash_input (record);
  data = g_bytes_get_data (input, &len);

  /* 3599 s = 3599000000 µs = 0xd68461c0, offset -3600 = 0xfffff1f0 */
  g_assert_cmpmem (data + 22 + 1 + 1 + 5 + 8 + 32, 12, time_bytes, 12);
  /* inspector "I" (5 bytes), result (1), inspected_at (12), then opt_i32 */
  g_assert_cmpmem (data + 22 + 1 + 1 + 5 + 8 + 32 + 12 + 5 + 1 + 12, 5, error_bytes, 5);
}

static void
test_amount_rule (void)
{
  static const struct
  {
    gint64 wh;
    gint64 price;
    gint64 wh2;
    gint64 price2;
    gint64 expected;
  } cases[] = {
    { 31200, 85320, 0, 0, 2662 },          /* 2661.984 */
    { 5, 100000, 0, 0, 1 },                /* 0.5 fen: half up */
    { 4, 100000, 0, 0, 0 },                /* 0.4 fen */
    { 12000, 121340, 19200, 85320, 3094 }, /* 1456.08 + 1638.144 once */
    { 1, 499999, 1, 1, 1 },                /* 0.499999 + 0.000001 = 0.5 */
    { 0, 85320, 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GDateTime) at = time_at ("2026-03-14T09:42:17+08:00");
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, "C", 0, NULL, at);
      gint64 amount = -1;

      anx_chain_record_set_charge (record, NULL, "OCMF|{}|{}", cases[i].wh + cases[i].wh2, 0);
      anx_chain_record_add_tariff_segment (record, NULL, cases[i].wh, cases[i].price);
      if (cases[i].wh2 != 0)
        anx_chain_record_add_tariff_segment (record, NULL, cases[i].wh2, cases[i].price2);
      g_assert_true (anx_chain_record_expected_amount (record, &amount));
      g_assert_cmpint (amount, ==, cases[i].expected);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(GDateTime) at = time_at ("2026-03-16T11:20:31.125+08:00");
  g_autoptr(GDateTime) when = time_at ("2026-03-16T10:20:00Z");
  g_autoptr(GBytes) old_key = g_bytes_new_static ("\x30\x01\x02", 3);
  g_autoptr(GBytes) new_key = g_bytes_new_static ("\x30\x03\x04\x05", 4);
  AnxChainRecord *records[4];

  records[0] = make_charge ();
  anx_chain_record_add_tariff_segment (records[0], "谷", 0, 31000);

  records[1] = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_SEAL, "C1", 1, NULL, at);
  anx_chain_record_set_seal (records[1], "SEAL-1", ANX_SEAL_ACTION_APPLIED, when, "sig");

  records[2] = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_METER_EXCHANGE, "C1", 2, NULL, at);
  anx_chain_record_set_meter_exchange (records[2], "M-OLD", old_key, "M-NEW", new_key, "换表");

  records[3] = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION, "C1", 3, NULL, at);
  anx_chain_record_set_inspection (records[3], "王建国", ANX_INSPECTION_RESULT_SEALED, when,
                                   "已施封。\n第二行 \"引号\"", "key-1");
  anx_chain_record_set_measured_error (records[3], TRUE, -35);
  anx_chain_record_add_seal_removed (records[3], "A");
  anx_chain_record_add_seal_applied (records[3], "B");
  anx_chain_record_add_seal_applied (records[3], "C");

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *json = anx_chain_record_to_json (records[i], i % 2 == 0);
      g_autoptr(AnxChainRecord) back = anx_chain_record_new_from_json (json, -1, &error);
      g_autofree char *json2 = NULL;
      g_autoptr(GBytes) in1 = anx_chain_record_get_hash_input (records[i]);
      g_autoptr(GBytes) in2 = NULL;
      g_autoptr(AnxChainRecord) copy = anx_chain_record_copy (records[i]);

      g_assert_no_error (error);
      g_assert_nonnull (back);
      in2 = anx_chain_record_get_hash_input (back);
      g_assert_true (g_bytes_equal (in1, in2));
      g_assert_true (anx_chain_record_hash_is_valid (back));
      g_assert_nonnull (anx_chain_record_get_stated_hash (back));
      g_assert_null (anx_chain_record_get_stated_hash (records[i]));
      json2 = anx_chain_record_to_json (back, i % 2 == 0);
      g_assert_cmpstr (json, ==, json2);
      g_assert_cmpmem (anx_chain_record_get_hash (copy), ANX_CHAIN_HASH_SIZE,
                       anx_chain_record_get_hash (records[i]), ANX_CHAIN_HASH_SIZE);
    }

  {
    gint32 bp = 0;
    const char *const *applied = anx_chain_record_get_seals_applied (records[3]);

    g_assert_true (anx_chain_record_get_measured_error (records[3], &bp));
    g_assert_cmpint (bp, ==, -35);
    g_assert_cmpuint (g_strv_length ((char **) applied), ==, 2);
    g_assert_cmpstr (applied[1], ==, "C");
  }

  for (guint i = 0; i < G_N_ELEMENTS (records); i++)
    anx_chain_record_unref (records[i]);
}

/* anx_chain_record_to_json() writes the compact text itself: it must be
 * what json-glib writes from anx_chain_record_to_json_node(), for every
 * kind, optional member and character (each ASCII one, UTF-8, U+2028). */
static void
test_compact_json (void)
{
  g_autoptr(GDateTime) at = time_at ("2026-03-16T11:20:31.125+08:00");
  g_autoptr(GDateTime) when = time_at ("2026-03-16T10:20:00Z");
  g_autoptr(GBytes) key = g_bytes_new_static ("\x30\x01\x02", 3);
  g_autoptr(GString) all = g_string_new ("王 \u2028 é ");
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (
      (GDestroyNotify) anx_chain_record_unref);
  AnxChainRecord *record;

  for (int c = 1; c < 0x80; c++)
    g_string_append_c (all, (char) c);

  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, all->str, 7, NULL, at);
  anx_chain_record_set_charge (record, all->str, all->str, 31200, 3094);
  anx_chain_record_add_tariff_segment (record, all->str, 12000, 121340);
  anx_chain_record_add_tariff_segment (record, "平", 19200, 85320);
  g_ptr_array_add (records, record);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, "C1", 0, NULL, at);
  anx_chain_record_set_charge (record, NULL, "OCMF|{}|{}", 0, 0);
  g_ptr_array_add (records, record);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_SEAL, "C1", 1, NULL, at);
  anx_chain_record_set_seal (record, all->str, ANX_SEAL_ACTION_REMOVED, when, NULL);
  g_ptr_array_add (records, record);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_METER_EXCHANGE, "C1", 2, NULL, at);
  anx_chain_record_set_meter_exchange (record, all->str, key, "M-NEW", key, all->str);
  g_ptr_array_add (records, record);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION, "C1", 3, NULL, at);
  anx_chain_record_set_inspection (record, all->str, ANX_INSPECTION_RESULT_FAIL, when, all->str,
                                   NULL);
  anx_chain_record_add_seal_removed (record, all->str);
  anx_chain_record_add_seal_removed (record, "A");
  g_ptr_array_add (records, record);
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION, "C1", 4, NULL, at);
  anx_chain_record_set_inspection (record, "I", ANX_INSPECTION_RESULT_PASS, when, NULL, "k");
  anx_chain_record_set_measured_error (record, TRUE, -35);
  g_ptr_array_add (records, record);

  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(JsonNode) node = anx_chain_record_to_json_node (records->pdata[i]);
      g_autofree char *expected = json_to_string (node, FALSE);
      g_autofree char *compact = anx_chain_record_to_json (records->pdata[i], FALSE);

      g_assert_cmpstr (compact, ==, expected);
    }
}

static void
test_content_changes_hash (void)
{
  g_autoptr(AnxChainRecord) record = make_charge ();
  guint8 before[ANX_CHAIN_HASH_SIZE];
  guint8 after[ANX_CHAIN_HASH_SIZE];

  anx_chain_record_compute_hash (record, before);
  anx_chain_record_set_stated_hash (record, before);
  g_assert_true (anx_chain_record_hash_is_valid (record));

  anx_chain_record_set_charge (record, "S1", "OCMF|{}|{}", 1001, 85);
  anx_chain_record_compute_hash (record, after);
  g_assert_cmpmem (before, sizeof before, anx_chain_record_get_hash (record), ANX_CHAIN_HASH_SIZE);
  g_assert_false (memcmp (before, after, sizeof before) == 0);
  g_assert_false (anx_chain_record_hash_is_valid (record));

  /* absent optional members hash like their defaults */
  {
    g_autoptr(AnxChainRecord) a = make_charge ();
    g_autoptr(AnxChainRecord) b = make_charge ();
    guint8 ha[ANX_CHAIN_HASH_SIZE], hb[ANX_CHAIN_HASH_SIZE];

    anx_chain_record_set_charge (a, NULL, "OCMF|{}|{}", 1000, 85);
    anx_chain_record_set_charge (b, "", "OCMF|{}|{}", 1000, 85);
    anx_chain_record_compute_hash (a, ha);
    anx_chain_record_compute_hash (b, hb);
    g_assert_cmpmem (ha, sizeof ha, hb, sizeof hb);
  }
}

#define GOOD_HEAD                                                                                \
  "\"version\":1,\"charger_id\":\"C1\",\"sequence\":3,\"recorded_at\":\"2026-03-14T09:42:17+08:" \
  "00\","                                                                                        \
  "\"prev_hash\":\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c\""
#define GOOD_SEAL                                                                                 \
  "\"kind\":\"seal\",\"seal\":{\"seal_id\":\"S\",\"action\":\"opened\",\"event_time\":\"2026-03-" \
  "14T09:42:17+08:00\"}"

static void
test_minimal_json (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxChainRecord) record =
      anx_chain_record_new_from_json ("{" GOOD_HEAD "," GOOD_SEAL "}", -1, &error);

  g_assert_no_error (error);
  g_assert_cmpint (anx_chain_record_get_kind (record), ==, ANX_CHAIN_RECORD_KIND_SEAL);
  g_assert_cmpuint (anx_chain_record_get_sequence (record), ==, 3);
  g_assert_null (anx_chain_record_get_stated_hash (record));
  g_assert_cmpstr (anx_chain_record_get_signed_signal (record), ==, "");
  g_assert_cmpint (anx_chain_record_get_seal_action (record), ==, ANX_SEAL_ACTION_OPENED);
}

static void
test_malformed_json (void)
{
  static const struct
  {
    const char *json;
    AnxChainRecordError code;
    const char *mentions;
  } cases[] = {
    { "", ANX_CHAIN_RECORD_ERROR_INVALID_JSON, NULL },
    { "{", ANX_CHAIN_RECORD_ERROR_INVALID_JSON, "1:" },
    { "{\n\"version\": 1,\n\"kind\" \"seal\"}", ANX_CHAIN_RECORD_ERROR_INVALID_JSON, "3:" },
    { "[]", ANX_CHAIN_RECORD_ERROR_WRONG_TYPE, NULL },
    { "{" GOOD_HEAD "," GOOD_SEAL ",\"version\":1}", ANX_CHAIN_RECORD_ERROR_INVALID_JSON, "twice" },
    { "{" GOOD_HEAD ",\"kind\":\"seal\",\"seal\":{\"seal_id\":\"S\\u0000X\",\"action\":\"opened\","
      "\"event_time\":\"2026-03-14T09:42:17+08:00\"}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_JSON, "U+0000" },
    { "{\"version\":2}", ANX_CHAIN_RECORD_ERROR_UNSUPPORTED_VERSION, "version" },
    { "{\"version\":\"1\"}", ANX_CHAIN_RECORD_ERROR_WRONG_TYPE, "version" },
    { "{\"version\":1.0}", ANX_CHAIN_RECORD_ERROR_WRONG_TYPE, "version" },
    { "{" GOOD_HEAD "," GOOD_SEAL ",\"extra\":1}", ANX_CHAIN_RECORD_ERROR_UNKNOWN_MEMBER, "extra" },
    { "{" GOOD_HEAD "," GOOD_SEAL ",\"charge\":{}}", ANX_CHAIN_RECORD_ERROR_UNKNOWN_MEMBER,
      "charge" },
    { "{" GOOD_HEAD ",\"kind\":\"seal\"}", ANX_CHAIN_RECORD_ERROR_MISSING_MEMBER, "seal" },
    { "{" GOOD_HEAD ",\"kind\":\"refund\",\"refund\":{}}", ANX_CHAIN_RECORD_ERROR_UNKNOWN_MEMBER,
      "refund" },
    { "{\"version\":1,\"kind\":\"refund\"}", ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "kind" },
    { "{" GOOD_HEAD ",\"kind\":\"seal\",\"seal\":{\"seal_id\":\"S\",\"action\":\"broken\","
      "\"event_time\":\"2026-03-14T09:42:17+08:00\"}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "seal.action" },
    { "{" GOOD_HEAD ",\"kind\":\"seal\",\"seal\":{\"seal_id\":\"S\",\"action\":\"opened\","
      "\"event_time\":\"2026-03-14 09:42:17\"}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "seal.event_time" },
    { "{" GOOD_HEAD ",\"kind\":\"seal\",\"seal\":{\"seal_id\":\"\",\"action\":\"opened\","
      "\"event_time\":\"2026-03-14T09:42:17+08:00\"}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "seal.seal_id" },
    { "{\"version\":1,\"charger_id\":\"C1\",\"sequence\":-1,\"kind\":\"seal\"}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "sequence" },
    { "{\"version\":1,\"charger_id\":\"C1\",\"sequence\":9007199254740992,\"kind\":\"seal\"}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "sequence" },
    { "{\"version\":1,\"charger_id\":\"C1\",\"sequence\":99999999999999999999,\"kind\":\"seal\"}",
      ANX_CHAIN_RECORD_ERROR_INVALID_JSON, "too large" },
    { "{\"version\":1,\"charger_id\":\"C1\",\"sequence\":1,\"kind\":\"seal\",\"prev_hash\":\"00\"}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "prev_hash" },
    { "{" GOOD_HEAD
      ",\"hash\":\"5E41BF1FE13B03FF8AE3D18DFCB5E7A8CFABBE2DBE7B4A59513706360495190C\"," GOOD_SEAL
      "}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "hash" },
    { "{\"version\":1,\"charger_id\":\"\",\"kind\":\"seal\"}", ANX_CHAIN_RECORD_ERROR_INVALID_VALUE,
      "charger_id" },
    { "{" GOOD_HEAD ",\"kind\":\"charge\",\"charge\":{\"ocmf\":\"O\",\"billed_wh\":1,"
      "\"amount_fen\":1,\"tariff\":[]}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "charge.tariff" },
    { "{" GOOD_HEAD ",\"kind\":\"charge\",\"charge\":{\"ocmf\":\"O\",\"billed_wh\":1.5,"
      "\"amount_fen\":1,\"tariff\":[]}}",
      ANX_CHAIN_RECORD_ERROR_WRONG_TYPE, "charge.billed_wh" },
    { "{" GOOD_HEAD ",\"kind\":\"charge\",\"charge\":{\"ocmf\":\"O\",\"billed_wh\":1,"
      "\"amount_fen\":1,\"tariff\":[{\"energy_wh\":1}]}}",
      ANX_CHAIN_RECORD_ERROR_MISSING_MEMBER, "charge.tariff[0].price_millifen_per_kwh" },
    { "{" GOOD_HEAD ",\"kind\":\"charge\",\"charge\":{\"ocmf\":\"O\",\"billed_wh\":1,"
      "\"amount_fen\":1,\"tariff\":[{\"energy_wh\":1,\"price_millifen_per_kwh\":1,\"x\":0}]}}",
      ANX_CHAIN_RECORD_ERROR_UNKNOWN_MEMBER, "charge.tariff[0].x" },
    { "{" GOOD_HEAD ",\"kind\":\"charge\",\"charge\":{\"billed_wh\":1,"
      "\"amount_fen\":1,\"tariff\":[]}}",
      ANX_CHAIN_RECORD_ERROR_MISSING_MEMBER, "charge.ocmf" },
    { "{" GOOD_HEAD ",\"kind\":\"meter_exchange\",\"meter_exchange\":{\"new_meter_serial\":\"M\","
      "\"new_public_key\":\"3g\"}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "meter_exchange.new_public_key" },
    { "{" GOOD_HEAD ",\"kind\":\"meter_exchange\",\"meter_exchange\":{\"new_meter_serial\":\"M\","
      "\"new_public_key\":\"\"}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "meter_exchange.new_public_key" },
    { "{" GOOD_HEAD ",\"kind\":\"inspection\",\"inspection\":{\"inspector\":\"I\",\"result\":"
      "\"pass\",\"inspected_at\":\"2026-03-14T09:42:17+08:00\",\"seals_applied\":[1]}}",
      ANX_CHAIN_RECORD_ERROR_WRONG_TYPE, "inspection.seals_applied[0]" },
    { "{" GOOD_HEAD ",\"kind\":\"inspection\",\"inspection\":{\"inspector\":\"I\",\"result\":"
      "\"pass\",\"inspected_at\":\"2026-03-14T09:42:17+08:00\",\"measured_error_bp\":3000000000}}",
      ANX_CHAIN_RECORD_ERROR_INVALID_VALUE, "inspection.measured_error_bp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnxChainRecord) record =
          anx_chain_record_new_from_json (cases[i].json, -1, &error);

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_null (record);
      g_assert_error (error, ANX_CHAIN_RECORD_ERROR, (int) cases[i].code);
      g_test_message ("→ %s", error->message);
      if (cases[i].mentions != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].mentions));
    }
}

static void
test_strict_parse_positions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node =
      anx_chain_json_parse_strict ("{\n  \"a\": 1,\n  \"b\": {\"c\": 1, \"c\": 2}\n}", -1, &error);

  g_assert_null (node);
  g_assert_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_JSON);
  g_assert_nonnull (strstr (error->message, "line 3, column 17"));
  g_clear_error (&error);

  /* nesting is limited before json-glib's recursive parser sees the text */
  {
    g_autoptr(GString) deep = g_string_new (NULL);

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    node = anx_chain_json_parse_strict (deep->str, -1, &error);
    g_assert_null (node);
    g_assert_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_JSON);
    g_assert_nonnull (strstr (error->message, "line 1, column 65"));
    g_clear_error (&error);
  }

  /* same key in different objects is fine */
  node = anx_chain_json_parse_strict ("{\"a\": {\"a\": [\"a\", {\"a\": 1}]}}", -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chain-record/genesis", test_genesis);
  g_test_add_func ("/chain-record/hex", test_hex);
  g_test_add_func ("/chain-record/times", test_times);
  g_test_add_func ("/chain-record/hash-input-layout", test_hash_input_layout);
  g_test_add_func ("/chain-record/negative-time-and-error", test_negative_time_and_error);
  g_test_add_func ("/chain-record/amount-rule", test_amount_rule);
  g_test_add_func ("/chain-record/round-trip", test_round_trip);
  g_test_add_func ("/chain-record/compact-json", test_compact_json);
  g_test_add_func ("/chain-record/content-changes-hash", test_content_changes_hash);
  g_test_add_func ("/chain-record/minimal-json", test_minimal_json);
  g_test_add_func ("/chain-record/malformed-json", test_malformed_json);
  g_test_add_func ("/chain-record/strict-parse-positions", test_strict_parse_positions);

  return g_test_run ();
}
