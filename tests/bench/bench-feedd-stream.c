/* bench-feedd-stream.c: how fast anxin-feedd streams events to WebSocket
 * subscribers on loopback, and how fast its simulator back-fills history
 * (records generated, signed and stored durably per second)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures only, no timed asserts (docs/HACKING.md). Run with
 *   meson test --benchmark bench-feedd-stream
 * or directly: ANXIN_FEEDD=…/anxin-feedd bench-feedd-stream [--scale S] [--days D]
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#define TOKEN "bench-token-5d1c0a7e9b"
#define YEAR_DAYS 365.0
/* A measured run longer than this is not repeated for a whole year: the
 * year is extrapolated from the week, and the output says so. */
#define YEAR_LIMIT_S 600.0

typedef struct
{
  GSubprocess *process;
  char *stderr_path;
  char *base_url;
} Server;

static void
die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static Server *
server_start (const char        *dir,
              const char *const *extra)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  Server *server = g_new0 (Server, 1);
  static guint serial;

  server->stderr_path = g_strdup_printf ("%s/stderr-%u.log", dir, serial++);
  g_ptr_array_add (argv, g_strdup (g_getenv ("ANXIN_FEEDD")));
  g_ptr_array_add (argv, g_strdup ("--listen=127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup_printf ("--db=%s/ledger.sqlite", dir));
  g_ptr_array_add (argv, g_strdup_printf ("--tokens=%s/tokens", dir));
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_stderr_file_path (launcher, server->stderr_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "anx-feed-simulator", TRUE);
  server->process =
      g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      if (line == NULL)
        g_error ("anxin-feedd ended before listening; see %s", server->stderr_path);
      if (g_str_has_prefix (line, "anxin-feedd: listening on "))
        {
          server->base_url = g_strdup (line + strlen ("anxin-feedd: listening on "));
          break;
        }
    }
  return server;
}

static void
server_stop (Server *server)
{
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  g_free (server->stderr_path);
  g_free (server->base_url);
  g_free (server);
}

static gboolean
stderr_contains (Server     *server,
                 const char *text)
{
  g_autofree char *log = NULL;

  g_file_get_contents (server->stderr_path, &log, NULL, NULL);
  return log != NULL && strstr (log, text) != NULL;
}

static gint64
db_count (const char *db_path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

typedef struct
{
  gdouble seconds;
  gint64 records;
  gint64 events;
  gint64 bytes;
} Backfill;

/* Back-fills @days at @scale into a fresh ledger; the server is left running
 * for the stream measurement when @keep is given. */
static Backfill
run_backfill (const char  *dir,
              const char  *scale,
              guint        days,
              Server     **keep)
{
  g_autofree char *days_text = g_strdup_printf ("%u", days);
  g_autofree char *db = g_build_filename (dir, "ledger.sqlite", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  const char *extra[] = { "--simulate",      "hangzhou",  "--sim-scale", scale, "--seed", "2022",
                          "--sim-start",     "2022-05-20T00:00:00+08:00", "--backfill-days",
                          days_text,         "--anomalies", "default",    NULL };
  Backfill result = { 0 };
  Server *server;
  gint64 start = g_get_monotonic_time ();

  server = server_start (dir, extra);
  while (!stderr_contains (server, "Back-fill done"))
    g_usleep (20000);
  result.seconds = (g_get_monotonic_time () - start) / 1e6;

  result.records = db_count (db, "SELECT count(*) FROM chain_records");
  result.events = db_count (db, "SELECT max(cursor) FROM events");
  if (keep != NULL)
    *keep = server;
  else
    server_stop (server);
  result.bytes = file_size (db) + file_size (wal);
  return result;
}

typedef struct
{
  SoupWebsocketConnection *connection;
  gint64 last_cursor;
  gint64 target;
  guint64 bytes;
  gboolean done;
} Subscriber;

static void
on_message (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  Subscriber *sub = user_data;
  gsize length;
  const char *data = g_bytes_get_data (message, &length);

  sub->bytes += length;
  if (length > 10 && strncmp (data, "{\"cursor\":", 10) == 0)
    {
      sub->last_cursor = g_ascii_strtoll (data + 10, NULL, 10);
      if (sub->last_cursor >= sub->target)
        sub->done = TRUE;
    }
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Subscriber *sub = user_data;
  g_autoptr(GError) error = NULL;

  sub->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  soup_websocket_connection_set_max_incoming_payload_size (sub->connection, 1024 * 1024);
  g_signal_connect (sub->connection, "message", G_CALLBACK (on_message), sub);
}

/* Streams the whole log (replay from cursor 0) to @n subscribers at once. */
static void
measure_stream (Server *server,
                gint64  head,
                guint   n)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree Subscriber *subs = g_new0 (Subscriber, n);
  g_autofree char *url = NULL;
  guint64 bytes = 0;
  gint64 start;
  gdouble seconds;
  guint done = 0;

  url = g_strdup_printf ("ws://%s/v1/stream?after=0", server->base_url + strlen ("http://"));
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);

      subs[i].target = head;
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    "Bearer " TOKEN);
      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            on_connected, &subs[i]);
    }

  while (done < n)
    {
      g_main_context_iteration (NULL, TRUE);
      done = 0;
      for (guint i = 0; i < n; i++)
        done += subs[i].done;
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;

  for (guint i = 0; i < n; i++)
    {
      bytes += subs[i].bytes;
      soup_websocket_connection_close (subs[i].connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&subs[i].connection);
    }

  g_print ("stream to %2u subscriber%s: %" G_GINT64_FORMAT " events each in %.2f s: "
           "%.0f events/s delivered in all (%.0f per subscriber), %.1f MB/s\n",
           n, n == 1 ? " " : "s", head, seconds, n * head / seconds, head / seconds,
           bytes / seconds / 1e6);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *scale = NULL;
  gint week_days = 7;
  gint stream_days = 10;
  const GOptionEntry entries[] = {
    { "scale", 0, 0, G_OPTION_ARG_STRING, &scale, "Simulator scale of the back-fill (hangzhou)",
      "SCALE" },
    { "days", 0, 0, G_OPTION_ARG_INT, &week_days, "Days to back-fill and measure (7)", "DAYS" },
    { "stream-days", 0, 0, G_OPTION_ARG_INT, &stream_days,
      "Days of small-scale history to stream (10)", "DAYS" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, TOKEN, -1);
  Backfill week;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (scale == NULL)
    scale = g_strdup ("hangzhou");
  if (g_getenv ("ANXIN_FEEDD") == NULL)
    g_error ("Set ANXIN_FEEDD to the anxin-feedd to measure");

  /* 1. Streaming: the log of a small network, replayed to 1 and 10 */
  {
    g_autofree char *dir = g_dir_make_tmp ("anx-bench-stream-XXXXXX", &error);
    g_autofree char *tokens = g_build_filename (dir, "tokens", NULL);
    g_autofree char *line = g_strdup_printf ("viewer:bench:%s\n", token_hash);
    Server *server = NULL;
    Backfill small;

    g_assert_no_error (error);
    g_file_set_contents (tokens, line, -1, &error);
    g_assert_no_error (error);
    small = run_backfill (dir, "small", (guint) stream_days, &server);
    g_print ("stream source: %d days of the small network (320 chargers), %" G_GINT64_FORMAT
             " events\n",
             stream_days, small.events);
    measure_stream (server, small.events, 1);
    measure_stream (server, small.events, 10);
    server_stop (server);
    remove_tree (dir);
  }

  /* 2. Back-fill: records generated, signed and stored per second */
  {
    g_autofree char *dir = g_dir_make_tmp ("anx-bench-backfill-XXXXXX", &error);

    g_assert_no_error (error);
    week = run_backfill (dir, scale, (guint) week_days, NULL);
    remove_tree (dir);
  }

  g_print ("back-fill, scale %s, %d simulated days: %" G_GINT64_FORMAT " records and %" G_GINT64_FORMAT
           " events in %.1f s: %.0f records/s (signing included), %.0f events/s; ledger %.1f MB\n",
           scale, week_days, week.records, week.events, week.seconds, week.records / week.seconds,
           week.events / week.seconds, week.bytes / 1e6);

  {
    double factor = YEAR_DAYS / week_days;
    double year_seconds = week.seconds * factor;

    if (year_seconds <= YEAR_LIMIT_S)
      {
        g_autofree char *dir = g_dir_make_tmp ("anx-bench-year-XXXXXX", &error);
        Backfill year = run_backfill (dir, scale, (guint) YEAR_DAYS, NULL);

        remove_tree (dir);
        g_print ("one simulated year, MEASURED: %" G_GINT64_FORMAT " records in %.1f s, ledger "
                 "%.1f MB\n",
                 year.records, year.seconds, year.bytes / 1e6);
      }
    else
      g_print ("one simulated year, EXTRAPOLATED from the %d days measured above (x %.2f; a "
               "measured year would take over %.0f s): about %.0f records in %.0f s (%.1f h), "
               "ledger at most about %.1f GB (an upper bound: the event log's 30-day retention "
               "deletes older events as it goes)\n",
               week_days, factor, YEAR_LIMIT_S, week.records * factor, year_seconds,
               year_seconds / 3600, week.bytes * factor / 1e9);
  }

  return 0;
}
