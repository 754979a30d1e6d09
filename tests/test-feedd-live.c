/* test-feedd-live.c: the live feed of the real anxin-feedd over loopback —
 * chains, the event log, alarms, writes, the WebSocket stream, crashes and
 * the simulator end to end
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "anx-chain-record.h"
#include "anx-chain-verifier.h"
#include "anx-charger-entry.h"
#include "anx-feed-event.h"
#include "anx-finding.h"
#include "anx-meter-key.h"
#include "anx-test-util.h"

#define VIEWER_TOKEN "viewer-7f3a9c2e41b8d6057e1c"
#define INSPECTOR_TOKEN "inspector-0b5d8e7a93c14f26"
#define ADMIN_TOKEN "admin-c41e96b07d2a5f38e1"
#define SIM_START "2022-05-20T00:00:00+08:00"

typedef struct
{
  GSubprocess *process;
  char *stderr_path;
  char *base_url;
  char *ws_url;
} Feedd;

typedef struct
{
  char *dir;
  char *db;
  char *tokens;
  SoupSession *session;
} Fixture;

typedef struct
{
  guint status;
  JsonNode *root;
  char *body;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->root, json_node_unref);
  g_clear_pointer (&reply->body, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static void
write_tokens (Fixture  *fixture,
              gboolean  with_viewer)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *viewer = sha256_hex (VIEWER_TOKEN);
  g_autofree char *inspector = sha256_hex (INSPECTOR_TOKEN);
  g_autofree char *admin = sha256_hex (ADMIN_TOKEN);
  g_autofree char *contents = NULL;

  contents = g_strdup_printf ("%s%s\ninspector:officer:%s\nadmin:root:%s\n",
                              with_viewer ? "viewer:wall:" : "# viewer revoked",
                              with_viewer ? viewer : "", inspector, admin);
  g_assert_true (g_file_set_contents_full (fixture->tokens, contents, -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("anx-feedd-live-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->dir, "ledger.sqlite", NULL);
  fixture->tokens = g_build_filename (fixture->dir, "tokens", NULL);
  write_tokens (fixture, TRUE);
  fixture->session = soup_session_new_with_options ("timeout", 60, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_clear_object (&fixture->session);
  anx_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db);
  g_free (fixture->tokens);
}

static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static void
feedd_free (Feedd *feedd)
{
  if (feedd->process != NULL && g_subprocess_get_identifier (feedd->process) != NULL)
    {
      g_subprocess_force_exit (feedd->process);
      g_subprocess_wait (feedd->process, NULL, NULL);
    }
  g_clear_object (&feedd->process);
  g_free (feedd->stderr_path);
  g_free (feedd->base_url);
  g_free (feedd->ws_url);
  g_free (feedd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Feedd, feedd_free)

/* Starts anxin-feedd with the fixture's ledger and tokens on a free port. */
static Feedd *
feedd_start (Fixture           *fixture,
             const char *const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  Feedd *feedd = g_new0 (Feedd, 1);
  static guint serial;

  feedd->stderr_path = g_strdup_printf ("%s/stderr-%u.log", fixture->dir, serial++);
  g_ptr_array_add (argv, (gpointer) g_getenv ("ANXIN_FEEDD"));
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, fixture->db);
  g_ptr_array_add (argv, (gpointer) "--tokens");
  g_ptr_array_add (argv, fixture->tokens);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_nonnull (argv->pdata[0]);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_stderr_file_path (launcher, feedd->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG",
                                "anxin-feedd anx-feed-simulator anx-feed-server", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  feedd->process =
      g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (feedd->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        {
          g_autofree char *log = NULL;

          g_file_get_contents (feedd->stderr_path, &log, NULL, NULL);
          g_error ("anxin-feedd ended before listening:\n%s", log);
        }
      if (g_str_has_prefix (line, "anxin-feedd: listening on "))
        {
          feedd->base_url = g_strdup (line + strlen ("anxin-feedd: listening on "));
          break;
        }
    }

  g_assert_true (g_str_has_prefix (feedd->base_url, "http://127.0.0.1:"));
  feedd->ws_url = g_strconcat ("ws://", feedd->base_url + strlen ("http://"), NULL);
  return feedd;
}

static void
feedd_kill (Feedd *feedd)
{
  g_subprocess_send_signal (feedd->process, SIGKILL);
  g_subprocess_wait (feedd->process, NULL, NULL);
}

/* SIGTERM: the server must stop by itself, with status 0 (and, in sanitizer
 * builds, without a leak or memory error). */
static void
feedd_stop (Feedd *feedd)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (feedd->process, SIGTERM);
  g_subprocess_wait (feedd->process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (feedd->process) ||
      g_subprocess_get_exit_status (feedd->process) != 0)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (feedd->stderr_path, &log, NULL, NULL);
      g_error ("anxin-feedd did not stop cleanly:\n%s", log);
    }
}

static gboolean
stderr_contains (Feedd      *feedd,
                 const char *text)
{
  g_autofree char *log = NULL;

  g_file_get_contents (feedd->stderr_path, &log, NULL, NULL);
  return log != NULL && strstr (log, text) != NULL;
}

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

/* Waits for the back-fill to be committed. */
static void
wait_backfill (Feedd *feedd)
{
  gint64 deadline = g_get_monotonic_time () + 240 * G_USEC_PER_SEC;

  while (!stderr_contains (feedd, "Back-fill done"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      spin (50);
    }
}

static void
request (Fixture    *fixture,
         Feedd      *feedd,
         const char *method,
         const char *path,
         const char *token,
         const char *content_type,
         const char *body,
         const char *idempotency_key,
         Reply      *reply)
{
  g_autofree char *url = g_strconcat (feedd->base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  gsize length;
  const char *data;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  if (idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", idempotency_key);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  response = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                          NULL),
                   ==, "application/json");
  data = g_bytes_get_data (response, &length);
  reply->body = g_strndup (data, length);
  reply->root = json_from_string (reply->body, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (reply->root));
}

static JsonObject *
get_ok (Fixture    *fixture,
        Feedd      *feedd,
        const char *path,
        Reply      *reply)
{
  request (fixture, feedd, "GET", path, VIEWER_TOKEN, NULL, NULL, NULL, reply);
  if (reply->status != 200)
    g_error ("GET %s → %u %s", path, reply->status, reply->body);
  return json_node_get_object (reply->root);
}

static void
assert_error (Reply      *reply,
              guint       status,
              const char *code)
{
  JsonObject *error;

  if (reply->status != status)
    g_error ("expected %u %s, got %u %s", status, code, reply->status, reply->body);
  error = json_object_get_object_member (json_node_get_object (reply->root), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 0);
}

/* Every event of the log, by REST, checked: consecutive cursors from
 * @first, each decodes. */
static GPtrArray *
fetch_events (Fixture *fixture,
              Feedd   *feedd,
              gint64   after)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_feed_event_unref);
  gint64 expected = after + 1;

  for (;;)
    {
      g_auto(Reply) reply = { 0 };
      g_autofree char *path = g_strdup_printf ("/v1/events?after=%" G_GINT64_FORMAT "&limit=1000",
                                               after);
      JsonObject *page = get_ok (fixture, feedd, path, &reply);
      JsonArray *items = json_object_get_array_member (page, "events");

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          g_autoptr(GError) error = NULL;
          AnxFeedEvent *event =
              anx_feed_event_new_from_json_node (json_array_get_element (items, i), &error);

          g_assert_no_error (error);
          g_assert_cmpuint (anx_feed_event_get_cursor (event), ==, (guint64) expected);
          g_assert_cmpint (anx_feed_event_get_event_type (event), !=, ANX_FEED_EVENT_UNKNOWN);
          expected++;
          g_ptr_array_add (events, event);
        }
      after = expected - 1;
      if (JSON_NODE_HOLDS_NULL (json_object_get_member (page, "next")))
        break;
    }

  return events;
}

/* A charger's chain by pages of @limit, checked against the head. */
static GPtrArray *
fetch_chain (Fixture    *fixture,
             Feedd      *feedd,
             const char *charger,
             guint       limit)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_chain_record_unref);
  guint64 from = 0;
  gint64 head_sequence = -1;

  for (;;)
    {
      g_auto(Reply) reply = { 0 };
      g_autofree char *path =
          g_strdup_printf ("/v1/chargers/%s/chain?from=%" G_GUINT64_FORMAT "&limit=%u", charger,
                           from, limit);
      JsonObject *page = get_ok (fixture, feedd, path, &reply);
      JsonArray *items = json_object_get_array_member (page, "records");
      JsonNode *next = json_object_get_member (page, "next");

      if (!JSON_NODE_HOLDS_NULL (json_object_get_member (page, "head")))
        head_sequence =
            json_object_get_int_member (json_object_get_object_member (page, "head"), "sequence");

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          g_autoptr(GError) error = NULL;
          AnxChainRecord *record =
              anx_chain_record_new_from_json_node (json_array_get_element (items, i), &error);

          g_assert_no_error (error);
          g_assert_cmpuint (anx_chain_record_get_sequence (record), >=, from);
          g_ptr_array_add (records, record);
        }
      if (JSON_NODE_HOLDS_NULL (next))
        break;
      from = g_ascii_strtoull (json_node_get_string (next), NULL, 10);
    }

  if (records->len > 0)
    g_assert_cmpint (head_sequence, >=,
                     (gint64) anx_chain_record_get_sequence (
                         records->pdata[records->len - 1]));
  return records;
}

/* The charger's registry entry with every key its meter had, by REST. */
static AnxChargerEntry *
fetch_entry (Fixture    *fixture,
             Feedd      *feedd,
             const char *charger)
{
  g_auto(Reply) reply = { 0 };
  g_autofree char *path = g_strdup_printf ("/v1/chargers/%s", charger);
  JsonObject *object = json_object_get_object_member (get_ok (fixture, feedd, path, &reply),
                                                      "charger");
  JsonObject *meter = json_object_get_object_member (object, "meter");
  JsonArray *keys = json_object_get_array_member (meter, "keys");
  AnxChargerEntry *entry = anx_charger_entry_new (json_object_get_string_member (object, "code"));
  g_autofree char *accuracy =
      g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (meter, "accuracy_class"));

  g_assert_cmpuint (json_array_get_length (keys), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (meter, "public_key"), ==,
                   json_object_get_string_member (
                       json_array_get_object_element (keys, json_array_get_length (keys) - 1),
                       "public_key"));
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(AnxMeterKey) parsed =
          anx_meter_key_new_from_text (json_object_get_string_member (key, "public_key"), &error);
      guint64 from = (guint64) json_object_get_int_member (key, "from_sequence");
      guint64 to = G_MAXUINT64;

      g_assert_no_error (error);
      if (i + 1 < json_array_get_length (keys))
        to = (guint64) json_object_get_int_member (json_array_get_object_element (keys, i + 1),
                                                   "from_sequence") -
             1;
      anx_charger_entry_add_meter (entry, json_object_get_string_member (key, "serial"),
                                   json_object_get_string_member (meter, "model"), accuracy,
                                   json_object_get_string_member (key, "signature_algorithm"),
                                   anx_meter_key_get_der (parsed), from, to);
    }

  return entry;
}

/* Verifies a chain end to end with the core verifier; returns the findings'
 * codes as "SEQ:code". */
static GPtrArray *
verify_chain (Fixture    *fixture,
              Feedd      *feedd,
              const char *charger,
              guint      *n_records)
{
  g_autoptr(AnxChargerEntry) entry = fetch_entry (fixture, feedd, charger);
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (entry);
  g_autoptr(GPtrArray) records = fetch_chain (fixture, feedd, charger, 7);
  g_autoptr(GPtrArray) tail = NULL;
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(GPtrArray) findings = anx_chain_verifier_add (verifier, records->pdata[i]);

      for (guint j = 0; j < findings->len; j++)
        g_ptr_array_add (codes,
                         g_strdup_printf ("%" G_GUINT64_FORMAT ":%s",
                                          anx_finding_get_sequence (findings->pdata[j]),
                                          anx_finding_get_code (findings->pdata[j])));
    }
  tail = anx_chain_verifier_finish (verifier, G_MAXUINT64);
  g_assert_cmpuint (tail->len, ==, 0);
  if (n_records != NULL)
    *n_records = records->len;
  return codes;
}

/* ------------------------------------------------------------------------ */

static const char *const tiny_backfill[] = {
  "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "7", "--sim-start", SIM_START,
  "--backfill-days", "4", "--anomalies",
  "over-billing=0.05,seal-opened=0.05,chain-fork=0.03,amount-manipulation=0.05", NULL
};

static char *
first_open_alarm (Fixture *fixture,
                  Feedd   *feedd,
                  gint64  *charger_id)
{
  g_auto(Reply) reply = { 0 };
  JsonObject *page = get_ok (fixture, feedd, "/v1/alarms?state=open&limit=1", &reply);
  JsonArray *items = json_object_get_array_member (page, "items");
  JsonObject *alarm;

  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  alarm = json_array_get_object_element (items, 0);
  *charger_id = json_object_get_int_member (json_object_get_object_member (alarm, "charger"), "id");
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (alarm, "id"));
}

static void
test_protocol (Fixture       *fixture,
               gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, tiny_backfill);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *alarm_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *inspection = NULL;
  g_autofree char *record_hash = NULL;
  gint64 charger_id = 0;
  gint64 head;

  wait_backfill (feedd);

  /* The event log: consecutive, every event decodes */
  events = fetch_events (fixture, feedd, 0);
  g_assert_cmpuint (events->len, >, 100);
  head = (gint64) anx_feed_event_get_cursor (events->pdata[events->len - 1]);
  {
    g_auto(Reply) reply = { 0 };
    JsonObject *page = get_ok (fixture, feedd, "/v1/events?after=0&limit=5", &reply);

    g_assert_cmpint (json_object_get_int_member (page, "head"), ==, head);
    g_assert_cmpint (json_object_get_int_member (page, "oldest"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (page, "next"), ==, "5");
  }

  /* Errors of the reading endpoints */
  {
    g_auto(Reply) reply = { 0 };
    g_autofree char *future = g_strdup_printf ("/v1/events?after=%" G_GINT64_FORMAT, head + 1);

    request (fixture, feedd, "GET", future, VIEWER_TOKEN, NULL, NULL, NULL, &reply);
    assert_error (&reply, 400, "bad-request");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/events?limit=0", VIEWER_TOKEN, NULL, NULL, NULL, &reply);
    assert_error (&reply, 400, "bad-request");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/events?afterr=1", VIEWER_TOKEN, NULL, NULL, NULL, &reply);
    assert_error (&reply, 400, "bad-request");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/events", NULL, NULL, NULL, NULL, &reply);
    assert_error (&reply, 401, "unauthorized");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/alarms?state=closed", VIEWER_TOKEN, NULL, NULL, NULL,
             &reply);
    assert_error (&reply, 400, "bad-request");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/chargers/999999/chain", VIEWER_TOKEN, NULL, NULL, NULL,
             &reply);
    assert_error (&reply, 404, "not-found");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/chargers/no_such/chain", VIEWER_TOKEN, NULL, NULL, NULL,
             &reply);
    assert_error (&reply, 404, "not-found");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/chargers/1/chain?from=x", VIEWER_TOKEN, NULL, NULL, NULL,
             &reply);
    assert_error (&reply, 400, "bad-request");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/events", VIEWER_TOKEN, "application/json", "{}", NULL,
             &reply);
    assert_error (&reply, 405, "method-not-allowed");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/inspections", INSPECTOR_TOKEN, NULL, NULL, NULL, &reply);
    assert_error (&reply, 405, "method-not-allowed");
    reply_clear (&reply);
    request (fixture, feedd, "GET", "/v1/stream", VIEWER_TOKEN, NULL, NULL, NULL, &reply);
    assert_error (&reply, 400, "websocket-required");
  }

  /* Chains: paging by sequence; pages of any size give the same records */
  for (gint64 id = 1; id <= 24; id++)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      g_autoptr(GPtrArray) small = fetch_chain (fixture, feedd, key, 1);
      g_autoptr(GPtrArray) large = fetch_chain (fixture, feedd, key, 1000);

      g_assert_cmpuint (small->len, ==, large->len);
      for (guint i = 0; i < small->len; i++)
        g_assert_cmpmem (anx_chain_record_get_hash (small->pdata[i]), 32,
                         anx_chain_record_get_hash (large->pdata[i]), 32);
    }

  /* Alarms: there are some, and writes need the inspector role */
  alarm_id = first_open_alarm (fixture, feedd, &charger_id);
  path = g_strdup_printf ("/v1/alarms/%s/ack", alarm_id);
  {
    g_auto(Reply) reply = { 0 };
    JsonObject *alarm, *ack;

    request (fixture, feedd, "POST", path, VIEWER_TOKEN, "application/json", "{}", NULL, &reply);
    assert_error (&reply, 403, "forbidden");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/alarms/99999999/ack", INSPECTOR_TOKEN,
             "application/json", "{}", NULL, &reply);
    assert_error (&reply, 404, "not-found");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/alarms/abc/ack", INSPECTOR_TOKEN, "application/json",
             "{}", NULL, &reply);
    assert_error (&reply, 404, "not-found");
    reply_clear (&reply);
    request (fixture, feedd, "POST", path, INSPECTOR_TOKEN, "application/json", "{\"note\":5}",
             NULL, &reply);
    assert_error (&reply, 422, "invalid");
    reply_clear (&reply);
    request (fixture, feedd, "POST", path, INSPECTOR_TOKEN, "application/json",
             "{\"note\":\"on my way\"}", "ack-1", &reply);
    g_assert_cmpuint (reply.status, ==, 200);
    alarm = json_node_get_object (reply.root);
    ack = json_object_get_object_member (alarm, "acknowledged");
    g_assert_nonnull (ack);
    g_assert_cmpstr (json_object_get_string_member (ack, "by"), ==, "officer");
    g_assert_cmpstr (json_object_get_string_member (ack, "note"), ==, "on my way");
    reply_clear (&reply);
    /* Idempotent: the same answer, no second event */
    request (fixture, feedd, "POST", path, INSPECTOR_TOKEN, "application/json",
             "{\"note\":\"again\"}", "ack-1", &reply);
    g_assert_cmpuint (reply.status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (json_node_get_object (reply.root),
                                                        "acknowledged"),
                         "note"),
                     ==, "on my way");
  }

  /* Inspections: validation with field-level errors */
  {
    g_auto(Reply) reply = { 0 };
    JsonArray *fields;
    g_autofree char *big = g_strnfill (70 * 1024, 'x');

    request (fixture, feedd, "POST", "/v1/inspections", VIEWER_TOKEN, "application/json", "{}",
             NULL, &reply);
    assert_error (&reply, 403, "forbidden");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/inspections", INSPECTOR_TOKEN, "application/json",
             "{\"charger\":", NULL, &reply);
    assert_error (&reply, 400, "bad-request");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/inspections", INSPECTOR_TOKEN, "text/plain", "{}", NULL,
             &reply);
    assert_error (&reply, 415, "unsupported-media-type");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/inspections", INSPECTOR_TOKEN, "application/json", big,
             NULL, &reply);
    assert_error (&reply, 413, "payload-too-large");
    reply_clear (&reply);
    request (fixture, feedd, "POST", "/v1/inspections", INSPECTOR_TOKEN, "application/json",
             "{\"charger\":\"nope\",\"result\":\"great\",\"measured_error_bp\":\"1\","
             "\"seals_applied\":[\"\"],\"color\":\"red\"}",
             NULL, &reply);
    assert_error (&reply, 422, "invalid");
    fields = json_object_get_array_member (
        json_object_get_object_member (json_node_get_object (reply.root), "error"), "fields");
    /* charger, inspector, result, measured_error_bp, seals_applied, color,
     * idempotency_key */
    g_assert_cmpuint (json_array_get_length (fields), ==, 7);
  }

  /* An inspection posted twice with the same key: one record */
  inspection = g_strdup_printf ("{\"charger\":%" G_GINT64_FORMAT ",\"inspector\":\"王建国\","
                                "\"result\":\"pass\",\"inspected_at\":\"2022-05-24T10:20:00+08:00\","
                                "\"measured_error_bp\":-35,\"seals_removed\":[\"S-1\"],"
                                "\"seals_applied\":[\"S-2\",\"S-3\"],\"notes\":\"现场检定合格\","
                                "\"idempotency_key\":\"insp-42\"}",
                                charger_id);
  {
    g_auto(Reply) first = { 0 };
    g_auto(Reply) second = { 0 };
    g_auto(Reply) alarms = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(AnxChainRecord) record = NULL;
    g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, charger_id);
    g_autoptr(GPtrArray) before = fetch_chain (fixture, feedd, key, 1000);
    g_autoptr(GPtrArray) after = NULL;
    AnxChainRecord *head_record = before->pdata[before->len - 1];
    JsonArray *items;
    guint n_with_key = 0;

    request (fixture, feedd, "POST", "/v1/inspections", INSPECTOR_TOKEN, "application/json",
             inspection, NULL, &first);
    g_assert_cmpuint (first.status, ==, 201);
    record = anx_chain_record_new_from_json_node (
        json_object_get_member (json_node_get_object (first.root), "record"), &error);
    g_assert_no_error (error);
    g_assert_cmpint (anx_chain_record_get_kind (record), ==, ANX_CHAIN_RECORD_KIND_INSPECTION);
    g_assert_true (anx_chain_record_hash_is_valid (record));
    g_assert_cmpuint (anx_chain_record_get_sequence (record), ==,
                      anx_chain_record_get_sequence (head_record) + 1);
    g_assert_cmpmem (anx_chain_record_get_prev_hash (record), 32,
                     anx_chain_record_get_hash (head_record), 32);
    g_assert_cmpstr (anx_chain_record_get_inspector (record), ==, "王建国");
    record_hash = anx_chain_hash_to_hex (anx_chain_record_get_hash (record));

    /* The same key in the header, the body resent: the same record, 200 */
    request (fixture, feedd, "POST", "/v1/inspections", INSPECTOR_TOKEN, "application/json",
             inspection, "insp-42", &second);
    g_assert_cmpuint (second.status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (second.root), "hash"), ==,
                     record_hash);

    after = fetch_chain (fixture, feedd, key, 1000);
    g_assert_cmpuint (after->len, ==, before->len + 1);
    for (guint i = 0; i < after->len; i++)
      if (anx_chain_record_get_kind (after->pdata[i]) == ANX_CHAIN_RECORD_KIND_INSPECTION &&
          g_strcmp0 (anx_chain_record_get_idempotency_key (after->pdata[i]), "insp-42") == 0)
        n_with_key++;
    g_assert_cmpuint (n_with_key, ==, 1);

    /* A pass closes the charger's alarms, with the inspection as evidence */
    get_ok (fixture, feedd, "/v1/alarms?state=all&limit=1000", &alarms);
    items = json_object_get_array_member (json_node_get_object (alarms.root), "items");
    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonObject *alarm = json_array_get_object_element (items, i);
        JsonObject *cleared;

        if (json_object_get_int_member (json_object_get_object_member (alarm, "charger"), "id") !=
            charger_id)
          continue;
        g_assert_cmpstr (json_object_get_string_member (alarm, "state"), ==, "cleared");
        cleared = json_object_get_object_member (alarm, "cleared");
        if (g_str_equal (json_object_get_string_member (cleared, "reason"), "inspection"))
          g_assert_cmpint (json_object_get_int_member (cleared, "sequence"), ==,
                           (gint64) anx_chain_record_get_sequence (record));
      }
  }

  /* The log tells the same story: the record and the cleared alarms */
  {
    g_autoptr(GPtrArray) tail = fetch_events (fixture, feedd, head);
    gboolean appended = FALSE, cleared = FALSE, acknowledged = FALSE;

    for (guint i = 0; i < tail->len; i++)
      {
        AnxFeedEvent *event = tail->pdata[i];

        switch (anx_feed_event_get_event_type (event))
          {
          case ANX_FEED_EVENT_CHAIN_APPENDED:
            {
              g_autofree char *hex = anx_chain_hash_to_hex (anx_feed_event_get_hash (event));

              g_assert_cmpstr (hex, ==, record_hash);
              g_assert_false (appended);
              appended = TRUE;
            }
            break;
          case ANX_FEED_EVENT_ALARM_CLEARED:
            g_assert_cmpint (anx_feed_event_get_charger_id (event), ==, charger_id);
            cleared = TRUE;
            break;
          case ANX_FEED_EVENT_ALARM_ACKNOWLEDGED:
            g_assert_false (acknowledged);
            acknowledged = TRUE;
            break;
          default:
            break;
          }
      }
    g_assert_true (appended && cleared && acknowledged);
  }

  feedd_stop (feedd);
}

static void
test_cursor_expired (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const char *extra[] = { "--simulate",      "hangzhou",  "--sim-scale", "tiny", "--sim-start",
                          SIM_START,         "--backfill-days", "2",     "--retain-events",
                          "100",             NULL };
  g_autoptr(Feedd) feedd = feedd_start (fixture, extra);
  g_auto(Reply) reply = { 0 };
  g_autoptr(GPtrArray) events = NULL;
  JsonObject *error;
  gint64 oldest;

  wait_backfill (feedd);
  request (fixture, feedd, "GET", "/v1/events?after=0", VIEWER_TOKEN, NULL, NULL, NULL, &reply);
  assert_error (&reply, 410, "cursor-expired");
  error = json_object_get_object_member (json_node_get_object (reply.root), "error");
  oldest = json_object_get_int_member (error, "oldest");
  g_assert_cmpint (json_object_get_int_member (error, "head") - oldest + 1, <=, 100);
  g_assert_cmpint (oldest, >, 1);

  /* From just before the oldest, everything that is kept */
  events = fetch_events (fixture, feedd, oldest - 1);
  g_assert_cmpuint (events->len, ==, json_object_get_int_member (error, "head") - oldest + 1);
}

/* ------------------------------------------------------------------------ */
/* A stream client                                                            */

typedef struct
{
  SoupWebsocketConnection *connection;
  GPtrArray *messages; /* char * */
  gboolean closed;
  gushort close_code;
  guint stop_after;    /* close ourselves after this many messages (0: never) */
  gboolean stopping;
} Stream;

static void
on_stream_message (SoupWebsocketConnection *connection,
                   gint                     type,
                   GBytes                  *message,
                   gpointer                 user_data)
{
  Stream *stream = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  /* Whatever arrives after we decided to leave is not ours to count. */
  if (stream->stopping)
    return;
  g_ptr_array_add (stream->messages, g_strndup (data, length));
  if (stream->stop_after > 0 && stream->messages->len >= stream->stop_after)
    {
      stream->stopping = TRUE;
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
}

static void
on_stream_closed (SoupWebsocketConnection *connection,
                  gpointer                 user_data)
{
  Stream *stream = user_data;

  stream->closed = TRUE;
  stream->close_code = soup_websocket_connection_get_close_code (connection);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Stream *stream = user_data;
  g_autoptr(GError) error = NULL;

  stream->connection =
      soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  g_signal_connect (stream->connection, "message", G_CALLBACK (on_stream_message), stream);
  g_signal_connect (stream->connection, "closed", G_CALLBACK (on_stream_closed), stream);
}

static Stream *
stream_open (Fixture    *fixture,
             Feedd      *feedd,
             const char *token,
             gint64      after,
             guint       stop_after)
{
  g_autofree char *url =
      g_strdup_printf ("%s/v1/stream?after=%" G_GINT64_FORMAT, feedd->ws_url, after);
  g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  Stream *stream = g_new0 (Stream, 1);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  stream->messages = g_ptr_array_new_with_free_func (g_free);
  stream->stop_after = stop_after;
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  soup_session_websocket_connect_async (fixture->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, on_connected, stream);
  while (stream->connection == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return stream;
}

static void
stream_free (Stream *stream)
{
  if (stream->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (stream->connection, stream);
      if (soup_websocket_connection_get_state (stream->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (stream->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&stream->connection);
    }
  g_ptr_array_unref (stream->messages);
  g_free (stream);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stream, stream_free)

static void
stream_wait_closed (Stream *stream,
                    guint   seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!stream->closed)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the stream was not closed within %u s", seconds);
      g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
    }
}

static AnxFeedEvent *
decode (const char *json)
{
  g_autoptr(GError) error = NULL;
  AnxFeedEvent *event = anx_feed_event_new_from_json (json, -1, &error);

  g_assert_no_error (error);
  return event;
}

static const char *const small_live[] = {
  "--simulate", "hangzhou", "--sim-scale", "small", "--seed", "11", "--sim-start", SIM_START,
  "--backfill-days", "1", "--speed", "1800", "--heartbeat", "1", NULL
};

static void
test_stream_resume (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(Feedd) feedd = feedd_start (fixture, small_live);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20221120);
  g_autoptr(GPtrArray) received = g_ptr_array_new_with_free_func (g_free);
  gint64 last = 0;
  guint sessions = 0, heartbeats = 0;
  gint64 end = g_get_monotonic_time () + 12 * G_USEC_PER_SEC;

  /* Disconnect at random points, resume from the last cursor: every event
   * exactly once, in order, across the replay and the live part. */
  while (g_get_monotonic_time () < end || sessions < 6)
    {
      guint stop_after = g_rand_int_range (rand, 2, 4000);
      g_autoptr(Stream) stream = stream_open (fixture, feedd, VIEWER_TOKEN, last, stop_after);
      gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

      while (!stream->closed && !stream->stopping)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
        }

      for (guint i = 0; i < stream->messages->len; i++)
        {
          g_autoptr(AnxFeedEvent) event = decode (stream->messages->pdata[i]);
          AnxFeedEventType type = anx_feed_event_get_event_type (event);

          if (i == 0)
            {
              g_assert_cmpint (type, ==, ANX_FEED_EVENT_HELLO);
              g_assert_cmpuint (anx_feed_event_get_head (event), >=, (guint64) last);
              continue;
            }
          if (type == ANX_FEED_EVENT_HEARTBEAT)
            {
              heartbeats++;
              continue;
            }
          g_assert_false (anx_feed_event_type_is_control (type));
          g_assert_cmpuint (anx_feed_event_get_cursor (event), ==, (guint64) last + 1);
          last = (gint64) anx_feed_event_get_cursor (event);
          g_ptr_array_add (received, g_strdup (stream->messages->pdata[i]));
        }
      sessions++;
    }

  g_test_message ("%u connections, %u events, %u heartbeats", sessions, received->len, heartbeats);
  g_assert_cmpuint (received->len, >, 1000);
  g_assert_cmpuint (heartbeats, >, 0);

  /* The same bytes as the log serves by REST */
  {
    g_autoptr(GPtrArray) events = fetch_events (fixture, feedd, 0);

    g_assert_cmpuint (events->len, >=, received->len);
    for (guint i = 0; i < received->len; i++)
      {
        g_autofree char *json = anx_feed_event_to_json (events->pdata[i]);

        g_assert_cmpstr (json, ==, received->pdata[i]);
      }
  }

  feedd_stop (feedd);
}

static void
test_stream_resync (Fixture       *fixture,
                    gconstpointer  user_data)
{
  const char *extra[] = { "--simulate",      "hangzhou",  "--sim-scale", "tiny", "--sim-start",
                          SIM_START,         "--backfill-days", "2",     "--retain-events",
                          "50",              NULL };
  g_autoptr(Feedd) feedd = feedd_start (fixture, extra);
  g_autoptr(Stream) stream = NULL;
  g_autoptr(AnxFeedEvent) hello = NULL;
  g_autoptr(AnxFeedEvent) resync = NULL;

  wait_backfill (feedd);
  stream = stream_open (fixture, feedd, VIEWER_TOKEN, 0, 0);
  stream_wait_closed (stream, 30);
  g_assert_cmpuint (stream->close_code, ==, 4409);
  g_assert_cmpuint (stream->messages->len, ==, 2);
  hello = decode (stream->messages->pdata[0]);
  resync = decode (stream->messages->pdata[1]);
  g_assert_cmpint (anx_feed_event_get_event_type (hello), ==, ANX_FEED_EVENT_HELLO);
  g_assert_cmpint (anx_feed_event_get_event_type (resync), ==, ANX_FEED_EVENT_RESYNC_REQUIRED);
  g_assert_cmpuint (anx_feed_event_get_oldest (resync), >, 1);

  /* From the oldest kept it streams */
  {
    g_autoptr(Stream) again =
        stream_open (fixture, feedd, VIEWER_TOKEN, (gint64) anx_feed_event_get_oldest (resync) - 1,
                     10);

    while (!again->stopping && !again->closed)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (again->messages->len, ==, 10);
  }
}

/* A raw WebSocket client that reads nothing until told: the server must
 * drop it with 4408 instead of queueing without bound. */
static GSocketConnection *
raw_stream_connect (Feedd *feedd,
                    gint64 after)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = g_uri_parse (feedd->base_url, G_URI_FLAGS_NONE, &error);
  g_autofree char *head = NULL;
  GSocketConnection *connection;
  GSocket *socket;
  GString *response = g_string_new (NULL);
  char c;

  g_assert_no_error (error);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  socket = g_socket_connection_get_socket (connection);
  /* Small buffers, so that the backlog builds up at the server */
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 65536, NULL);

  head = g_strdup_printf ("GET /v1/stream?after=%" G_GINT64_FORMAT " HTTP/1.1\r\n"
                          "Host: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "Authorization: Bearer " VIEWER_TOKEN "\r\n\r\n",
                          after, g_uri_get_host (uri), g_uri_get_port (uri));
  g_assert_true (g_output_stream_write_all (
      g_io_stream_get_output_stream (G_IO_STREAM (connection)), head, strlen (head), NULL, NULL,
      &error));
  g_assert_no_error (error);

  while (!g_str_has_suffix (response->str, "\r\n\r\n"))
    {
      g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                            &c, 1, NULL, &error),
                       ==, 1);
      g_string_append_c (response, c);
    }
  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 101"));
  g_string_free (response, TRUE);
  return connection;
}

/* Reads frames until the close frame; returns its code and the last event
 * cursor seen. */
static gushort
raw_stream_drain (GSocketConnection *connection,
                  gint64            *last_cursor)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      guint8 header[2];
      guint64 length;
      g_autofree char *payload = NULL;
      gsize got;

      g_assert_true (g_input_stream_read_all (in, header, 2, &got, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (got, ==, 2);
      g_assert_cmpuint (header[1] & 0x80, ==, 0); /* servers do not mask */
      length = header[1] & 0x7f;
      if (length == 126 || length == 127)
        {
          guint8 ext[8];
          guint n = length == 126 ? 2 : 8;

          g_assert_true (g_input_stream_read_all (in, ext, n, &got, NULL, &error));
          length = 0;
          for (guint i = 0; i < n; i++)
            length = length << 8 | ext[i];
        }
      g_assert_cmpuint (length, <, 1024 * 1024);
      payload = g_malloc (length + 1);
      g_assert_true (g_input_stream_read_all (in, payload, length, &got, NULL, &error));
      g_assert_cmpuint (got, ==, length);
      payload[length] = '\0';

      if ((header[0] & 0x0f) == 0x8)
        {
          g_assert_cmpuint (length, >=, 2);
          return (gushort) ((guint8) payload[0] << 8 | (guint8) payload[1]);
        }
      if ((header[0] & 0x0f) == 0x1 && strncmp (payload, "{\"cursor\":", 10) == 0)
        *last_cursor = g_ascii_strtoll (payload + 10, NULL, 10);
    }
}

static void
test_stream_slow (Fixture       *fixture,
                  gconstpointer  user_data)
{
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "small", "--sim-start", SIM_START,
                          "--speed",    "1800",     "--max-queue", "500",   NULL };
  g_autoptr(Feedd) feedd = feedd_start (fixture, extra);
  g_autoptr(GSocketConnection) slow = NULL;
  g_auto(Reply) health = { 0 };
  gint64 start_cursor, last_cursor = 0;
  gushort code;

  /* Start live (not in replay, which is paced by the reader) */
  spin (1500);
  start_cursor = json_object_get_int_member (get_ok (fixture, feedd, "/v1/health", &health),
                                             "cursor");
  slow = raw_stream_connect (feedd, start_cursor);

  /* Read nothing: the server queues up to 500 events, then gives up on us */
  {
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

    while (!stderr_contains (feedd, "4408 too slow"))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (100000);
      }
  }
  {
    gint64 t0 = g_get_monotonic_time ();

    code = raw_stream_drain (slow, &last_cursor);
    g_test_message ("drained up to cursor %" G_GINT64_FORMAT " in %.1f s", last_cursor,
                    (g_get_monotonic_time () - t0) / 1e6);
  }
  g_assert_cmpuint (code, ==, 4408);
  g_assert_cmpint (last_cursor, >, start_cursor);

  /* ... and we resume from the last cursor we have */
  {
    g_autoptr(Stream) stream = stream_open (fixture, feedd, VIEWER_TOKEN, last_cursor, 20);

    while (!stream->stopping && !stream->closed)
      g_main_context_iteration (NULL, TRUE);
    for (guint i = 1; i < stream->messages->len; i++)
      {
        g_autoptr(AnxFeedEvent) event = decode (stream->messages->pdata[i]);

        if (anx_feed_event_get_event_type (event) == ANX_FEED_EVENT_HEARTBEAT)
          continue;
        g_assert_cmpuint (anx_feed_event_get_cursor (event), ==, (guint64) ++last_cursor);
      }
  }
}

static void
test_stream_revoked (Fixture       *fixture,
                     gconstpointer  user_data)
{
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", NULL };
  g_autoptr(Feedd) feedd = feedd_start (fixture, extra);
  g_autoptr(Stream) stream = stream_open (fixture, feedd, VIEWER_TOKEN, 0, 0);
  g_autoptr(Stream) admin = stream_open (fixture, feedd, ADMIN_TOKEN, 0, 0);

  /* Clients send no data frames: one that does is closed with 1008 */
  {
    g_autoptr(Stream) talker = stream_open (fixture, feedd, ADMIN_TOKEN, 0, 0);

    soup_websocket_connection_send_text (talker->connection, "{\"hello\":1}");
    stream_wait_closed (talker, 10);
    g_assert_cmpuint (talker->close_code, ==, 1008);
  }

  /* The token goes from the file: its streams close with 4401, others stay */
  spin (1200);
  write_tokens (fixture, FALSE);
  stream_wait_closed (stream, 10);
  g_assert_cmpuint (stream->close_code, ==, 4401);
  spin (500);
  g_assert_false (admin->closed);

  /* ... and the token is refused from now on */
  {
    g_auto(Reply) reply = { 0 };

    request (fixture, feedd, "GET", "/v1/events", VIEWER_TOKEN, NULL, NULL, NULL, &reply);
    assert_error (&reply, 401, "unauthorized");
  }

  /* Stopping closes the remaining streams with 1001 */
  feedd_stop (feedd);
  stream_wait_closed (admin, 10);
  g_assert_cmpuint (admin->close_code, ==, 1001);
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  char *key;
  gint64 charger;
  gboolean acknowledged;
  gboolean done;
  guint status;
} Post;

static void
on_posted (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Post *post = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                             &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  post->done = TRUE;
  if (body != NULL)
    {
      post->status = soup_message_get_status (msg);
      post->acknowledged = post->status == 201 || post->status == 200;
    }
}

static void
post_inspection_async (Fixture *fixture,
                       Feedd   *feedd,
                       Post    *post)
{
  g_autofree char *url = g_strconcat (feedd->base_url, "/v1/inspections", NULL);
  g_autofree char *body = g_strdup_printf (
      "{\"charger\":%" G_GINT64_FORMAT ",\"inspector\":\"test\",\"result\":\"sealed\","
      "\"idempotency_key\":\"%s\"}",
      post->charger, post->key);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  SoupMessage *msg = soup_message_new ("POST", url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " INSPECTOR_TOKEN);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  post->done = FALSE;
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, on_posted,
                                    post);
  g_object_unref (msg);
}

static void
test_durability (Fixture       *fixture,
                 gconstpointer  user_data)
{
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "3",
                          "--sim-start", SIM_START, "--backfill-days", "3", "--speed", "7200",
                          "--anomalies", "none", NULL };
  const char *frozen[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "3",
                           "--sim-start", SIM_START, "--backfill-days", "3", "--anomalies",
                           "none", NULL };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  g_autoptr(GPtrArray) posts = g_ptr_array_new ();
  g_autoptr(Feedd) feedd = NULL;
  g_autoptr(GPtrArray) events = NULL;
  guint n_acknowledged = 0;

  /* SIGKILL during the back-fill, during live simulation, and while
   * inspections are being posted */
  for (guint round = 0; round < 8; round++)
    {
      feedd = feedd_start (fixture, extra);
      for (guint i = 0; i < 6; i++)
        {
          Post *post = g_new0 (Post, 1);

          post->key = g_strdup_printf ("dur-%u-%u", round, i);
          post->charger = g_rand_int_range (rand, 1, 25);
          g_ptr_array_add (posts, post);
          post_inspection_async (fixture, feedd, post);
        }
      spin (g_rand_int_range (rand, 50, 1500));
      feedd_kill (feedd);
      g_clear_pointer (&feedd, feedd_free);
      spin (50);
    }

  /* Every acknowledged inspection is there once; the others are retried
   * with the same key and must not appear twice either. */
  feedd = feedd_start (fixture, extra);
  for (guint i = 0; i < posts->len; i++)
    {
      Post *post = posts->pdata[i];

      if (post->acknowledged)
        n_acknowledged++;
      post_inspection_async (fixture, feedd, post);
      while (!post->done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (post->acknowledged);
    }
  g_test_message ("%u of %u inspections were acknowledged before a crash", n_acknowledged,
                  posts->len);
  g_assert_cmpuint (n_acknowledged, >, 0);

  spin (1500);
  feedd_kill (feedd);
  g_clear_pointer (&feedd, feedd_free);
  /* Resumed once more, without running live, so that the log and the
   * chains read below are of the same moment */
  feedd = feedd_start (fixture, frozen);

  /* Cursors continue without gap or duplicate; every record appended is
   * in the log once */
  events = fetch_events (fixture, feedd, 0);
  g_assert_cmpuint (events->len, >, 200);

  /* Chains verify end to end: no gap, fork, duplicate or broken link
   * although the simulation was resumed eight times */
  for (gint64 id = 1; id <= 24; id++)
    {
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      g_autoptr(GPtrArray) findings = NULL;
      g_autoptr(GPtrArray) records = fetch_chain (fixture, feedd, key, 1000);
      guint n_records = 0;

      findings = verify_chain (fixture, feedd, key, &n_records);
      for (guint i = 0; i < findings->len; i++)
        g_test_message ("charger %s: %s", key, (char *) findings->pdata[i]);
      g_assert_cmpuint (findings->len, ==, 0);

      for (guint i = 0; i < posts->len; i++)
        {
          Post *post = posts->pdata[i];
          guint n = 0;

          if (post->charger != id)
            continue;
          for (guint j = 0; j < records->len; j++)
            if (g_strcmp0 (anx_chain_record_get_idempotency_key (records->pdata[j]), post->key) ==
                0)
              n++;
          g_assert_cmpuint (n, ==, 1);
        }
      for (guint i = 0; i < records->len; i++)
        g_assert_cmpuint (anx_chain_record_get_sequence (records->pdata[i]), ==, i);
    }

  /* Every record has its chain.appended event, once */
  {
    g_autoptr(GHashTable) appended = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    guint n_records = 0;

    for (guint i = 0; i < events->len; i++)
      if (anx_feed_event_get_event_type (events->pdata[i]) == ANX_FEED_EVENT_CHAIN_APPENDED)
        {
          g_autofree char *hex = anx_chain_hash_to_hex (anx_feed_event_get_hash (events->pdata[i]));

          g_assert_true (g_hash_table_add (
              appended, g_strdup_printf ("%s %" G_GINT64_FORMAT " %s",
                                         anx_feed_event_get_charger_code (events->pdata[i]),
                                         anx_feed_event_get_sequence (events->pdata[i]), hex)));
        }
    for (gint64 id = 1; id <= 24; id++)
      {
        g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, id);
        g_autoptr(GPtrArray) records = fetch_chain (fixture, feedd, key, 1000);

        for (guint i = 0; i < records->len; i++)
          {
            AnxChainRecord *record = records->pdata[i];
            g_autofree char *hex = anx_chain_hash_to_hex (anx_chain_record_get_hash (record));
            g_autofree char *which =
                g_strdup_printf ("%s %" G_GUINT64_FORMAT " %s",
                                 anx_chain_record_get_charger_id (record),
                                 anx_chain_record_get_sequence (record), hex);

            g_assert_true (g_hash_table_contains (appended, which));
          }
        n_records += records->len;
      }
    g_assert_cmpuint (g_hash_table_size (appended), ==, n_records);
  }

  feedd_stop (feedd);

  for (guint i = 0; i < posts->len; i++)
    {
      Post *post = posts->pdata[i];

      g_free (post->key);
      g_free (post);
    }
}

/* ------------------------------------------------------------------------ */

static void
test_simulation (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *truth_path = g_build_filename (fixture->dir, "truth.jsonl", NULL);
  const char *extra[] = { "--simulate",     "hangzhou",   "--sim-scale",   "small", "--seed",
                          "2024",           "--sim-start", SIM_START,      "--backfill-days",
                          "6",              "--anomalies",
                          "over-billing=0.004,amount-manipulation=0.004,forged-signature=0.004,"
                          "corrupted-signature=0.004,chain-edited=0.004,chain-removed=0.004,"
                          "chain-fork=0.004,seal-opened=0.004,meter-exchanged=0.004,"
                          "clock-unsynchronised=0.004,offline=0.004,unregistered-key=0.004",
                          "--ground-truth", truth_path, NULL };
  g_autoptr(Feedd) feedd = feedd_start (fixture, extra);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) raised = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) dirty = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GHashTable) anomalies = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonArray) alarms = json_array_new ();
  g_autofree char *truth = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *after = g_strdup ("0");
  guint n_truth = 0;

  wait_backfill (feedd);
  g_assert_true (g_file_get_contents (truth_path, &truth, NULL, NULL));
  lines = g_strsplit (truth, "\n", -1);

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *line = json_node_get_object (node);
      const char *anomaly = json_object_get_string_member (line, "anomaly");
      gint64 charger = json_object_get_int_member (line, "charger_id");
      JsonArray *findings = json_object_get_array_member (line, "findings");

      n_truth++;
      g_hash_table_add (anomalies, (gpointer) g_intern_string (anomaly));
      g_hash_table_add (dirty, GINT_TO_POINTER (charger));
      for (guint j = 0; j < json_array_get_length (findings); j++)
        {
          JsonObject *finding = json_array_get_object_element (findings, j);

          g_hash_table_add (expected,
                            g_strdup_printf ("%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT, charger,
                                             json_object_get_string_member (finding, "code"),
                                             json_object_get_int_member (finding, "sequence")));
        }
      if (g_str_equal (anomaly, "offline"))
        g_hash_table_add (expected, g_strdup_printf ("%" G_GINT64_FORMAT " offline -", charger));
    }
  g_test_message ("%u ground-truth lines, %u kinds of anomaly", n_truth,
                  g_hash_table_size (anomalies));
  g_assert_cmpuint (g_hash_table_size (anomalies), >=, 8);

  /* Every alarm the server raised, by REST */
  for (;;)
    {
      g_auto(Reply) reply = { 0 };
      g_autofree char *path = g_strdup_printf ("/v1/alarms?state=all&limit=1000&after=%s", after);
      JsonObject *page = get_ok (fixture, feedd, path, &reply);
      JsonArray *items = json_object_get_array_member (page, "items");

      for (guint i = 0; i < json_array_get_length (items); i++)
        json_array_add_element (alarms, json_node_copy (json_array_get_element (items, i)));
      if (JSON_NODE_HOLDS_NULL (json_object_get_member (page, "next")))
        break;
      g_free (after);
      after = g_strdup (json_object_get_string_member (page, "next"));
    }

  for (guint i = 0; i < json_array_get_length (alarms); i++)
    {
      JsonObject *alarm = json_array_get_object_element (alarms, i);
      gint64 charger =
          json_object_get_int_member (json_object_get_object_member (alarm, "charger"), "id");
      const char *code = json_object_get_string_member (alarm, "code");

      /* Clean chargers have none */
      if (!g_hash_table_contains (dirty, GINT_TO_POINTER (charger)))
        g_error ("alarm %s on charger %" G_GINT64_FORMAT ", where nothing was injected", code,
                 charger);
      if (g_str_equal (code, "offline"))
        g_hash_table_add (raised, g_strdup_printf ("%" G_GINT64_FORMAT " offline -", charger));
      else
        {
          gint64 first = json_object_get_int_member (alarm, "sequence");
          gint64 last = json_object_get_int_member (alarm, "last_sequence");

          g_assert_cmpint (first, <=, last);
          for (gint64 s = first; s <= last; s++)
            g_hash_table_add (raised, g_strdup_printf ("%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT,
                                                       charger, code, s));
        }
    }

  g_test_message ("%u findings injected, %u alarms raised", g_hash_table_size (expected),
                  json_array_get_length (alarms));
  g_assert_cmpuint (g_hash_table_size (expected), >, 20);

  /* Every injected finding is visible as the alarm of its code on its
   * charger (an open alarm counts the repeats of its code) */
  {
    GHashTableIter iter;
    gpointer key;
    guint missing = 0;

    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (!g_hash_table_contains (raised, key))
        {
          g_test_message ("not raised: %s", (char *) key);
          missing++;
        }
    g_assert_cmpuint (missing, ==, 0);
  }

  /* ... and no alarm of a code the ground truth does not name for that
   * charger */
  {
    g_autoptr(GHashTable) codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      {
        g_auto(GStrv) parts = g_strsplit (key, " ", 3);

        g_hash_table_add (codes, g_strdup_printf ("%s %s", parts[0], parts[1]));
      }
    for (guint i = 0; i < json_array_get_length (alarms); i++)
      {
        JsonObject *alarm = json_array_get_object_element (alarms, i);
        g_autofree char *which = g_strdup_printf (
            "%" G_GINT64_FORMAT " %s",
            json_object_get_int_member (json_object_get_object_member (alarm, "charger"), "id"),
            json_object_get_string_member (alarm, "code"));

        if (!g_hash_table_contains (codes, which))
          g_error ("alarm %s is in no ground-truth line", which);
      }
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/feedd-live/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("protocol/rest", test_protocol);
  ADD ("protocol/cursor-expired", test_cursor_expired);
  ADD ("stream/resume", test_stream_resume);
  ADD ("stream/resync", test_stream_resync);
  ADD ("stream/slow", test_stream_slow);
  ADD ("stream/revoked", test_stream_revoked);
  ADD ("durability", test_durability);
  ADD ("simulation", test_simulation);
#undef ADD

  return g_test_run ();
}
