/* test-console-data.c: the console's data layer against the real anxin-feedd
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test starts anxin-feedd on loopback with a small simulated network
 * and checks what the console's store holds against what the server's
 * ledger holds, and the alarms against the simulator's ground truth.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "anx-alarm-rules.h"
#include "anx-chain-model.h"
#include "anx-feed-client.h"
#include "anx-ingest.h"
#include "anx-outbox.h"
#include "anx-query-model.h"
#include "anx-store.h"
#include "anx-test-util.h"
#include "anx-test-feedd.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("anx-console-data-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  if (g_getenv ("ANXIN_KEEP_TEST_DIR") == NULL)
    anx_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Runs the main loop until @done says so, or fails after @timeout_s. */
typedef struct
{
  AnxFeedClient *client;
  AnxStore *store;
  guint64 head;
} Sync;

static gboolean
synced (gpointer data)
{
  Sync *sync = data;

  return anx_feed_client_get_state (sync->client) == ANX_FEED_CLIENT_LIVE &&
         anx_store_get_cursor (sync->store) >= sync->head && anx_store_get_backlog (sync->store) == 0;
}

static GPtrArray *
query_strings (AnxStore   *store,
               const char *sql,
               const char *arg)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (rows, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  return rows;
}

static gint64
query_int (AnxStore   *store,
           const char *sql,
           const char *arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store), sql, -1, &stmt, NULL), ==,
                   SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The store's chains equal the server's: every (sequence, hash) of every
 * charger, nothing more, nothing less. Returns the records compared. */
static guint
compare_chains (AnxTestFeedd *feedd,
                AnxStore     *store)
{
  g_autoptr(GPtrArray) codes = query_strings (store, "SELECT code FROM chargers ORDER BY code",
                                              NULL);
  guint n = 0;

  g_assert_cmpuint (codes->len, >, 0);
  for (guint i = 0; i < codes->len; i++)
    {
      g_autoptr(GPtrArray) server = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) ours = query_strings (store,
                                                 "SELECT sequence || ':' || lower(hex(hash)) FROM "
                                                 "records WHERE charger_code = ? ORDER BY "
                                                 "sequence, hash",
                                                 codes->pdata[i]);
      g_autofree char *from = g_strdup ("0");

      while (from != NULL)
        {
          g_autofree char *path = g_strdup_printf ("/v1/chargers/%s/chain?from=%s&limit=1000",
                                                   (char *) codes->pdata[i], from);
          g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, path);
          JsonObject *page = json_node_get_object (root);
          JsonArray *records = json_object_get_array_member (page, "records");

          for (guint j = 0; j < json_array_get_length (records); j++)
            {
              JsonObject *record = json_array_get_object_element (records, j);

              g_ptr_array_add (server,
                               g_strdup_printf ("%" G_GINT64_FORMAT ":%s",
                                                json_object_get_int_member (record, "sequence"),
                                                json_object_get_string_member (record, "hash")));
            }
          g_clear_pointer (&from, g_free);
          if (!json_object_get_null_member (page, "next") && json_array_get_length (records) > 0)
            from = g_strdup (json_object_get_string_member (page, "next"));
        }
      g_ptr_array_sort (server, compare_strings);
      g_ptr_array_sort (ours, compare_strings);
      if (server->len != ours->len)
        g_error ("Charger %s: the server holds %u records, the store %u",
                 (char *) codes->pdata[i], server->len, ours->len);
      for (guint j = 0; j < server->len; j++)
        g_assert_cmpstr (server->pdata[j], ==, ours->pdata[j]);
      n += server->len;
    }
  return n;
}

/* No event lost or applied twice: the receipt holds every cursor from the
 * snapshot to the head once (the primary key forbids twice). */
static void
check_event_receipt (AnxStore *store,
                     guint64   head)
{
  gint64 first = query_int (store, "SELECT min(cursor) FROM events", NULL);
  gint64 last = query_int (store, "SELECT max(cursor) FROM events", NULL);
  gint64 count = query_int (store, "SELECT count(*) FROM events", NULL);

  g_assert_cmpuint (anx_store_get_cursor (store), ==, head);
  if (count == 0)
    return; /* the snapshot was at the head: no event to replay */
  g_assert_cmpint (last, ==, (gint64) head);
  g_assert_cmpint (count, ==, last - first + 1);
  {
    g_autofree char *snapshot = anx_store_get_meta (store, "snapshot_cursor");

    g_assert_nonnull (snapshot);
    g_assert_cmpint (first, ==, g_ascii_strtoll (snapshot, NULL, 10) + 1);
  }
}

static AnxFeedClient *
new_client (AnxIngest    *ingest,
            AnxTestFeedd *feedd)
{
  AnxFeedClient *client = anx_feed_client_new (ingest, feedd->base_url);

  anx_feed_client_set_token (client, feedd->token);
  anx_feed_client_set_backoff (client, 50, 500);
  return client;
}

/* A full sync of a seeded network with a few days of history: chains equal
 * to the server's, and every injected anomaly raises the right alarm on the
 * right charger while the clean chargers raise none. */
/* The sessions running when the back-fill ended (no live simulation, so
 * no session event followed): the console knows them from the snapshot,
 * with the server's numbers. */
static void
check_snapshot_sessions (AnxTestFeedd *feedd,
                         AnxStore     *store)
{
  g_autoptr(GPtrArray) server = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) console = query_strings (store,
                                                "SELECT charger_code || ' ' || session_id || ' ' "
                                                "|| meter_start_wh FROM sessions ORDER BY 1",
                                                NULL);
  g_autofree char *after = g_strdup ("0");

  while (after != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/v1/registry/chargers?limit=100&after=%s", after);
      g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, path);
      JsonObject *page = json_node_get_object (root);
      JsonArray *items = json_object_get_array_member (page, "items");

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *charger = json_array_get_object_element (items, i);
          JsonObject *session;

          g_assert_true (json_object_has_member (charger, "session"));
          if (json_object_get_null_member (charger, "session"))
            continue;
          session = json_object_get_object_member (charger, "session");
          g_assert_cmpstr (json_object_get_string_member (charger, "status"), ==, "charging");
          g_ptr_array_add (server,
                           g_strdup_printf ("%s %s %" G_GINT64_FORMAT,
                                            json_object_get_string_member (charger, "code"),
                                            json_object_get_string_member (session, "session_id"),
                                            json_object_get_int_member (session,
                                                                        "meter_start_wh")));
        }
      g_free (after);
      after = json_object_get_null_member (page, "next")
                  ? NULL
                  : g_strdup (json_object_get_string_member (page, "next"));
    }
  g_ptr_array_sort (server, compare_strings);
  g_test_message ("%u sessions running at the snapshot", server->len);
  g_assert_cmpuint (server->len, >, 0);
  g_assert_cmpuint (console->len, ==, server->len);
  for (guint i = 0; i < server->len; i++)
    g_assert_cmpstr (console->pdata[i], ==, server->pdata[i]);
}

static void
test_sync_ground_truth (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *truth_path = g_build_filename (fixture->dir, "truth.jsonl", NULL);
  g_autofree char *db_path = g_build_filename (fixture->dir, "console", "store.sqlite", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "11",
                          "--backfill-days", "4", "--sim-start", "2026-03-01T00:00:00+08:00",
                          "--anomalies",
                          "over-billing=0.02,amount-manipulation=0.05,forged-signature=0.02,"
                          "corrupted-signature=0.02,chain-edited=0.02,chain-removed=0.02,"
                          "chain-fork=0.02,seal-opened=0.02,clock-unsynchronised=0.02,"
                          "unregistered-key=0.05,meter-exchanged=0.05",
                          "--ground-truth", truth_path, NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = NULL;
  g_autoptr(AnxFeedClient) client = NULL;
  g_autofree char *truth = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) all_codes = NULL;
  Sync sync = { 0 };
  guint n_records, n_checked = 0;
  char *integrity = NULL;

  g_assert_no_error (error);
  ingest = anx_ingest_new (store);
  /* With @user_data, a verifier for two chargers at a time: every other
   * chain page and event builds one again from the store, and the verdicts
   * must not change. */
  if (user_data != NULL)
    anx_ingest_set_max_verifiers (ingest, GPOINTER_TO_UINT (user_data));
  client = new_client (ingest, feedd);
  sync = (Sync){ client, store, (guint64) anx_test_feedd_head (feedd) };
  g_assert_cmpuint (sync.head, >, 0);

  anx_feed_client_start (client);
  anx_test_run_until (synced, &sync, 60, "the initial sync");

  n_records = compare_chains (feedd, store);
  g_test_message ("%u records, %" G_GINT64_FORMAT " alarms", n_records,
                  anx_store_count (store, "alarms"));
  g_assert_cmpuint (n_records, >, 50);
  check_event_receipt (store, sync.head);
  g_assert_true (anx_store_integrity_check (store, &integrity));
  g_free (integrity);

  check_snapshot_sessions (feedd, store);

  /* Every injected anomaly: the alarm its findings call for. */
  g_assert_true (g_file_get_contents (truth_path, &truth, NULL, &error));
  lines = g_strsplit (truth, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *line;
      JsonArray *findings;
      const char *code;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      line = json_node_get_object (json_parser_get_root (parser));
      code = json_object_get_string_member (line, "charger_code");
      g_hash_table_add (dirty, g_strdup (code));
      g_test_message ("injected %s on %s", json_object_get_string_member (line, "anomaly"), code);
      findings = json_object_get_array_member (line, "findings");
      for (guint j = 0; findings != NULL && j < json_array_get_length (findings); j++)
        {
          const char *finding =
              json_object_get_string_member (json_array_get_object_element (findings, j), "code");
          const char *kind = anx_alarm_kind_for_finding (finding);
          g_autofree char *sql = NULL;

          g_assert_nonnull (kind);
          g_hash_table_add (expected, g_strdup_printf ("%s %s", code, kind));
          sql = g_strdup_printf ("SELECT count(*) FROM alarms WHERE charger_code = ? AND kind = "
                                 "'%s'",
                                 kind);
          if (query_int (store, sql, code) < 1)
            g_error ("Anomaly %s on %s: no %s alarm",
                     json_object_get_string_member (line, "anomaly"), code, kind);
          n_checked++;
        }
    }
  g_test_message ("%u injected findings checked", n_checked);
  g_assert_cmpuint (n_checked, >, 0);

  /* The clean chargers: no alarm that a record raised. */
  all_codes = query_strings (store, "SELECT code FROM chargers", NULL);
  for (guint i = 0; i < all_codes->len; i++)
    {
      const char *code = all_codes->pdata[i];

      if (g_hash_table_contains (dirty, code))
        continue;
      if (query_int (store,
                     "SELECT count(*) FROM alarms WHERE charger_code = ? AND kind NOT IN "
                     "('offline', 'verification-overdue')",
                     code) != 0)
        {
          g_autoptr(GPtrArray) kinds = query_strings (store,
                                                      "SELECT kind || ' ' || evidence FROM alarms "
                                                      "WHERE charger_code = ?",
                                                      code);

          g_error ("Clean charger %s raised %s", code, (char *) kinds->pdata[0]);
        }
    }

  /* No alarm that the ground truth does not call for, anywhere: a
   * legitimate meter exchange, for one, raises none. */
  {
    g_autoptr(GPtrArray) raised = query_strings (store,
                                                 "SELECT charger_code || ' ' || kind FROM alarms "
                                                 "WHERE kind NOT IN ('offline', "
                                                 "'verification-overdue')",
                                                 NULL);

    for (guint i = 0; i < raised->len; i++)
      if (!g_hash_table_contains (expected, raised->pdata[i]))
        g_error ("Alarm %s is not in the ground truth", (char *) raised->pdata[i]);
  }

  /* Overdue meters (registry dates vs the feed's day) raise their alarm. */
  g_assert_cmpint (query_int (store,
                              "SELECT count(*) FROM meters m JOIN chargers c ON c.meter_id = m.id "
                              "WHERE m.rotation_due < '2026-03-01' AND NOT EXISTS (SELECT 1 FROM "
                              "alarms a WHERE a.charger_code = c.code AND a.kind = "
                              "'verification-overdue')",
                              NULL),
                   ==, 0);

  /* A sentence with the numbers, for an energy mismatch if there is one. */
  {
    g_autoptr(GPtrArray) evidence = query_strings (store,
                                                   "SELECT evidence FROM alarms WHERE kind = "
                                                   "'energy-mismatch' LIMIT 1",
                                                   NULL);

    if (evidence->len > 0)
      {
        g_autofree char *sentence = anx_alarm_describe_json (ANX_ALARM_ENERGY_MISMATCH,
                                                             evidence->pdata[0]);

        g_test_message ("%s", sentence);
        g_assert_nonnull (strstr (sentence, "kWh"));
        g_assert_nonnull (strstr (sentence, "%"));
      }
  }

  anx_feed_client_stop (client);
}

static GSubprocess *
spawn_helper (Fixture      *fixture,
              AnxTestFeedd *feedd,
              const char   *db_path,
              guint64       target)
{
  g_autofree char *token_path = g_build_filename (fixture->dir, "tokens.admin-token", NULL);
  g_autofree char *target_text = g_strdup_printf ("%" G_GUINT64_FORMAT, target);
  g_autofree char *log = g_build_filename (fixture->dir, "helper.log", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (g_getenv ("ANXIN_CONSOLE_SYNC"));
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, anx_test_die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("ANXIN_CONSOLE_SYNC"),
                                         feedd->base_url, token_path, db_path,
                                         target > 0 ? target_text : NULL, NULL);
  g_assert_no_error (error);
  return process;
}

static void
check_store_file (const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autofree char *result = NULL;

  g_assert_no_error (error);
  if (!anx_store_integrity_check (store, &result))
    g_error ("integrity_check: %s", result);
}

/* The ingest process SIGKILLed at random moments during the sync and the
 * stream, and the server SIGKILLed and restarted on the same port while
 * streaming: afterwards the store is intact and equal to the ledger, every
 * event applied once. */
static void
test_kill (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "console", "store.sqlite", NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", anx_test_free_port ());
  const char *live[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "5",
                         "--backfill-days", "20", "--speed", "3600", "--heartbeat", "1", NULL };
  const char *still[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "5",
                          "--heartbeat", "1", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, listen, live);
  g_autoptr(GRand) rand = g_rand_new_with_seed (g_test_rand_int ());
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = NULL;
  g_autoptr(GSubprocess) last = NULL;
  g_autoptr(AnxStore) check = NULL;
  g_autofree char *out = NULL;
  guint64 head;
  /* Kills come at random within this many ms; when a round made no
   * progress (a slow machine, a sanitizer build) the window grows. */
  guint max_ms = 1200;
  gint64 progress = -1;

  /* At least 8 rounds, and on until kills happened after the snapshot,
   * during the stream (slower builds need more rounds for that). */
  for (guint round = 0;
       round < 8 || (round < 30 && (anx_store_count (check, "events") <= 0));
       round++)
    {
      g_autoptr(GSubprocess) helper = spawn_helper (fixture, feedd, db_path, 0);
      guint ms = (guint) g_rand_int_range (rand, 150, (gint32) max_ms);

      g_usleep (ms * 1000);
      if (round % 3 == 1)
        {
          /* The server dies under the streaming client and comes back. */
          anx_test_feedd_kill (feedd);
          g_usleep (g_rand_int_range (rand, 100, 800) * 1000);
          anx_test_feedd_free (g_steal_pointer (&feedd));
          feedd = anx_test_feedd_start (fixture->dir, listen, live);
          g_usleep (g_rand_int_range (rand, 200, 1000) * 1000);
        }
      g_subprocess_send_signal (helper, SIGKILL);
      g_subprocess_wait (helper, NULL, NULL);
      check_store_file (db_path);
      {
        g_autoptr(AnxStore) peek = anx_store_open (db_path, &error);
        g_autofree char *snapshot = NULL;

        g_assert_no_error (error);
        snapshot = anx_store_get_meta (peek, "snapshot_cursor");
        g_test_message ("killed after %u ms: %" G_GINT64_FORMAT " records, cursor %"
                        G_GUINT64_FORMAT " (snapshot %s)",
                        ms, anx_store_count (peek, "records"), anx_store_get_cursor (peek),
                        snapshot != NULL ? snapshot : "not yet");
        if (anx_store_count (peek, "records") + (gint64) anx_store_get_cursor (peek) == progress)
          max_ms = MIN (max_ms * 2, 10000);
        progress = anx_store_count (peek, "records") + (gint64) anx_store_get_cursor (peek);
        g_clear_object (&check);
        check = g_steal_pointer (&peek);
      }
    }

  g_clear_object (&check);

  /* A quiet server, and one last run to the head. */
  anx_test_feedd_free (g_steal_pointer (&feedd));
  feedd = anx_test_feedd_start (fixture->dir, listen, still);
  head = (guint64) anx_test_feedd_head (feedd);
  last = spawn_helper (fixture, feedd, db_path, head);
  g_subprocess_communicate_utf8 (last, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (last));
  g_test_message ("%s", out);

  store = anx_store_open (db_path, &error);
  g_assert_no_error (error);
  {
    g_autofree char *snapshot = anx_store_get_meta (store, "snapshot_cursor");

    g_test_message ("%u records, %" G_GINT64_FORMAT " events after the snapshot at %s",
                    compare_chains (feedd, store), anx_store_count (store, "events"), snapshot);
  }
  check_event_receipt (store, head);
  g_assert_cmpint (anx_store_count (store, "events"), >, 0);
}

/* ------------------------------------------------------------------------ */
/* A hostile peer: a small WebSocket server on loopback that misbehaves     */
/* ------------------------------------------------------------------------ */

typedef struct
{
  SoupServer *server;
  char *uri;
  guint n_streams;
  gboolean log_ready;
  gboolean down;
  gboolean incompatible;
  GPtrArray *connections;
} Hostile;

static char *
event_json (guint64     cursor,
            const char *type)
{
  return g_strdup_printf ("{\"cursor\":%" G_GUINT64_FORMAT ",\"type\":\"%s\",\"time\":"
                          "\"2026-03-01T08:00:0%u+08:00\",\"charger\":{\"id\":1,\"code\":"
                          "\"330106-0001-DC01\"},\"data\":{\"status\":\"available\"}}",
                          cursor, type, (guint) (cursor % 10));
}

static void
hostile_respond (SoupServerMessage *msg,
                 guint              status,
                 const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static void
hostile_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Hostile *hostile = user_data;

  if (hostile->down)
    hostile_respond (msg, 503, "{\"error\":{\"code\":\"unavailable\",\"message\":\"down\"}}");
  else if (g_str_equal (path, "/v1/health") && hostile->incompatible)
    hostile_respond (msg, 200, "{\"status\":\"ok\",\"protocol_version\":2,\"cursor\":0}");
  else if (g_str_equal (path, "/v1/health"))
    hostile_respond (msg, 200, "{\"status\":\"ok\",\"protocol_version\":1,\"cursor\":0}");
  else if (g_str_has_prefix (path, "/v1/registry/") || g_str_equal (path, "/v1/alarms"))
    hostile_respond (msg, 200, "{\"cursor\":0,\"limit\":1000,\"items\":[],\"next\":null}");
  else if (g_str_equal (path, "/v1/events"))
    {
      const char *after = query != NULL ? g_hash_table_lookup (query, "after") : NULL;
      guint64 from = after != NULL ? g_ascii_strtoull (after, NULL, 10) : 0;
      g_autoptr(GString) body = g_string_new ("{\"head\":4,\"oldest\":1,\"events\":[");

      for (guint64 c = from + 1; hostile->log_ready && c <= 4; c++)
        {
          g_autofree char *event = event_json (c, c == 2 ? "weather.report" : "charger.status");

          if (c > from + 1)
            g_string_append_c (body, ',');
          g_string_append (body, event);
        }
      g_string_append (body, "],\"next\":null}");
      hostile_respond (msg, 200, body->str);
    }
  else
    hostile_respond (msg, 404, "{\"error\":{\"code\":\"not-found\",\"message\":\"no\"}}");
}

static void
hostile_stream (SoupServer              *server,
                SoupServerMessage       *msg,
                const char              *path,
                SoupWebsocketConnection *connection,
                gpointer                 user_data)
{
  Hostile *hostile = user_data;
  g_autofree char *e1 = event_json (1, "charger.status");
  g_autofree char *e2 = event_json (2, "weather.report");
  g_autofree char *e4 = event_json (4, "charger.status");
  const char *hello = "{\"type\":\"hello\",\"time\":\"2026-03-01T08:00:00+08:00\","
                      "\"protocol_version\":1,\"head\":4,\"oldest\":1}";

  g_ptr_array_add (hostile->connections, g_object_ref (connection));
  hostile->n_streams++;
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  soup_websocket_connection_send_text (connection, hello);
  switch (hostile->n_streams)
    {
    case 1:
      /* valid, malformed, binary, an unknown type, a duplicate, a gap */
      soup_websocket_connection_send_text (connection, e1);
      soup_websocket_connection_send_text (connection, "{\"cursor\":2,\"type\":");
      soup_websocket_connection_send_binary (connection, "\x01\x02", 2);
      soup_websocket_connection_send_text (connection, e2);
      soup_websocket_connection_send_text (connection, e2);
      hostile->log_ready = TRUE;
      soup_websocket_connection_send_text (connection, e4);
      break;
    case 2:
      {
        /* A frame of 1 MiB: above the client's limit. */
        g_autofree char *huge = g_malloc (1024 * 1024 + 1);

        memset (huge, ' ', 1024 * 1024);
        huge[0] = '{';
        huge[1024 * 1024 - 1] = '}';
        huge[1024 * 1024] = '\0';
        soup_websocket_connection_send_text (connection, huge);
      }
      break;
    default:
      /* Then it stops answering: no heartbeat, nothing. */
      break;
    }
}

static gboolean
client_state_is (gpointer data)
{
  gpointer *pair = data;

  return (int) anx_feed_client_get_state (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static gboolean
streams_at_least (gpointer data)
{
  gpointer *pair = data;

  return ((Hostile *) pair[0])->n_streams >= GPOINTER_TO_UINT (pair[1]);
}

/* Malformed, binary, duplicate, out-of-order and oversize frames, an
 * unknown event type and a server that stops answering: each is refused
 * with its error, what is valid is stored once and in order, and the
 * client ends up "stale" with its next attempt scheduled. */
static void
test_hostile (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *base = NULL;
  Hostile hostile = { 0 };
  gpointer pair[2];

  g_assert_no_error (error);
  hostile.connections = g_ptr_array_new_with_free_func (g_object_unref);
  hostile.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (hostile.server, NULL, hostile_handler, &hostile, NULL);
  soup_server_add_websocket_handler (hostile.server, "/v1/stream", NULL, NULL, hostile_stream,
                                     &hostile, NULL);
  soup_server_listen_local (hostile.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (hostile.server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  if (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';

  client = anx_feed_client_new (ingest, base);
  anx_feed_client_set_token (client, "anx_test");
  anx_feed_client_set_backoff (client, 20, 200);
  anx_feed_client_set_watchdog (client, 2);
  anx_feed_client_start (client);

  /* Connection 1: the bad frames, then a gap that sends the client to the
   * event log; connection 2: an oversize frame. */
  pair[0] = &hostile;
  pair[1] = GUINT_TO_POINTER (3);
  anx_test_run_until (streams_at_least, pair, 20, "three stream connections");
  g_test_message ("rejected %u frames; last error: %s",
                  anx_feed_client_get_n_rejected_frames (client),
                  anx_feed_client_get_last_error (client));
  /* malformed, binary, duplicate, the gap, the oversize frame */
  g_assert_cmpuint (anx_feed_client_get_n_rejected_frames (client), >=, 5);
  g_assert_true (anx_store_flush_sync (store, NULL));
  g_assert_cmpuint (anx_store_get_cursor (store), ==, 4);
  {
    g_autoptr(GPtrArray) rows = query_strings (store, "SELECT cursor || ' ' || type FROM events", NULL);
    for (guint i = 0; i < rows->len; i++)
      g_test_message ("event %s", (char *) rows->pdata[i]);
  }
  g_assert_cmpint (anx_store_count (store, "events"), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM events WHERE type = "
                                     "'weather.report'", NULL), ==, 1);

  /* Connection 3 goes silent: the watchdog, then "stale". */
  hostile.down = TRUE;
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_STALE);
  anx_test_run_until (client_state_is, pair, 20, "the stale state");
  g_assert_nonnull (anx_feed_client_get_last_error (client));
  g_test_message ("stale: %s; data age %" G_GINT64_FORMAT " s",
                  anx_feed_client_get_last_error (client), anx_feed_client_get_data_age (client));
  g_assert_cmpint (anx_feed_client_get_data_age (client), >=, 2);
  g_assert_cmpint (anx_feed_client_get_next_attempt (client), >, 0);

  /* It comes back speaking another protocol: the client stops there. */
  hostile.incompatible = TRUE;
  hostile.down = FALSE;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_INCOMPATIBLE);
  anx_test_run_until (client_state_is, pair, 20, "the incompatible state");
  g_test_message ("incompatible: %s", anx_feed_client_get_last_error (client));

  anx_feed_client_stop (client);
  g_ptr_array_unref (hostile.connections);
  soup_server_disconnect (hostile.server);
  g_object_unref (hostile.server);
}

static void
append_token (Fixture    *fixture,
              const char *line)
{
  g_autofree char *path = g_build_filename (fixture->dir, "tokens", NULL);
  g_autofree char *text = NULL;
  g_autofree char *updated = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  updated = g_strconcat (text, line, "\n", NULL);
  g_assert_true (g_file_set_contents (path, updated, -1, &error));
}

static void
remove_token (Fixture    *fixture,
              const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, "tokens", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && strstr (lines[i], name) == NULL)
      g_string_append_printf (kept, "%s\n", lines[i]);
  g_assert_true (g_file_set_contents (path, kept->str, -1, &error));
}

/* A token revoked while streaming: the stream closes with 4401 and the
 * client stops as "unauthorized"; the same token over REST gets 401 and
 * the same state; a valid token brings it back. */
static void
test_revoked_token (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "3",
                          "--heartbeat", "1", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", extra);
  const char *officer = "anx_officer-token-for-the-revocation-test";
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, officer, -1);
  g_autofree char *line = g_strdup_printf ("inspector:officer:%s", hash);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  gpointer pair[2];

  g_assert_no_error (error);
  append_token (fixture, line);
  g_subprocess_send_signal (feedd->process, SIGHUP);
  g_usleep (300000);

  client = anx_feed_client_new (ingest, feedd->base_url);
  anx_feed_client_set_token (client, officer);
  anx_feed_client_set_backoff (client, 20, 200);
  anx_feed_client_start (client);
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_LIVE);
  anx_test_run_until (client_state_is, pair, 30, "the live state");

  remove_token (fixture, "officer");
  g_subprocess_send_signal (feedd->process, SIGHUP);
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_UNAUTHORIZED);
  anx_test_run_until (client_state_is, pair, 10, "the unauthorized state");
  g_test_message ("revoked: %s", anx_feed_client_get_last_error (client));
  g_assert_nonnull (strstr (anx_feed_client_get_last_error (client), "401"));

  /* The same token again: refused over REST this time. */
  anx_feed_client_set_token (client, officer);
  anx_test_run_until (client_state_is, pair, 10, "the unauthorized state again");

  /* A valid token: live again. */
  anx_feed_client_set_token (client, feedd->token);
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_LIVE);
  anx_test_run_until (client_state_is, pair, 10, "the live state with a valid token");
  anx_feed_client_stop (client);
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return ((Wait *) data)->result != NULL;
}

static char *
mark_inspection (AnxOutbox  *outbox,
                 const char *charger,
                 gint64      alarm_id)
{
  const char *removed[] = { "ZJHZ-OLD-1", NULL };
  const char *applied[] = { "ZJHZ-NEW-1", "ZJHZ-NEW-2", NULL };
  AnxInspectionMark mark = { charger, "王建国（西湖区市场监管局）", ANX_INSPECTION_RESULT_PASS, NULL,
                             TRUE, -35, removed, applied, "现场检定合格", alarm_id };
  Wait wait = { 0 };
  g_autoptr(GError) error = NULL;
  char *key;

  anx_outbox_mark_inspection_async (outbox, &mark, on_result, &wait);
  anx_test_run_until (have_result, &wait, 10, "the inspection mark");
  key = anx_outbox_mark_inspection_finish (outbox, wait.result, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  return key;
}

static gboolean
outbox_settled (gpointer data)
{
  return anx_outbox_count (data, ANX_OUTBOX_PENDING) == 0 && !anx_outbox_is_delivering (data);
}

/* Server records of the charger's chain whose idempotency key is @key. */
static guint
count_server_inspections (AnxTestFeedd *feedd,
                          const char   *charger,
                          const char   *key)
{
  g_autofree char *path = g_strdup_printf ("/v1/chargers/%s/chain?limit=1000", charger);
  g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, path);
  JsonArray *records = json_object_get_array_member (json_node_get_object (root), "records");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (g_str_equal (json_object_get_string_member (record, "kind"), "inspection") &&
          g_str_equal (json_object_get_string_member (
                           json_object_get_object_member (record, "inspection"),
                           "idempotency_key"),
                       key))
        n++;
    }
  return n;
}

/* Inspections marked and an alarm acknowledged while the server is down
 * are kept, delivered once it is back, exactly once (a forced second
 * delivery changes nothing), a bad one is rejected with the server's
 * reason, and the inspection coming back in the chain closes its alarm. */
static void
test_outbox (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", anx_test_free_port ());
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "11",
                          "--backfill-days", "4", "--sim-start", "2026-03-01T00:00:00+08:00",
                          "--anomalies", "forged-signature=0.05,seal-opened=0.05",
                          "--heartbeat", "1", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, listen, extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxOutbox) outbox = anx_outbox_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(GPtrArray) alarm = NULL;
  g_autofree char *key1 = NULL;
  g_autofree char *key2 = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *state = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *charger = NULL;
  g_autofree char *other = NULL;
  gint64 alarm_id;
  Sync sync;
  Wait wait = { 0 };
  gpointer pair[2];

  g_assert_no_error (error);
  client = new_client (ingest, feedd);
  anx_feed_client_set_outbox (client, outbox);
  anx_feed_client_set_watchdog (client, 2);
  sync = (Sync){ client, store, (guint64) anx_test_feedd_head (feedd) };
  anx_feed_client_start (client);
  anx_test_run_until (synced, &sync, 60, "the initial sync");

  /* An alarm the server raised too. */
  alarm = query_strings (store,
                         "SELECT a.id || ' ' || a.charger_code FROM alarms a WHERE a.state = "
                         "'open' AND EXISTS (SELECT 1 FROM server_alarms s WHERE s.charger_code "
                         "= a.charger_code AND s.kind = a.kind AND s.state = 'open') LIMIT 1",
                         NULL);
  g_assert_cmpuint (alarm->len, ==, 1);
  alarm_id = g_ascii_strtoll (alarm->pdata[0], NULL, 10);
  charger = g_strdup (strchr (alarm->pdata[0], ' ') + 1);

  /* The server goes away. */
  anx_test_feedd_kill (feedd);
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_STALE);
  anx_test_run_until (client_state_is, pair, 20, "the stale state");

  anx_outbox_acknowledge_alarm_async (outbox, alarm_id, "王建国", "已知悉", on_result, &wait);
  anx_test_run_until (have_result, &wait, 10, "the acknowledgement");
  g_assert_true (anx_outbox_finish (outbox, wait.result, &error));
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  key1 = mark_inspection (outbox, charger, alarm_id);
  {
    g_autoptr(GPtrArray) others = query_strings (store, "SELECT code FROM chargers WHERE code != ? "
                                                        "ORDER BY code LIMIT 1", charger);

    other = g_strdup (others->pdata[0]);
  }
  key2 = mark_inspection (outbox, other, 0);
  bad = mark_inspection (outbox, "999999-9999-XX99", 0);
  g_assert_cmpuint (anx_outbox_count (outbox, ANX_OUTBOX_PENDING), ==, 4);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM alarm_history WHERE state = "
                                     "'acknowledged'", NULL), ==, 1);

  /* Back: everything is delivered, in order, exactly once. */
  anx_test_feedd_free (g_steal_pointer (&feedd));
  feedd = anx_test_feedd_start (fixture->dir, listen, extra);
  anx_feed_client_set_token (client, feedd->token);
  anx_test_run_until (outbox_settled, outbox, 30, "the outbox delivery");
  g_assert_cmpuint (anx_outbox_count (outbox, ANX_OUTBOX_DELIVERED), ==, 3);
  state = anx_outbox_get_state (outbox, bad, &reason);
  g_assert_cmpstr (state, ==, ANX_OUTBOX_REJECTED);
  g_test_message ("rejected: %s", reason);
  g_assert_nonnull (strstr (reason, "charger"));
  g_assert_cmpuint (count_server_inspections (feedd, charger, key1), ==, 1);

  /* A second delivery of the same writes (as after a lost answer). */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE outbox SET state = 'pending' WHERE state = "
                                       "'delivered'", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  anx_test_run_until (outbox_settled, outbox, 30, "the second delivery");
  g_assert_cmpuint (count_server_inspections (feedd, charger, key1), ==, 1);
  g_assert_cmpuint (count_server_inspections (feedd, other, key2), ==, 1);
  {
    g_autoptr(JsonNode) root = anx_test_feedd_get (feedd, "/v1/alarms?state=all");
    g_autofree char *text = json_to_string (root, FALSE);

    g_assert_nonnull (strstr (text, "已知悉"));
  }

  /* The inspection comes back in the chain and closes the alarm. */
  sync.head = (guint64) anx_test_feedd_head (feedd);
  anx_test_run_until (synced, &sync, 30, "the inspection records");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM inspections WHERE sequence IS NOT NULL",
                              NULL), ==, 2);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT state FROM alarms WHERE id = %" G_GINT64_FORMAT,
                                            alarm_id);
    g_autoptr(GPtrArray) states = query_strings (store, sql, NULL);

    g_assert_cmpstr (states->pdata[0], ==, ANX_ALARM_STATE_CLOSED);
  }
  anx_feed_client_stop (client);
}

static void
count_changes (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               gpointer    user_data)
{
  (*(guint *) user_data)++;
}

typedef struct
{
  AnxStore *store;
  guint64 target;
} Progress;

static gboolean
cursor_reached (gpointer data)
{
  Progress *progress = data;

  return anx_store_get_cursor (progress->store) >= progress->target;
}

typedef struct
{
  char code[64];
  gint64 start;
  gint64 until;
} Outage;

static int
compare_outages (gconstpointer a,
                 gconstpointer b)
{
  const Outage *x = a, *y = b;
  int by_code = strcmp (x->code, y->code);

  if (by_code != 0)
    return by_code;
  return x->start < y->start ? -1 : x->start > y->start;
}

static gboolean
has_newest_time (gpointer data)
{
  g_autofree char *text = anx_store_get_meta (data, "newest_time_us");

  return text != NULL;
}

static gint64
iso_us (const char *text)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

/* Offline, debounced in minutes, against the simulator's ground truth: the
 * feed runs live (an hour a second) with many outages of 30–240 min; the
 * console follows it live, then is away for a while and catches up through
 * the event log, then follows it live again. With a 90 min debounce, every
 * outage of at least 90 min that ended raises one offline alarm (not before
 * 90 min into it, and before the charger was back) which is cleared when
 * the charger is back; a shorter outage (a blip) raises none. */
static void
test_offline (Fixture       *fixture,
              gconstpointer  user_data)
{
  const gint64 debounce = (gint64) 90 * 60 * G_USEC_PER_SEC;
  g_autofree char *truth_path = g_build_filename (fixture->dir, "truth.jsonl", NULL);
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "21",
                          "--backfill-days", "1", "--sim-start", "2026-03-01T00:00:00+08:00",
                          "--speed", "3600", "--heartbeat", "1",
                          /* Often enough that a slow machine, which sees fewer
                           * simulated hours, still sees blips and long outages. */
                          "--anomalies", "offline=1.0", "--ground-truth", truth_path, NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  g_autofree char *truth = NULL;
  g_autofree char *newest_text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GArray) outages = g_array_new (FALSE, TRUE, sizeof (Outage));
  g_autofree char *synced_text = NULL;
  gint64 synced_at, newest;
  guint n_long = 0, n_short = 0, n_live_raised = 0;
  gpointer pair[2];

  g_assert_no_error (error);
  anx_ingest_set_offline_debounce (ingest, debounce);
  client = new_client (ingest, feedd);
  anx_feed_client_start (client);
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_LIVE);
  anx_test_run_until (client_state_is, pair, 120, "the live state");
  anx_test_run_until (has_newest_time, store, 60, "the feed's time in the store");
  synced_text = anx_store_get_meta (store, "newest_time_us");
  synced_at = g_ascii_strtoll (synced_text, NULL, 10);

  /* Live for about 14 simulated hours, away for 12, live for 14 again. */
  for (guint phase = 0; phase < 3; phase++)
    {
      gint64 until = g_get_monotonic_time () + 12 * G_USEC_PER_SEC;

      if (phase == 1)
        anx_feed_client_stop (client);
      else if (phase == 2)
        {
          anx_feed_client_start (client);
          anx_test_run_until (client_state_is, pair, 120, "the live state again");
        }
      while (g_get_monotonic_time () < until)
        {
          g_main_context_iteration (NULL, FALSE);
          g_usleep (2000);
          if (phase != 1)
            n_live_raised = MAX (n_live_raised,
                                 (guint) query_int (store,
                                                    "SELECT count(*) FROM alarms WHERE kind = "
                                                    "'offline' AND state = 'open'",
                                                    NULL));
        }
    }
  anx_feed_client_stop (client);
  g_assert_true (anx_store_flush_sync (store, NULL));
  newest_text = anx_store_get_meta (store, "newest_time_us");
  newest = g_ascii_strtoll (newest_text, NULL, 10);
  g_test_message ("followed the feed from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                  " (%.1f simulated hours); up to %u offline alarms open at once",
                  synced_at, newest, (newest - synced_at) / 3.6e9, n_live_raised);
  g_assert_cmpint (newest - synced_at, >, (gint64) 20 * 3600 * G_USEC_PER_SEC);

  g_assert_true (g_file_get_contents (truth_path, &truth, NULL, &error));
  lines = g_strsplit (truth, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *line;
      const char *code;
      gint64 start, until;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      line = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member (line, "anomaly"), "offline") != 0)
        continue;
      code = json_object_get_string_member (line, "charger_code");
      start = iso_us (json_object_get_string_member (line, "time"));
      until = iso_us (json_object_get_string_member (line, "until"));
      g_assert_cmpint (until - start, ==,
                       json_object_get_int_member (line, "duration_s") * G_USEC_PER_SEC);
      {
        Outage outage = { .start = start, .until = until };

        g_strlcpy (outage.code, code, sizeof outage.code);
        g_array_append_val (outages, outage);
      }
    }

  /* The simulator may take a charger offline again while it is offline: the
   * charger was away for the union of the two, and that is what the console
   * sees (and what its alarm spans). */
  g_array_sort (outages, compare_outages);
  for (guint i = 1; i < outages->len;)
    {
      Outage *previous = &g_array_index (outages, Outage, i - 1);
      Outage *outage = &g_array_index (outages, Outage, i);

      if (g_str_equal (previous->code, outage->code) && outage->start <= previous->until)
        {
          previous->until = MAX (previous->until, outage->until);
          g_array_remove_index (outages, i);
        }
      else
        i++;
    }

  for (guint i = 0; i < outages->len; i++)
    {
      const Outage *outage = &g_array_index (outages, Outage, i);
      const char *code = outage->code;
      gint64 start = outage->start, until = outage->until;
      sqlite3_stmt *stmt = NULL;
      guint n_alarms = 0;

      /* Only outages the console saw begin and end. */
      if (start <= synced_at || until > newest)
        continue;

      g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store),
                                           "SELECT raised_at_us, state, ended_at_us FROM alarms "
                                           "WHERE charger_code = ? AND kind = 'offline' AND "
                                           "raised_at_us BETWEEN ? AND ?",
                                           -1, &stmt, NULL),
                       ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, start);
      sqlite3_bind_int64 (stmt, 3, until);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 raised = sqlite3_column_int64 (stmt, 0);

          n_alarms++;
          g_assert_cmpint (raised, >=, start + debounce);
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "cleared");
          g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, until);
        }
      sqlite3_finalize (stmt);
      g_test_message ("%s offline %" G_GINT64_FORMAT " min: %u alarm(s)", code,
                      (until - start) / 60000000, n_alarms);
      if (until - start >= debounce)
        {
          g_assert_cmpuint (n_alarms, ==, 1);
          n_long++;
        }
      else
        {
          g_assert_cmpuint (n_alarms, ==, 0);
          n_short++;
        }
    }
  g_test_message ("%u outages of 90 min or more raised and cleared an alarm; %u shorter ones "
                  "raised none",
                  n_long, n_short);
  /* The run must have seen both kinds, and alarms open while they lasted. */
  g_assert_cmpuint (n_long, >=, 2);
  g_assert_cmpuint (n_short, >=, 2);
  g_assert_cmpuint (n_live_raised, >=, 1);
  /* No offline alarm without an outage of at least the debounce behind it. */
  {
    sqlite3_stmt *stmt = NULL;
    guint n_checked = 0;

    g_assert_cmpint (sqlite3_prepare_v2 (anx_store_get_read_db (store),
                                         "SELECT charger_code, raised_at_us FROM alarms WHERE "
                                         "kind = 'offline' AND raised_at_us > ?",
                                         -1, &stmt, NULL),
                     ==, SQLITE_OK);
    sqlite3_bind_int64 (stmt, 1, synced_at + debounce);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *code = (const char *) sqlite3_column_text (stmt, 0);
        gint64 raised = sqlite3_column_int64 (stmt, 1);
        gboolean explained = FALSE;

        for (guint i = 0; i < outages->len && !explained; i++)
          {
            Outage *outage = &g_array_index (outages, Outage, i);

            explained = g_str_equal (outage->code, code) && raised >= outage->start + debounce &&
                        raised <= outage->until;
          }
        if (!explained)
          g_error ("offline alarm on %s at %" G_GINT64_FORMAT " without an outage behind it",
                   code, raised);
        n_checked++;
      }
    sqlite3_finalize (stmt);
    g_assert_cmpuint (n_checked, >=, n_long);
  }
}

/* Meters exchanged while the console takes its first snapshot and while
 * it follows the stream. During the snapshot the registry pages it read
 * name the old key, the chains it reads after them hold the exchange and
 * records signed by the new meter: the console reads the charger's registry
 * entry again before verifying a page that names a meter it does not know.
 * On the stream the exchange record comes just before the registry event
 * with the new key: the registration is applied first. A legitimate
 * exchange raises neither unknown-meter-key nor meter-exchange-unregistered.
 * The feed runs live at an hour a second with many exchanges, and the
 * console reads its chains one page at a time. */
static void
test_exchange_during_sync (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *truth_path = g_build_filename (fixture->dir, "truth.jsonl", NULL);
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "31",
                          "--backfill-days", "1", "--speed", "3600", "--heartbeat", "1",
                          "--anomalies", "meter-exchanged=0.8", "--ground-truth", truth_path,
                          NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autofree char *truth = NULL;
  g_autofree char *live_text = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 start_time, live_time;
  guint n_during = 0;
  gpointer pair[2];
  guint64 head;

  g_assert_no_error (error);
  /* The feed's time when the console starts: that of its newest event. */
  head = (guint64) anx_test_feedd_head (feedd);
  {
    g_autofree char *path = g_strdup_printf ("/v1/events?after=%" G_GUINT64_FORMAT "&limit=1",
                                             head - 1);

    first = anx_test_feedd_get (feedd, path);
    start_time = iso_us (json_object_get_string_member (
        json_array_get_object_element (
            json_object_get_array_member (json_node_get_object (first), "events"), 0),
        "time"));
  }

  anx_ingest_set_threads (ingest, 1);
  client = new_client (ingest, feedd);
  anx_feed_client_set_max_queue (client, 1);
  anx_feed_client_start (client);
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_LIVE);
  anx_test_run_until (client_state_is, pair, 120, "the live state");
  anx_test_run_until (has_newest_time, store, 60, "the feed's time in the store");
  /* And live for a while: on the stream too, the exchange record comes
   * just before the registry event that takes the new key. */
  {
    gint64 until = g_get_monotonic_time () + 8 * G_USEC_PER_SEC;

    while (g_get_monotonic_time () < until)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (2000);
      }
  }
  anx_feed_client_stop (client);
  g_assert_true (anx_store_flush_sync (store, NULL));
  live_text = anx_store_get_meta (store, "newest_time_us");
  live_time = g_ascii_strtoll (live_text, NULL, 10);

  g_assert_true (g_file_get_contents (truth_path, &truth, NULL, &error));
  lines = g_strsplit (truth, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *line;
      gint64 time;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      line = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (line, "anomaly"), ==, "meter-exchanged");
      time = iso_us (json_object_get_string_member (line, "time"));
      if (time > start_time && time <= live_time)
        {
          const char *code = json_object_get_string_member (line, "charger_code");

          g_test_message ("%s: meter %s exchanged for %s while followed", code,
                          json_object_get_string_member (line, "old_meter_serial"),
                          json_object_get_string_member (line, "new_meter_serial"));
          n_during++;
        }
    }
  g_test_message ("%u meters exchanged during the sync and after (%.1f simulated hours)", n_during,
                  (live_time - start_time) / 3.6e9);
  g_assert_cmpuint (n_during, >=, 1);

  {
    g_autoptr(GPtrArray) raised = query_strings (store,
                                                 "SELECT charger_code || ' ' || kind || ' ' || "
                                                 "evidence FROM alarms WHERE kind IN "
                                                 "('unknown-meter-key', "
                                                 "'meter-exchange-unregistered', "
                                                 "'signature-invalid')",
                                                 NULL);

    for (guint i = 0; i < raised->len; i++)
      g_test_message ("false alarm: %s", (char *) raised->pdata[i]);
    g_assert_cmpuint (raised->len, ==, 0);
  }

  /* Verifiers rebuilt after each exchange took the keys parsed before
   * from the cache: each key was parsed once at most. */
  {
    guint64 hits = 0, misses = 0;
    gint64 n_keys = query_int (store,
                               "SELECT count(DISTINCT public_key) FROM (SELECT public_key FROM "
                               "meters UNION ALL SELECT public_key FROM meter_keys)",
                               NULL);

    anx_key_cache_get_stats (anx_ingest_get_key_cache (ingest), &hits, &misses);
    g_test_message ("key cache: %" G_GUINT64_FORMAT " hits, %" G_GUINT64_FORMAT
                    " misses, %" G_GINT64_FORMAT " keys",
                    hits, misses, n_keys);
    g_assert_cmpuint (misses, >, 0);
    g_assert_cmpuint (misses, <=, (guint64) n_keys);
    g_assert_cmpuint (hits, >, 0);
  }
}

/* The models follow a live feed in batches: thousands of events cost a
 * handful of items-changed, and the models hold what the store holds. A
 * charger's chain is paged. The alarm model shows where the console and the
 * server disagree. */
static void
test_models (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "8",
                          "--backfill-days", "6", "--speed", "30000", "--heartbeat", "1", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(AnxQueryModel) alarms = NULL;
  g_autoptr(AnxQueryModel) chargers = NULL;
  g_autoptr(AnxQueryModel) sessions = NULL;
  g_autoptr(AnxQueryModel) stations = NULL;
  g_autoptr(AnxChainModel) chain = NULL;
  g_autoptr(GPtrArray) busiest = NULL;
  guint n_alarm_changes = 0, n_charger_changes = 0, n_session_changes = 0;
  guint64 start_cursor;
  Progress progress;
  gpointer pair[2];

  g_assert_no_error (error);
  /* Live events for more chargers than the verifiers kept: they are built
   * again from the store as their chargers report (the alarms are compared
   * with the server's below). */
  anx_ingest_set_max_verifiers (ingest, 2);
  client = new_client (ingest, feedd);
  alarms = anx_query_model_new_alarms (store, FALSE);
  chargers = anx_query_model_new_chargers (store);
  sessions = anx_query_model_new_sessions (store);
  stations = anx_query_model_new_stations (store);
  g_signal_connect (alarms, "items-changed", G_CALLBACK (count_changes), &n_alarm_changes);
  g_signal_connect (chargers, "items-changed", G_CALLBACK (count_changes), &n_charger_changes);
  g_signal_connect (sessions, "items-changed", G_CALLBACK (count_changes), &n_session_changes);

  anx_feed_client_start (client);
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_LIVE);
  anx_test_run_until (client_state_is, pair, 120, "the live state");
  start_cursor = anx_store_get_cursor (store);
  progress = (Progress){ store, start_cursor + 1500 };
  anx_test_run_until (cursor_reached, &progress, 120, "1500 live events");
  /* Let the last reloads happen. */
  {
    gint64 until = g_get_monotonic_time () + 300000;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  anx_feed_client_stop (client);
  g_assert_true (anx_store_flush_sync (store, NULL));
  anx_query_model_reload (alarms);
  anx_query_model_reload (chargers);
  anx_query_model_reload (sessions);

  g_test_message ("%" G_GUINT64_FORMAT " events; items-changed: chargers %u, sessions %u, "
                  "alarms %u; reloads: chargers %u",
                  anx_store_get_cursor (store) - start_cursor, n_charger_changes,
                  n_session_changes, n_alarm_changes, anx_query_model_get_n_reloads (chargers));
  /* Coalesced: far fewer emissions than events (≤ 1 per 100 ms each). */
  g_assert_cmpuint (n_charger_changes, <, 200);
  g_assert_cmpuint (n_session_changes, <, 200);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (chargers)), ==,
                    anx_store_count (store, "chargers"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sessions)), ==,
                    anx_store_count (store, "sessions"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (stations)), ==,
                    anx_store_count (store, "stations"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (alarms)), >=,
                    anx_store_count (store, "alarms"));

  /* Console and server side by side. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (alarms)); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (alarms), i);
      const char *kind = anx_store_item_get_string (item, "kind");

      /* The server verifies with the same rules: what it finds in the
       * records, the console finds too. */
      if (g_str_equal (anx_store_item_get_string (item, "source"), "server") &&
          !g_str_equal (kind, ANX_ALARM_OFFLINE))
        g_error ("The server raised %s on %s and the console did not", kind,
                 anx_store_item_get_string (item, "charger_code"));
      /* The console's overdue alarms are its own: a visible disagreement. */
      if (g_str_equal (kind, ANX_ALARM_VERIFICATION_OVERDUE))
        g_assert_cmpint (anx_store_item_get_int (item, "disagrees"), ==, 1);
    }

  /* The busiest charger's chain, paged, newest first. */
  busiest = query_strings (store, "SELECT charger_code FROM chain_heads ORDER BY n_records DESC "
                                  "LIMIT 1", NULL);
  chain = anx_chain_model_new (store, busiest->pdata[0]);
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (chain)), ==,
                   query_int (store, "SELECT count(*) FROM records WHERE charger_code = ?",
                              busiest->pdata[0]));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (chain)); i++)
    {
      g_autoptr(AnxStoreItem) item = g_list_model_get_item (G_LIST_MODEL (chain), i);

      g_assert_nonnull (item);
      if (i > 0)
        {
          g_autoptr(AnxStoreItem) before = g_list_model_get_item (G_LIST_MODEL (chain), i - 1);

          g_assert_cmpint (anx_store_item_get_int (before, "sequence"), >=,
                           anx_store_item_get_int (item, "sequence"));
        }
    }
  {
    g_autofree char *json = anx_chain_model_get_record_json (
        chain, g_list_model_get_n_items (G_LIST_MODEL (chain)) - 1);

    g_assert_nonnull (strstr (json, "\"sequence\":0"));
  }
}

typedef struct
{
  AnxTestFeedd *feedd;
  guint64 target;
} HeadWait;

static gboolean
head_reached (gpointer data)
{
  HeadWait *wait = data;

  return (guint64) anx_test_feedd_head (wait->feedd) >= wait->target;
}

/* A console away for longer than the server keeps its log: the event log
 * answers 410, the client re-syncs from a snapshot (the chains continue
 * where they were) and ends up equal to the server again. */
static void
test_resync (Fixture       *fixture,
             gconstpointer  user_data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "store.sqlite", NULL);
  const char *extra[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "4",
                          "--backfill-days", "1", "--speed", "20000", "--heartbeat", "1",
                          "--retain-events", "100", NULL };
  g_autoptr(AnxTestFeedd) feedd = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", extra);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = anx_store_open (db_path, &error);
  g_autoptr(AnxIngest) ingest = anx_ingest_new (store);
  g_autoptr(AnxFeedClient) client = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  HeadWait wait;
  gpointer pair[2];

  g_assert_no_error (error);
  client = new_client (ingest, feedd);
  anx_feed_client_start (client);
  pair[0] = client;
  pair[1] = GINT_TO_POINTER (ANX_FEED_CLIENT_LIVE);
  anx_test_run_until (client_state_is, pair, 30, "the live state");
  anx_feed_client_stop (client);
  g_assert_true (anx_store_flush_sync (store, NULL));
  first = anx_store_get_meta (store, "snapshot_cursor");

  /* Away while the log moves on by far more than it keeps. */
  wait = (HeadWait){ feedd, anx_store_get_cursor (store) + 1000 };
  anx_test_run_until (head_reached, &wait, 60, "the server's log to move on");

  anx_feed_client_start (client);
  anx_test_run_until (client_state_is, pair, 30, "the live state after the re-sync");
  g_assert_true (anx_store_flush_sync (store, NULL));
  second = anx_store_get_meta (store, "snapshot_cursor");
  g_test_message ("snapshots at %s and %s", first, second);
  g_assert_cmpuint (g_ascii_strtoull (second, NULL, 10), >, g_ascii_strtoull (first, NULL, 10));
  anx_feed_client_stop (client);

  /* The chains are complete: compare with a server that stands still. */
  anx_test_feedd_kill (feedd);
  {
    const char *still[] = { "--simulate", "hangzhou", "--sim-scale", "tiny", "--seed", "4", NULL };
    g_autoptr(AnxTestFeedd) quiet = anx_test_feedd_start (fixture->dir, "127.0.0.1:0", still);
    Sync sync;

    anx_feed_client_stop (client);
    g_clear_object (&client);
    client = new_client (ingest, quiet);
    sync = (Sync){ client, store, (guint64) anx_test_feedd_head (quiet) };
    anx_feed_client_start (client);
    anx_test_run_until (synced, &sync, 60, "the final sync");
    g_test_message ("%u records equal to the server's", compare_chains (quiet, store));
    anx_feed_client_stop (client);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/console-data/sync-ground-truth", Fixture, NULL, fixture_set_up,
              test_sync_ground_truth, fixture_tear_down);
  g_test_add ("/console-data/sync-ground-truth-few-verifiers", Fixture, GUINT_TO_POINTER (2),
              fixture_set_up, test_sync_ground_truth, fixture_tear_down);
  g_test_add ("/console-data/hostile", Fixture, NULL, fixture_set_up, test_hostile,
              fixture_tear_down);
  g_test_add ("/console-data/revoked-token", Fixture, NULL, fixture_set_up, test_revoked_token,
              fixture_tear_down);
  g_test_add ("/console-data/outbox", Fixture, NULL, fixture_set_up, test_outbox,
              fixture_tear_down);
  g_test_add ("/console-data/exchange-during-sync", Fixture, NULL, fixture_set_up,
              test_exchange_during_sync, fixture_tear_down);
  g_test_add ("/console-data/offline", Fixture, NULL, fixture_set_up, test_offline,
              fixture_tear_down);
  g_test_add ("/console-data/models", Fixture, NULL, fixture_set_up, test_models,
              fixture_tear_down);
  g_test_add ("/console-data/resync", Fixture, NULL, fixture_set_up, test_resync,
              fixture_tear_down);
  g_test_add ("/console-data/kill", Fixture, NULL, fixture_set_up, test_kill, fixture_tear_down);

  return g_test_run ();
}
