/* test-feed-event.c: the feed's events and control messages in JSON
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "anx-feed-event.h"

/* 2022-05-20T08:00:00+08:00 and a bit */
#define T0 G_GINT64_CONSTANT (1653004800000000)

static AnxChainRecord *
make_record (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");
  g_autoptr(GDateTime) at = g_date_time_new (tz, 2022, 5, 20, 8, 30, 0);
  AnxChainRecord *record;
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION, "330106-0042-DC02", 7,
                                 anx_chain_genesis_hash (), at);
  anx_chain_record_set_inspection (record, "王建国", ANX_INSPECTION_RESULT_PASS, at, "现场检定",
                                   "key-1");
  anx_chain_record_set_measured_error (record, TRUE, -35);
  anx_chain_record_add_seal_applied (record, "HZ-SEAL-1");
  anx_chain_record_compute_hash (record, hash);
  anx_chain_record_set_stated_hash (record, hash);
  return record;
}

static AnxFeedEvent *
round_trip (AnxFeedEvent *event)
{
  g_autofree char *json = anx_feed_event_to_json (event);
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  AnxFeedEvent *decoded;

  decoded = anx_feed_event_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);
  /* Encoding is stable: decode → encode gives the same text. */
  again = anx_feed_event_to_json (decoded);
  g_assert_cmpstr (again, ==, json);
  g_assert_cmpint (anx_feed_event_get_event_type (decoded), ==,
                   anx_feed_event_get_event_type (event));
  g_assert_cmpuint (anx_feed_event_get_cursor (decoded), ==, anx_feed_event_get_cursor (event));
  g_assert_cmpint (anx_feed_event_get_time (decoded), ==, anx_feed_event_get_time (event));
  return decoded;
}

static void
test_round_trips (void)
{
  g_autoptr(AnxChainRecord) record = make_record ();
  g_autoptr(JsonObject) details = json_object_new ();
  g_autoptr(AnxFeedEvent) e = NULL;
  g_autoptr(AnxFeedEvent) d = NULL;

  e = anx_feed_event_new_charger_status (1, T0, 12, "330106-0042-DC02", "charging");
  d = round_trip (e);
  g_assert_cmpstr (anx_feed_event_get_type_name (d), ==, "charger.status");
  g_assert_cmpstr (anx_feed_event_get_status (d), ==, "charging");
  g_assert_cmpint (anx_feed_event_get_charger_id (d), ==, 12);
  g_assert_cmpstr (anx_feed_event_get_charger_code (d), ==, "330106-0042-DC02");
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_session_started (2, T0 + 1000, 12, "C", "S-1", 1204518);
  d = round_trip (e);
  g_assert_cmpstr (anx_feed_event_get_session_id (d), ==, "S-1");
  g_assert_cmpint (anx_feed_event_get_meter_start_wh (d), ==, 1204518);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_session_progress (3, T0 + 60000000, 12, "C", "S-1", 118000, 1966, 210);
  d = round_trip (e);
  g_assert_cmpint (anx_feed_event_get_power_w (d), ==, 118000);
  g_assert_cmpint (anx_feed_event_get_energy_wh (d), ==, 1966);
  g_assert_cmpint (anx_feed_event_get_amount_fen (d), ==, 210);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_session_ended (4, T0, 12, "C", "S-1", 31200, 3094);
  d = round_trip (e);
  g_assert_cmpint (anx_feed_event_get_energy_wh (d), ==, 31200);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_chain_appended (5, T0, 12, record);
  d = round_trip (e);
  g_assert_cmpint (anx_feed_event_get_sequence (d), ==, 7);
  g_assert_cmpmem (anx_feed_event_get_hash (d), 32, anx_chain_record_get_hash (record), 32);
  g_assert_true (anx_chain_record_hash_is_valid (anx_feed_event_get_record (d)));
  g_assert_cmpstr (anx_chain_record_get_inspector (anx_feed_event_get_record (d)), ==, "王建国");
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  json_object_set_int_member (details, "billed_wh", 31200);
  json_object_set_int_member (details, "metered_wh", 30000);
  e = anx_feed_event_new_alarm_raised (6, T0, 12, "C", 9, "energy-mismatch", "critical", 7,
                                       "Billed 4 % above metered", details);
  d = round_trip (e);
  g_assert_cmpint (anx_feed_event_get_alarm_id (d), ==, 9);
  g_assert_cmpstr (anx_feed_event_get_code (d), ==, "energy-mismatch");
  g_assert_cmpstr (anx_feed_event_get_severity (d), ==, "critical");
  g_assert_cmpint (anx_feed_event_get_sequence (d), ==, 7);
  g_assert_cmpint (json_object_get_int_member (anx_feed_event_get_details (d), "metered_wh"), ==,
                   30000);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  /* An alarm without a record: sequence null */
  e = anx_feed_event_new_alarm_raised (7, T0, 12, "C", 10, "offline", "warning", -1, "", NULL);
  d = round_trip (e);
  g_assert_cmpint (anx_feed_event_get_sequence (d), ==, -1);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_alarm_cleared (8, T0, 12, "C", 9, "energy-mismatch", "inspection", 8);
  d = round_trip (e);
  g_assert_cmpstr (anx_feed_event_get_reason (d), ==, "inspection");
  g_assert_cmpint (anx_feed_event_get_sequence (d), ==, 8);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_alarm_acknowledged (9, T0, 12, "C", 9, "wang.li@hz", "seen");
  d = round_trip (e);
  g_assert_cmpstr (anx_feed_event_get_actor (d), ==, "wang.li@hz");
  g_assert_cmpstr (anx_feed_event_get_note (d), ==, "seen");
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_registry_changed (10, T0, 12, "C", 12, "AXM-1-R1", "SM2-SM3", "3059ab", 8);
  d = round_trip (e);
  g_assert_cmpstr (anx_feed_event_get_meter_serial (d), ==, "AXM-1-R1");
  g_assert_cmpstr (anx_feed_event_get_public_key (d), ==, "3059ab");
  g_assert_cmpint (anx_feed_event_get_sequence (d), ==, 8);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  /* Control messages: no cursor */
  e = anx_feed_event_new_hello (T0, 100, 40);
  d = round_trip (e);
  g_assert_true (anx_feed_event_type_is_control (anx_feed_event_get_event_type (d)));
  g_assert_cmpuint (anx_feed_event_get_cursor (d), ==, 0);
  g_assert_cmpuint (anx_feed_event_get_head (d), ==, 100);
  g_assert_cmpuint (anx_feed_event_get_oldest (d), ==, 40);
  g_assert_cmpint (anx_feed_event_get_protocol_version (d), ==, 1);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_heartbeat (T0 + 5, 101);
  d = round_trip (e);
  g_assert_cmpuint (anx_feed_event_get_head (d), ==, 101);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_resync_required (T0, 101, 50);
  d = round_trip (e);
  g_assert_cmpint (anx_feed_event_get_event_type (d), ==, ANX_FEED_EVENT_RESYNC_REQUIRED);
  g_assert_cmpuint (anx_feed_event_get_oldest (d), ==, 50);
  g_clear_pointer (&e, anx_feed_event_unref);
  g_clear_pointer (&d, anx_feed_event_unref);

  e = anx_feed_event_new_error (T0, "internal", "oops");
  d = round_trip (e);
  g_assert_cmpstr (anx_feed_event_get_code (d), ==, "internal");
}

static void
test_json_shape (void)
{
  g_autoptr(AnxFeedEvent) e =
      anx_feed_event_new_session_progress (17, T0, 3, "330106-0042-DC02", "S", 7000, 12, 3);
  g_autofree char *json = anx_feed_event_to_json (e);

  /* The documented form, member by member */
  g_assert_cmpstr (json, ==,
                   "{\"cursor\":17,\"type\":\"session.progress\","
                   "\"time\":\"2022-05-20T08:00:00+08:00\","
                   "\"charger\":{\"id\":3,\"code\":\"330106-0042-DC02\"},"
                   "\"data\":{\"session_id\":\"S\",\"power_w\":7000,\"energy_wh\":12,"
                   "\"amount_fen\":3}}");
}

static void
assert_refused (const char *json,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxFeedEvent) event = anx_feed_event_new_from_json (json, -1, &error);

  g_assert_null (event);
  g_assert_error (error, ANX_FEED_EVENT_ERROR, code);
  g_test_message ("%s → %s", json, error->message);
}

static void
test_malformed (void)
{
  assert_refused ("", ANX_FEED_EVENT_ERROR_INVALID_JSON);
  assert_refused ("{", ANX_FEED_EVENT_ERROR_INVALID_JSON);
  assert_refused ("{\"type\":\"heartbeat\",\"type\":\"hello\"}", ANX_FEED_EVENT_ERROR_INVALID_JSON);
  assert_refused ("[1,2]", ANX_FEED_EVENT_ERROR_WRONG_TYPE);
  assert_refused ("{}", ANX_FEED_EVENT_ERROR_MISSING_MEMBER);
  assert_refused ("{\"type\":\"heartbeat\",\"head\":3}", ANX_FEED_EVENT_ERROR_MISSING_MEMBER);
  assert_refused ("{\"type\":\"heartbeat\",\"time\":\"yesterday\",\"head\":3}",
                  ANX_FEED_EVENT_ERROR_INVALID_VALUE);
  /* Events need a positive cursor, a charger and data */
  assert_refused ("{\"type\":\"charger.status\",\"time\":\"2022-05-20T08:00:00+08:00\","
                  "\"charger\":{\"id\":1,\"code\":\"C\"},\"data\":{\"status\":\"x\"}}",
                  ANX_FEED_EVENT_ERROR_MISSING_MEMBER);
  assert_refused ("{\"cursor\":0,\"type\":\"charger.status\",\"time\":\"2022-05-20T08:00:00+08:00\","
                  "\"charger\":{\"id\":1,\"code\":\"C\"},\"data\":{\"status\":\"x\"}}",
                  ANX_FEED_EVENT_ERROR_INVALID_VALUE);
  assert_refused ("{\"cursor\":1,\"type\":\"charger.status\",\"time\":\"2022-05-20T08:00:00+08:00\","
                  "\"charger\":{\"id\":1,\"code\":\"C\"},\"data\":{}}",
                  ANX_FEED_EVENT_ERROR_MISSING_MEMBER);
  /* hello of another protocol generation */
  assert_refused ("{\"type\":\"hello\",\"time\":\"2022-05-20T08:00:00+08:00\","
                  "\"protocol_version\":2,\"head\":0,\"oldest\":1}",
                  ANX_FEED_EVENT_ERROR_INVALID_VALUE);
}

static void
test_wrong_types (void)
{
  const char *prefix = "{\"cursor\":3,\"type\":\"session.progress\","
                       "\"time\":\"2022-05-20T08:00:00+08:00\","
                       "\"charger\":{\"id\":3,\"code\":\"C\"},";
  const char *bodies[] = {
    "\"data\":{\"session_id\":\"S\",\"power_w\":\"7000\",\"energy_wh\":1,\"amount_fen\":1}}",
    "\"data\":{\"session_id\":\"S\",\"power_w\":7000.5,\"energy_wh\":1,\"amount_fen\":1}}",
    "\"data\":{\"session_id\":5,\"power_w\":7000,\"energy_wh\":1,\"amount_fen\":1}}",
    "\"data\":{\"session_id\":\"S\",\"power_w\":true,\"energy_wh\":1,\"amount_fen\":1}}",
    "\"data\":{\"session_id\":\"S\",\"power_w\":null,\"energy_wh\":1,\"amount_fen\":1}}",
    "\"data\":[]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *json = g_strconcat (prefix, bodies[i], NULL);

      assert_refused (json, ANX_FEED_EVENT_ERROR_WRONG_TYPE);
    }

  /* A control message's cursor is ignored, not its missing time */
  assert_refused ("{\"cursor\":\"3\",\"type\":\"heartbeat\"}", ANX_FEED_EVENT_ERROR_MISSING_MEMBER);
  assert_refused ("{\"cursor\":3,\"type\":\"charger.status\",\"time\":\"2022-05-20T08:00:00+08:00\","
                  "\"charger\":{\"id\":\"1\",\"code\":\"C\"},\"data\":{\"status\":\"x\"}}",
                  ANX_FEED_EVENT_ERROR_WRONG_TYPE);
  assert_refused ("{\"cursor\":3,\"type\":\"charger.status\",\"time\":\"2022-05-20T08:00:00+08:00\","
                  "\"charger\":{\"id\":1,\"code\":\"C\"},\"data\":{\"status\":\"x\"},"
                  "\"cursor\":4}",
                  ANX_FEED_EVENT_ERROR_INVALID_JSON);
  /* Negative numbers are no counts */
  {
    g_autofree char *json = g_strconcat (
        prefix, "\"data\":{\"session_id\":\"S\",\"power_w\":-1,\"energy_wh\":1,\"amount_fen\":1}}",
        NULL);

    assert_refused (json, ANX_FEED_EVENT_ERROR_INVALID_VALUE);
  }
}

static void
test_chain_appended_mismatch (void)
{
  g_autoptr(AnxChainRecord) record = make_record ();
  g_autoptr(AnxFeedEvent) e = anx_feed_event_new_chain_appended (5, T0, 12, record);
  g_autoptr(JsonNode) node = anx_feed_event_to_json_node (e);
  JsonObject *data = json_object_get_object_member (json_node_get_object (node), "data");
  g_autoptr(AnxFeedEvent) d = NULL;
  g_autoptr(GError) error = NULL;

  /* The envelope's sequence must be the record's */
  json_object_set_int_member (data, "sequence", 8);
  d = anx_feed_event_new_from_json_node (node, &error);
  g_assert_null (d);
  g_assert_error (error, ANX_FEED_EVENT_ERROR, ANX_FEED_EVENT_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  json_object_set_int_member (data, "sequence", 7);
  json_object_set_string_member (data, "hash", "00");
  d = anx_feed_event_new_from_json_node (node, &error);
  g_assert_null (d);
  g_assert_error (error, ANX_FEED_EVENT_ERROR, ANX_FEED_EVENT_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* A well-formed hash that is not the record's */
  json_object_set_string_member (
      data, "hash", "0000000000000000000000000000000000000000000000000000000000000000");
  d = anx_feed_event_new_from_json_node (node, &error);
  g_assert_null (d);
  g_assert_error (error, ANX_FEED_EVENT_ERROR, ANX_FEED_EVENT_ERROR_INVALID_VALUE);
}

static void
test_oversize (void)
{
  g_autoptr(GString) json = g_string_new ("{\"type\":\"error\",\"time\":\"2022-05-20T08:00:00Z\","
                                          "\"code\":\"x\",\"message\":\"");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxFeedEvent) event = NULL;

  /* A string member over its limit */
  for (guint i = 0; i < ANX_FEED_EVENT_MAX_STRING + 1; i++)
    g_string_append_c (json, 'a');
  g_string_append (json, "\"}");
  event = anx_feed_event_new_from_json (json->str, (gssize) json->len, &error);
  g_assert_null (event);
  g_assert_error (error, ANX_FEED_EVENT_ERROR, ANX_FEED_EVENT_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* The whole text over the limit: refused before parsing */
  while (json->len <= ANX_FEED_EVENT_MAX_BYTES)
    g_string_append (json, "                ");
  event = anx_feed_event_new_from_json (json->str, (gssize) json->len, &error);
  g_assert_null (event);
  g_assert_error (error, ANX_FEED_EVENT_ERROR, ANX_FEED_EVENT_ERROR_TOO_LARGE);
}

static void
test_unknown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxFeedEvent) event = NULL;

  /* A newer server's event type: skipped by name, its cursor kept */
  event = anx_feed_event_new_from_json (
      "{\"cursor\":44,\"type\":\"tariff.changed\",\"time\":\"2022-05-20T08:00:00+08:00\","
      "\"charger\":{\"id\":1,\"code\":\"C\"},\"data\":{\"whatever\":[1,2,3]}}",
      -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (anx_feed_event_get_event_type (event), ==, ANX_FEED_EVENT_UNKNOWN);
  g_assert_cmpstr (anx_feed_event_get_type_name (event), ==, "tariff.changed");
  g_assert_cmpuint (anx_feed_event_get_cursor (event), ==, 44);
  g_clear_pointer (&event, anx_feed_event_unref);

  /* Unknown members of a known type are ignored */
  event = anx_feed_event_new_from_json (
      "{\"cursor\":45,\"type\":\"charger.status\",\"time\":\"2022-05-20T08:00:00+08:00\","
      "\"region\":\"330100\",\"charger\":{\"id\":1,\"code\":\"C\",\"geo\":null},"
      "\"data\":{\"status\":\"fault\",\"fault_code\":17}}",
      -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (anx_feed_event_get_status (event), ==, "fault");
  g_clear_pointer (&event, anx_feed_event_unref);

  /* An unknown control message without a cursor */
  event = anx_feed_event_new_from_json (
      "{\"type\":\"maintenance\",\"time\":\"2022-05-20T08:00:00Z\",\"minutes\":5}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (anx_feed_event_get_event_type (event), ==, ANX_FEED_EVENT_UNKNOWN);
  g_assert_cmpuint (anx_feed_event_get_cursor (event), ==, 0);
  g_clear_pointer (&event, anx_feed_event_unref);

  /* ... but an unknown type's cursor is still checked */
  assert_refused ("{\"cursor\":-1,\"type\":\"x.y\",\"time\":\"2022-05-20T08:00:00Z\"}",
                  ANX_FEED_EVENT_ERROR_INVALID_VALUE);
}

static void
test_type_names (void)
{
  for (int t = ANX_FEED_EVENT_CHARGER_STATUS; t <= ANX_FEED_EVENT_ERROR_MESSAGE; t++)
    g_assert_cmpint (anx_feed_event_type_from_string (anx_feed_event_type_to_string (t)), ==, t);
  g_assert_cmpint (anx_feed_event_type_from_string ("unknown"), ==, ANX_FEED_EVENT_UNKNOWN);
  g_assert_cmpint (anx_feed_event_type_from_string ("Charger.Status"), ==, ANX_FEED_EVENT_UNKNOWN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/feed-event/round-trips", test_round_trips);
  g_test_add_func ("/feed-event/json-shape", test_json_shape);
  g_test_add_func ("/feed-event/malformed", test_malformed);
  g_test_add_func ("/feed-event/wrong-types", test_wrong_types);
  g_test_add_func ("/feed-event/chain-appended-mismatch", test_chain_appended_mismatch);
  g_test_add_func ("/feed-event/oversize", test_oversize);
  g_test_add_func ("/feed-event/unknown", test_unknown);
  g_test_add_func ("/feed-event/type-names", test_type_names);

  return g_test_run ();
}
