/* bench-console-ui.c: the console as an officer runs it — map frame times in
 * a real AnxWindow, cold start to the first painted map, and peak RSS with a
 * year of records in the store
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-console-ui frames   map frames while panning and zooming, in a
 *                             real AnxWindow of an AnxApplication, over the
 *                             Hangzhou network synced from anxin-feedd, then
 *                             over 1,000,000 synthetic stations
 *   bench-console-ui start    spawns anxin-console (warm store, feed up) and
 *                             times the first painted frame with stations
 *   bench-console-ui rss      spawns anxin-console on a store holding a year
 *                             of records, goes through every view, reads
 *                             VmHWM from /proc
 *
 * Run under xvfb-run with GSK_RENDERER=cairo (meson test --benchmark does).
 * The data are made once and kept in $ANXIN_BENCH_DATA (default
 * $XDG_CACHE_HOME/anxin-bench): a Hangzhou ledger back-filled by anxin-feedd
 * with the console store synced from it, and a copy of that store to which
 * a year of records is added directly in the store's own schema (10,136,000
 * records, about 19 GB and 2 minutes; fewer if the disk has no room, and
 * then said). A miss is reported, not failed.
 *
 * Environment: ANXIN_BENCH_DATA (the data), ANXIN_BENCH_YEAR_RECORDS (records
 * of the year store), ANXIN_BENCH_SCREENSHOTS=DIR (rss: a screenshot of each
 * view), ANXIN_BENCH_DIAG=1 (frames: the path again with parts of the map
 * page hidden), ANXIN_BENCH_ONLY_HANGZHOU=1 (frames: no national run).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <shumate/shumate.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../anx-test-feedd.h"
#include "anx-application.h"
#include "anx-charger-layer.h"
#include "anx-feed-client.h"
#include "anx-ingest.h"
#include "anx-map-page.h"
#include "anx-map-points.h"
#include "anx-map-scale.h"
#include "anx-store.h"
#include "anx-token-store.h"
#include "anx-window.h"

/* Bump when what is generated changes: older caches are then made again. */
#define DATA_VERSION  "1"
#define WIDTH         1280
#define HEIGHT        800
#define N_FRAMES      360
/* Hangzhou 2022: the simulator's signed records in a year. */
#define YEAR_RECORDS  10136000
#define RSS_TARGET_MB 300.0
#define START_TARGET_S 1.5

/* ------------------------------------------------------------------ */
/* Data, made once                                                      */

static char *
data_dir (void)
{
  if (g_getenv ("ANXIN_BENCH_DATA") != NULL)
    return g_strdup (g_getenv ("ANXIN_BENCH_DATA"));
  return g_build_filename (g_get_user_cache_dir (), "anxin-bench", NULL);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

static gboolean
log_contains (const char *path,
              const char *text)
{
  g_autofree char *log = NULL;

  g_file_get_contents (path, &log, NULL, NULL);
  return log != NULL && strstr (log, text) != NULL;
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dst = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* The feed on the kept ledger; the registry and history are already in it. */
static AnxTestFeedd *
start_feed (const char *feed_dir,
            gboolean    first)
{
  const char *fill[] = { "--simulate", "hangzhou", "--sim-scale", "hangzhou", "--seed", "2022",
                         "--backfill-days", "1", "--anomalies", "default",
                         "--retain-events", "100000000", "--retain-days", "3650", NULL };
  const char *keep[] = { "--retain-events", "100000000", "--retain-days", "3650", NULL };

  return anx_test_feedd_start (feed_dir, "127.0.0.1:0", first ? fill : keep);
}

/* Hangzhou (1,016 stations, 12,258 chargers) with a simulated day of
 * history, synced into a console store by the console's own ingest. */
static char *
prepare_hangzhou (void)
{
  g_autofree char *root = data_dir ();
  g_autofree char *dir = g_build_filename (root, "hangzhou-" DATA_VERSION, NULL);
  g_autofree char *ready = g_build_filename (dir, "ready", NULL);
  g_autofree char *store_path = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(AnxStore) store = NULL;
  g_autoptr(AnxIngest) ingest = NULL;
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 head;

  if (g_file_test (ready, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&dir);

  g_print ("data: making %s (once)\n", dir);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      g_assert_cmpint (system (cmd), ==, 0);
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  feedd = start_feed (dir, TRUE);
  while (!log_contains (feedd->stderr_path, "Back-fill done"))
    g_usleep (50000);
  head = anx_test_feedd_head (feedd);

  store = anx_store_open (store_path, &error);
  g_assert_no_error (error);
  ingest = anx_ingest_new (store);
  client = anx_feed_client_new (ingest, feedd->base_url);
  anx_feed_client_set_token (client, feedd->token);
  anx_feed_client_set_watchdog (client, 60);
  anx_feed_client_start (client);
  while (!(anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE &&
           anx_store_get_cursor (store) >= (guint64) head && anx_store_get_backlog (store) == 0))
    {
      g_main_context_iteration (NULL, TRUE);
      if (anx_feed_client_get_state (client) == ANX_FEED_CLIENT_UNAUTHORIZED ||
          anx_feed_client_get_state (client) == ANX_FEED_CLIENT_INCOMPATIBLE)
        g_error ("sync failed: %s", anx_feed_client_get_last_error (client));
    }
  anx_feed_client_stop (client);
  g_print ("data: Hangzhou synced from anxin-feedd in %.1f s: %" G_GINT64_FORMAT " stations, %"
           G_GINT64_FORMAT " chargers, %" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT
           " alarms\n",
           (g_get_monotonic_time () - start) / 1e6, anx_store_count (store, "stations"),
           anx_store_count (store, "chargers"), anx_store_count (store, "records"),
           anx_store_count (store, "alarms"));
  anx_store_close (store);
  anx_test_feedd_kill (feedd);
  g_assert_true (g_file_set_contents (ready, "", 0, NULL));
  return g_steal_pointer (&dir);
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3_stmt *
prepare_or_die (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

/* Adds @n_records to the store at @path, in its own schema: each charger's
 * chain goes on after its head, one record every so often over the year
 * that follows the synced day, with the JSON of one of the charger's real
 * records (so that rows have their real size); the day's findings and
 * alarms are repeated on each of the other 364 days, alarms closed — but
 * not verification-overdue, an alarm per meter that stays open. */
static void
generate_year (const char *path,
               gint64      n_records)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *heads, *insert, *update;
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *fallback_json = NULL;
  gint64 t0 = 0, written = 0, start = g_get_monotonic_time ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (2022);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  exec_or_die (db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;");

  /* Every charger, with the next sequence of its chain (0 without one). */
  heads = prepare_or_die (db, "SELECT c.code, coalesce(h.next_sequence, 0) FROM chargers c "
                              "LEFT JOIN chain_heads h ON h.charger_code = c.code ORDER BY c.code");
  while (sqlite3_step (heads) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (heads, 1);

      g_ptr_array_add (codes, g_strdup ((const char *) sqlite3_column_text (heads, 0)));
      g_array_append_val (next, seq);
    }
  sqlite3_finalize (heads);
  g_assert_cmpuint (codes->len, >, 0);
  heads = prepare_or_die (db, "SELECT max(recorded_at_us), (SELECT json FROM records "
                              "WHERE kind = (SELECT kind FROM records GROUP BY kind "
                              "ORDER BY count(*) DESC LIMIT 1) LIMIT 1) FROM records");
  g_assert_cmpint (sqlite3_step (heads), ==, SQLITE_ROW);
  t0 = sqlite3_column_int64 (heads, 0);
  fallback_json = g_strdup ((const char *) sqlite3_column_text (heads, 1));
  sqlite3_finalize (heads);
  g_assert_nonnull (fallback_json);

  /* The day's records, as templates, per charger. */
  heads = prepare_or_die (db, "SELECT kind, meter_serial, billed_wh, amount_fen, checks, "
                              "n_findings, accepted, json FROM records WHERE charger_code = ? "
                              "ORDER BY sequence LIMIT 64");
  insert = prepare_or_die (db, "INSERT INTO records (charger_code, sequence, hash, kind, "
                               "recorded_at_us, meter_serial, billed_wh, amount_fen, checks, "
                               "n_findings, accepted, json) "
                               "VALUES (?, ?, randomblob(32), ?, ?, ?, ?, ?, ?, 0, 1, ?)");
  update = prepare_or_die (db, "INSERT INTO chain_heads (charger_code, next_sequence, head_hash, "
                               "n_records) VALUES (?1, ?2, randomblob(32), ?3) "
                               "ON CONFLICT (charger_code) DO UPDATE SET next_sequence = ?2, "
                               "head_hash = excluded.head_hash, n_records = n_records + ?3");
  exec_or_die (db, "BEGIN");
  for (guint c = 0; c < codes->len; c++)
    {
      const char *code = codes->pdata[c];
      gint64 quota = n_records / codes->len + ((gint64) c < n_records % codes->len ? 1 : 0);
      gint64 seq = g_array_index (next, gint64, c);
      g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) kinds = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) serials = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (gint64));

      sqlite3_bind_text (heads, 1, code, -1, SQLITE_STATIC);
      while (sqlite3_step (heads) == SQLITE_ROW)
        {
          gint64 billed = sqlite3_column_int64 (heads, 2);
          gint64 amount = sqlite3_column_int64 (heads, 3);
          gint64 checks = sqlite3_column_int64 (heads, 4);

          g_ptr_array_add (kinds, g_strdup ((const char *) sqlite3_column_text (heads, 0)));
          g_ptr_array_add (serials, g_strdup ((const char *) sqlite3_column_text (heads, 1)));
          g_ptr_array_add (templates, g_strdup ((const char *) sqlite3_column_text (heads, 7)));
          g_array_append_val (numbers, billed);
          g_array_append_val (numbers, amount);
          g_array_append_val (numbers, checks);
        }
      sqlite3_reset (heads);

      for (gint64 k = 0; k < quota; k++)
        {
          guint pick = templates->len > 0 ? g_rand_int_range (rand, 0, templates->len) : 0;
          /* Spread over the 364 days after the synced one. */
          gint64 when = t0 + (gint64) G_USEC_PER_SEC * 86400 +
                        (gint64) ((double) k / MAX (quota, 1) * 364.0 * 86400 * G_USEC_PER_SEC) +
                        (gint64) g_rand_int_range (rand, 0, 600) * G_USEC_PER_SEC;

          sqlite3_bind_text (insert, 1, code, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 2, seq + k);
          if (templates->len > 0)
            {
              sqlite3_bind_text (insert, 3, kinds->pdata[pick], -1, SQLITE_STATIC);
              sqlite3_bind_text (insert, 5, serials->pdata[pick], -1, SQLITE_STATIC);
              sqlite3_bind_int64 (insert, 6, g_array_index (numbers, gint64, 3 * pick));
              sqlite3_bind_int64 (insert, 7, g_array_index (numbers, gint64, 3 * pick + 1));
              sqlite3_bind_int64 (insert, 8, g_array_index (numbers, gint64, 3 * pick + 2));
              sqlite3_bind_text (insert, 9, templates->pdata[pick], -1, SQLITE_STATIC);
            }
          else
            {
              sqlite3_bind_text (insert, 3, "transaction", -1, SQLITE_STATIC);
              sqlite3_bind_null (insert, 5);
              sqlite3_bind_int64 (insert, 6, 12000 + g_rand_int_range (rand, 0, 40000));
              sqlite3_bind_int64 (insert, 7, 20000);
              sqlite3_bind_int64 (insert, 8, 0);
              sqlite3_bind_text (insert, 9, fallback_json, -1, SQLITE_STATIC);
            }
          sqlite3_bind_int64 (insert, 4, when);
          if (sqlite3_step (insert) != SQLITE_DONE)
            g_error ("insert: %s", sqlite3_errmsg (db));
          sqlite3_reset (insert);
          written++;
          if (written % 200000 == 0)
            {
              exec_or_die (db, "COMMIT; BEGIN");
              g_print ("data: %" G_GINT64_FORMAT " records written, %.0f records/s\n", written,
                       written / ((g_get_monotonic_time () - start) / 1e6));
            }
        }
      sqlite3_bind_text (update, 1, code, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (update, 2, seq + quota);
      sqlite3_bind_int64 (update, 3, quota);
      if (sqlite3_step (update) != SQLITE_DONE)
        g_error ("chain head: %s", sqlite3_errmsg (db));
      sqlite3_reset (update);
    }
  exec_or_die (db, "COMMIT");
  sqlite3_finalize (heads);
  sqlite3_finalize (insert);
  sqlite3_finalize (update);

  /* The day's findings and alarms, on every other day of the year. */
  exec_or_die (db, "BEGIN");
  exec_or_die (db,
               "WITH RECURSIVE days(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM days WHERE d < 364) "
               "INSERT INTO findings (charger_code, sequence, hash, code, severity, message, "
               "details, alarm_id) SELECT charger_code, sequence, hash, code, severity, message, "
               "details, NULL FROM findings, days");
  exec_or_die (db,
               "WITH RECURSIVE days(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM days WHERE d < 364) "
               "INSERT INTO alarms (charger_code, kind, severity, state, first_sequence, "
               "last_sequence, occurrences, evidence, raised_at_us, updated_at_us, ended_at_us) "
               "SELECT charger_code, kind, severity, 'closed', first_sequence, last_sequence, "
               "occurrences, evidence, raised_at_us + d * 86400000000, "
               "updated_at_us + d * 86400000000, updated_at_us + d * 86400000000 + 3600000000 "
               "FROM alarms, days WHERE kind <> 'verification-overdue'");
  exec_or_die (db, "COMMIT");
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
  g_print ("data: %" G_GINT64_FORMAT " records written in %.0f s\n", written,
           (g_get_monotonic_time () - start) / 1e6);
}

/* A copy of the Hangzhou store with a year of records. */
static char *
prepare_year (const char *hangzhou,
              gint64      n_records)
{
  g_autofree char *root = data_dir ();
  g_autofree char *name = g_strdup_printf ("year-" DATA_VERSION "-%" G_GINT64_FORMAT, n_records);
  g_autofree char *dir = g_build_filename (root, name, NULL);
  g_autofree char *ready = g_build_filename (dir, "ready", NULL);
  g_autofree char *store_path = g_build_filename (dir, "store.sqlite", NULL);
  g_autofree char *from = g_build_filename (hangzhou, "store.sqlite", NULL);

  if (!g_file_test (ready, G_FILE_TEST_EXISTS))
    {
      g_print ("data: making %s (once): %" G_GINT64_FORMAT " records\n", dir, n_records);
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      copy_file (from, store_path);
      generate_year (store_path, n_records);
      g_assert_true (g_file_set_contents (ready, "", 0, NULL));
    }
  return g_steal_pointer (&store_path);
}

/* ------------------------------------------------------------------ */
/* Figures                                                              */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values,
            double  p)
{
  guint n = values->len;
  guint i = (guint) ceil (n * p) - 1;

  qsort (values->data, n, sizeof (double), compare_doubles);
  return g_array_index (values, double, MIN (i, n - 1));
}

/* ------------------------------------------------------------------ */
/* Frames                                                               */

typedef struct
{
  double lat;
  double lon;
  double zoom;
} Waypoint;

typedef struct
{
  ShumateViewport *viewport;
  const Waypoint *path;
  guint n_waypoints;
  guint frame;       /* frames driven so far */
  gint64 paint_start;
  gint64 paint_cpu_start;
  gint64 last_end;
  GArray *work;      /* ms from before-paint to the end of after-paint */
  GArray *cpu;       /* the main thread's CPU time in the same span, ms */
  GArray *intervals; /* ms between the ends of successive frames */
  gboolean done;
} Drive;

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Drive *drive = user_data;
  double t;
  guint k;
  double u, s;
  const Waypoint *a, *b;

  if (drive->frame >= N_FRAMES)
    {
      drive->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  t = (double) drive->frame / (N_FRAMES - 1) * (drive->n_waypoints - 1);
  k = MIN ((guint) t, drive->n_waypoints - 2);
  u = t - k;
  /* Smooth in and out of each waypoint, as an animated go-to does. */
  s = u * u * (3 - 2 * u);
  a = &drive->path[k];
  b = &drive->path[k + 1];
  shumate_viewport_set_zoom_level (drive->viewport, a->zoom + (b->zoom - a->zoom) * s);
  shumate_location_set_location (SHUMATE_LOCATION (drive->viewport),
                                 a->lat + (b->lat - a->lat) * s, a->lon + (b->lon - a->lon) * s);
  drive->frame++;
  return G_SOURCE_CONTINUE;
}

/* The calling thread's CPU time, µs: the frame's work without the time
 * other processes on this shared machine took the core away. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
on_before_paint (GdkFrameClock *clock,
                 Drive         *drive)
{
  drive->paint_start = g_get_monotonic_time ();
  drive->paint_cpu_start = thread_cpu_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Drive         *drive)
{
  gint64 now = g_get_monotonic_time ();
  double ms;

  /* Frames of the path only: from the first tick on, until the last. */
  if (drive->paint_start == 0 || drive->frame == 0 || drive->done)
    return;
  ms = (now - drive->paint_start) / 1000.0;
  g_array_append_val (drive->work, ms);
  ms = (thread_cpu_time () - drive->paint_cpu_start) / 1000.0;
  g_array_append_val (drive->cpu, ms);
  if (drive->last_end != 0)
    {
      double gap = (now - drive->last_end) / 1000.0;

      g_array_append_val (drive->intervals, gap);
    }
  drive->last_end = now;
}

static void
iterate (guint milliseconds)
{
  gint64 end = g_get_monotonic_time () + milliseconds * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* CPU time (user + system) of process @pid so far, in seconds. */
static double
pid_cpu_seconds (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after = strrchr (stat, ')')) == NULL)
    return -1;
  /* After "pid (comm)": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return -1;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

/* The X server of $DISPLAY (xvfb-run's Xvfb), which does part of the
 * cairo renderer's drawing: its pid, or NULL. */
static char *
find_x_server (void)
{
  const char *display = g_getenv ("DISPLAY");
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (display != NULL && proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", name);
      g_autofree char *cmdline = NULL;
      gsize length = 0;
      gboolean is_x = FALSE, has_display = FALSE;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (gsize at = 0; at < length; at += strlen (cmdline + at) + 1)
        {
          if (at == 0)
            is_x = g_str_has_suffix (cmdline, "Xvfb");
          else if (g_str_equal (cmdline + at, display))
            has_display = TRUE;
        }
      if (is_x && has_display)
        return g_strdup (name);
    }
  return NULL;
}

static double
run_path (const char     *label,
          GtkWidget      *window,
          GtkWidget      *map,
          ShumateViewport *viewport,
          const Waypoint *path,
          guint           n_waypoints,
          double          target_ms)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  g_autoptr(GArray) work = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) intervals = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
  Drive drive = { viewport, path, n_waypoints, 0, 0, 0, 0, work, cpu, intervals, FALSE };
  double load = 0;
  g_autofree char *x_server = find_x_server ();
  double x_cpu = x_server != NULL ? pid_cpu_seconds (x_server) : -1;
  gulong before, after;
  double p50, p95, max, i50, i95;
  gint64 start = g_get_monotonic_time ();

  before = g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &drive);
  after = g_signal_connect_after (clock, "after-paint", G_CALLBACK (on_after_paint), &drive);
  gtk_widget_add_tick_callback (map, on_tick, &drive, NULL);
  while (!drive.done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, before);
  g_signal_handler_disconnect (clock, after);

  max = percentile (work, 1.0);
  p95 = percentile (work, 0.95);
  p50 = percentile (work, 0.5);
  i50 = intervals->len > 0 ? percentile (intervals, 0.5) : 0;
  i95 = intervals->len > 0 ? percentile (intervals, 0.95) : 0;
  g_print ("%-38s frames %u in %.1f s  p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms", label, work->len,
           (g_get_monotonic_time () - start) / 1e6, p50, p95, max);
  if (target_ms > 0)
    g_print ("  target p95 <= %.0f ms: %s\n", target_ms, p95 <= target_ms ? "PASS" : "MISS");
  else
    g_print ("  (no target)\n");
  getloadavg (&load, 1);
  g_print ("%-38s main thread CPU time per frame: p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms", "",
           percentile (cpu, 0.5), percentile (cpu, 0.95), percentile (cpu, 1.0));
  if (x_cpu >= 0)
    g_print ("; Xvfb: %.2f ms a frame on average\n",
             (pid_cpu_seconds (x_server) - x_cpu) * 1000.0 / MAX (work->len, 1));
  else
    g_print ("\n");
  g_print ("%-38s frame clock interval p50 %.2f ms, p95 %.2f ms; load average %.1f on %u cores\n",
           "", i50, i95, load, g_get_num_processors ());
  return p95;
}

typedef struct
{
  double lat;
  double lon;
  double sigma;
  guint  weight;
} Centre;

/* National scale: large cities, weighted roughly by their size (as in
 * bench-map-layer). */
static const Centre china[] = {
  { 39.904, 116.407, 0.35, 40 }, { 31.230, 121.474, 0.35, 45 }, { 23.129, 113.264, 0.30, 35 },
  { 22.543, 114.058, 0.20, 40 }, { 30.572, 104.066, 0.30, 25 }, { 29.563, 106.551, 0.35, 22 },
  { 30.274, 120.155, 0.30, 25 }, { 30.593, 114.305, 0.30, 20 }, { 34.341, 108.940, 0.30, 15 },
  { 32.060, 118.797, 0.25, 18 }, { 39.084, 117.201, 0.30, 15 }, { 34.747, 113.625, 0.30, 14 },
  { 28.228, 112.939, 0.25, 12 }, { 41.806, 123.432, 0.30, 10 }, { 36.651, 117.120, 0.30, 11 },
  { 36.067, 120.383, 0.25, 12 }, { 26.075, 119.296, 0.25, 10 }, { 24.480, 118.089, 0.20, 9 },
  { 25.038, 102.718, 0.25, 7 },  { 45.803, 126.535, 0.30, 6 },  { 43.817, 125.324, 0.30, 6 },
  { 38.042, 114.515, 0.30, 8 },  { 37.870, 112.549, 0.25, 6 },  { 31.821, 117.227, 0.25, 9 },
  { 28.682, 115.858, 0.25, 7 },  { 26.647, 106.630, 0.25, 6 },  { 22.817, 108.366, 0.25, 6 },
  { 20.044, 110.199, 0.20, 4 },  { 36.061, 103.834, 0.25, 4 },  { 43.825, 87.617, 0.25, 3 },
  { 29.650, 91.100, 0.15, 1 },   { 38.487, 106.231, 0.20, 2 },  { 36.617, 101.778, 0.20, 2 },
  { 40.842, 111.749, 0.25, 3 },  { 31.299, 120.585, 0.25, 14 }, { 23.021, 113.751, 0.25, 16 },
  { 22.270, 113.577, 0.15, 4 },  { 29.868, 121.544, 0.25, 9 },  { 28.000, 120.672, 0.25, 7 },
  { 31.568, 120.299, 0.20, 8 },
};

/* 1,000,000 synthetic points: 80 % around cities, the rest spread. */
static void
fill_national (AnxMapPoints *points,
               guint         n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  guint total_weight = 0;

  for (guint c = 0; c < G_N_ELEMENTS (china); c++)
    total_weight += china[c].weight;

  for (guint i = 0; i < n; i++)
    {
      char id[32];
      guint counts[ANX_MAP_N_STATES] = { 0 };
      guint n_chargers = g_rand_int_range (rand, 2, 21);
      AnxMapSeverity severity = ANX_MAP_SEVERITY_NONE;
      double lat, lon, roll;
      guint index;

      if (g_rand_double (rand) < 0.8)
        {
          guint pick = g_rand_int_range (rand, 0, total_weight);
          guint c = 0;
          double u1 = g_rand_double_range (rand, 1e-12, 1.0);
          double u2 = g_rand_double (rand);
          double r = sqrt (-2.0 * log (u1));

          while (pick >= china[c].weight)
            pick -= china[c++].weight;
          lat = china[c].lat + china[c].sigma * r * cos (2 * G_PI * u2);
          lon = china[c].lon + china[c].sigma * 1.15 * r * sin (2 * G_PI * u2);
        }
      else
        {
          lat = g_rand_double_range (rand, 21.0, 42.0);
          lon = g_rand_double_range (rand, 98.0, 122.0);
        }

      g_snprintf (id, sizeof id, "N%07u", i);
      index = anx_map_points_add (points, id, NULL, lat, lon, i);
      counts[ANX_MAP_STATE_CHARGING] = g_rand_int_range (rand, 0, n_chargers + 1) * 2 / 3;
      roll = g_rand_double (rand);
      if (roll < 0.03)
        counts[ANX_MAP_STATE_FAULT] = 1;
      else if (roll < 0.08)
        counts[ANX_MAP_STATE_OFFLINE] = MIN (n_chargers - counts[ANX_MAP_STATE_CHARGING], 3);
      counts[ANX_MAP_STATE_IDLE] = n_chargers - counts[ANX_MAP_STATE_CHARGING] -
                                   counts[ANX_MAP_STATE_FAULT] - counts[ANX_MAP_STATE_OFFLINE];
      roll = g_rand_double (rand);
      if (roll < 0.004)
        severity = ANX_MAP_SEVERITY_CRITICAL;
      else if (roll < 0.015)
        severity = ANX_MAP_SEVERITY_WARNING;
      else if (roll < 0.03)
        severity = ANX_MAP_SEVERITY_INFO;
      anx_map_points_set_status (points, index, counts, severity);
    }
}

/* ANXIN_BENCH_DIAG=1: the same path with parts of the map page hidden, to
 * see where the frame time goes. */
static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
diagnose (GtkWidget      *window,
          AnxMapPage     *page,
          GtkWidget      *map,
          ShumateViewport *viewport,
          const Waypoint *path,
          guint           n_waypoints)
{
  GtkWidget *layer = GTK_WIDGET (anx_map_page_get_charger_layer (page));
  GtkWidget *basemap = gtk_widget_get_prev_sibling (layer);
  GtkWidget *legend =
    gtk_widget_get_parent (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                      ANX_TYPE_MAP_PAGE,
                                                                      "legend_label")));
  ShumateSimpleMap *simple = NULL;
  GtkWidget *scale = find_widget (GTK_WIDGET (page), ANX_TYPE_MAP_SCALE);
  GtkWidget *parts[3] = { NULL };
  const char *names[] = { "legend", "basemap layer", "charger layer" };

  for (GtkWidget *w = layer; w != NULL; w = gtk_widget_get_parent (w))
    if (SHUMATE_IS_SIMPLE_MAP (w))
      simple = SHUMATE_SIMPLE_MAP (w);
  g_assert_nonnull (simple);
  parts[0] = legend;
  parts[1] = basemap;
  parts[2] = layer;
  g_print ("diagnosis (ANXIN_BENCH_DIAG): basemap is a %s\n", G_OBJECT_TYPE_NAME (basemap));
  run_path ("diag: everything", window, map, viewport, path, n_waypoints, 0);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *label = g_strdup_printf ("diag: without the %s", names[i]);

      gtk_widget_set_visible (parts[i], FALSE);
      run_path (label, window, map, viewport, path, n_waypoints, 0);
      gtk_widget_set_visible (parts[i], TRUE);
    }
  gtk_widget_set_visible (GTK_WIDGET (shumate_simple_map_get_license (simple)), FALSE);
  run_path ("diag: without the licence", window, map, viewport, path, n_waypoints, 0);
  gtk_widget_set_visible (GTK_WIDGET (shumate_simple_map_get_license (simple)), TRUE);
  gtk_widget_set_visible (scale, FALSE);
  run_path ("diag: without the scale", window, map, viewport, path, n_waypoints, 0);
  gtk_widget_set_visible (scale, TRUE);
  shumate_simple_map_set_show_zoom_buttons (simple, FALSE);
  run_path ("diag: without the zoom buttons", window, map, viewport, path, n_waypoints, 0);
  gtk_widget_set_visible (GTK_WIDGET (shumate_simple_map_get_license (simple)), FALSE);
  gtk_widget_set_visible (scale, FALSE);
  run_path ("diag: without licence, scale, zoom", window, map, viewport, path, n_waypoints, 0);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    gtk_widget_set_visible (parts[i], FALSE);
  run_path ("diag: and without all three", window, map, viewport, path, n_waypoints, 0);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    gtk_widget_set_visible (parts[i], TRUE);
  gtk_widget_set_visible (GTK_WIDGET (shumate_simple_map_get_license (simple)), TRUE);
  gtk_widget_set_visible (scale, TRUE);
  shumate_simple_map_set_show_zoom_buttons (simple, TRUE);
}

static int
bench_frames (void)
{
  g_autofree char *hangzhou = prepare_hangzhou ();
  g_autofree char *tmp = g_dir_make_tmp ("anx-bench-ui-XXXXXX", NULL);
  g_autofree char *store_from = g_build_filename (hangzhou, "store.sqlite", NULL);
  g_autofree char *store_path = g_build_filename (tmp, "store.sqlite", NULL);
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(AnxTokenStore) tokens = anx_token_store_new ();
  g_autoptr(AnxMapPoints) national = anx_map_points_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) scratch = g_array_new (FALSE, FALSE, sizeof (AnxMapCluster));
  GtkWindow *window;
  AnxMapPage *page;
  AnxChargerLayer *layer;
  ShumateViewport *viewport;
  GtkWidget *map;
  gint64 start;
  guint n_points;

  static const Waypoint hangzhou_path[] = {
    { 30.25, 120.17, 9.0 },  { 30.27, 120.10, 11.0 }, { 30.24, 120.17, 13.5 },
    { 30.21, 120.22, 15.5 }, { 30.26, 120.15, 17.0 }, { 30.30, 120.12, 14.0 },
    { 30.35, 120.00, 12.0 }, { 30.10, 119.90, 10.0 }, { 29.90, 119.60, 8.5 },
    { 30.25, 120.17, 9.0 },
  };
  static const Waypoint national_path[] = {
    { 35.0, 110.0, 4.0 },  { 39.9, 116.4, 6.0 }, { 39.9, 116.4, 9.0 },    { 39.95, 116.35, 12.0 },
    { 39.9, 116.4, 14.0 }, { 34.0, 117.0, 7.0 }, { 31.23, 121.47, 10.0 }, { 31.2, 121.5, 13.5 },
    { 27.0, 117.0, 6.5 },  { 22.8, 113.8, 9.5 }, { 22.55, 114.06, 12.5 }, { 30.0, 108.0, 5.0 },
    { 35.0, 110.0, 4.0 },
  };

  g_print ("bench-console-ui frames: GSK_RENDERER=%s, window %d x %d, %d frames a path; frame = "
           "the frame clock's before-paint to after-paint (update with the path's tick, layout, "
           "snapshot of the whole window, rendering)\n",
           g_getenv ("GSK_RENDERER") ?: "(default)", WIDTH, HEIGHT, N_FRAMES);
  copy_file (store_from, store_path);
  g_setenv ("ANXIN_CONSOLE_STORE", store_path, TRUE);
  feedd = start_feed (hangzhou, FALSE);
  g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, feedd->token, NULL, &error));
  g_assert_no_error (error);

  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_settings_set_string (anx_application_get_settings (app), "feed-url", feedd->base_url);
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (ANX_IS_WINDOW (window));
  gtk_window_set_default_size (window, WIDTH, HEIGHT);
  gtk_window_present (window);

  page = ANX_MAP_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window), ANX_TYPE_WINDOW,
                                                      "map_page"));
  layer = anx_map_page_get_charger_layer (page);
  viewport = shumate_layer_get_viewport (SHUMATE_LAYER (layer));
  map = gtk_widget_get_parent (GTK_WIDGET (layer));
  start = g_get_monotonic_time ();
  while (!(anx_map_points_get_n_points (anx_map_page_get_points (page)) > 0 &&
           gtk_widget_get_mapped (GTK_WIDGET (layer)) &&
           anx_feed_client_get_state (anx_application_get_feed_client (app)) ==
             ANX_FEED_CLIENT_LIVE))
    {
      iterate (10);
      if (g_get_monotonic_time () - start > 60 * G_USEC_PER_SEC)
        g_error ("the console did not show the map with a live feed within 60 s");
    }
  iterate (500);
  n_points = anx_map_points_get_n_points (anx_map_page_get_points (page));
  g_print ("window: %d x %d, map %d x %d; %u stations (%" G_GINT64_FORMAT " chargers) from the "
           "store synced from anxin-feedd, feed live\n",
           gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)),
           gtk_widget_get_width (GTK_WIDGET (layer)), gtk_widget_get_height (GTK_WIDGET (layer)),
           n_points, anx_store_count (anx_application_get_store (app), "chargers"));

  if (g_getenv ("ANXIN_BENCH_DIAG") != NULL)
    diagnose (GTK_WIDGET (window), page, map, viewport, hangzhou_path,
              G_N_ELEMENTS (hangzhou_path));

  run_path ("AnxWindow, Hangzhou (12,258 chargers)", GTK_WIDGET (window), map, viewport,
            hangzhou_path, G_N_ELEMENTS (hangzhou_path), 8);
  run_path ("  again (basemap and clusters warm)", GTK_WIDGET (window), map, viewport,
            hangzhou_path, G_N_ELEMENTS (hangzhou_path), 0);

  if (g_getenv ("ANXIN_BENCH_ONLY_HANGZHOU") != NULL)
    goto done;
  start = g_get_monotonic_time ();
  fill_national (national, 1000000);
  anx_map_points_query_clusters (national, 0, 0, 0, 1, 1, scratch);
  g_print ("setup: 1,000,000 synthetic stations added and indexed in %.1f ms\n",
           (g_get_monotonic_time () - start) / 1000.0);
  anx_charger_layer_set_points (layer, national);
  run_path ("AnxWindow, 1,000,000 stations", GTK_WIDGET (window), map, viewport, national_path,
            G_N_ELEMENTS (national_path), 16);
  run_path ("  again (clusters cached)", GTK_WIDGET (window), map, viewport, national_path,
            G_N_ELEMENTS (national_path), 0);

done:
  g_application_quit (G_APPLICATION (app));
  gtk_window_destroy (window);
  iterate (100);
  g_clear_object (&app);
  anx_test_feedd_kill (feedd);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmp);
  }
  return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The real anxin-console                                               */

typedef struct
{
  GSubprocess *process;
  GDataInputStream *out;
  gint64 spawned;
  char *home;
} Console;

static void
console_free (Console *console)
{
  if (console->process != NULL && g_subprocess_get_identifier (console->process) != NULL)
    {
      g_subprocess_send_signal (console->process, SIGTERM);
      if (!g_subprocess_wait (console->process, NULL, NULL))
        g_subprocess_force_exit (console->process);
    }
  g_clear_object (&console->out);
  g_clear_object (&console->process);
  if (console->home != NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", console->home);

      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", console->home);
    }
  g_free (console->home);
  g_free (console);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Console, console_free)

static Console *
console_spawn (const char   *store_path,
               AnxTestFeedd *feedd,
               const char   *token_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  Console *console = g_new0 (Console, 1);
  const char *argv[] = { g_getenv ("ANXIN_CONSOLE"), "--feed", feedd->base_url, "--token-file",
                         token_path, NULL };

  g_assert_nonnull (argv[0]);
  console->home = g_dir_make_tmp ("anx-bench-home-XXXXXX", &error);
  g_assert_no_error (error);
  data_home = g_build_filename (console->home, "data", NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "ANXIN_CONSOLE_STORE", store_path, TRUE);
  g_subprocess_launcher_setenv (launcher, "ANXIN_REPORT_FIRST_FRAME", "1", TRUE);
  g_subprocess_launcher_set_child_setup (launcher, anx_test_die_with_parent, NULL, NULL);
  console->spawned = g_get_monotonic_time ();
  console->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  console->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (console->process));
  return console;
}

/* Reads the console's output until it reports its first painted map frame;
 * the monotonic time of that frame. */
static gint64
console_wait_first_frame (Console *console)
{
  static const char prefix[] = "anxin-console: first map frame painted at ";

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (console->out, NULL, NULL,
                                                                  &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("anxin-console ended before painting the map");
      if (g_str_has_prefix (line, prefix))
        return g_ascii_strtoll (line + strlen (prefix), NULL, 10);
    }
}

/* CPU time (user + system) the process has used so far, in seconds. */
static double
process_cpu_seconds (GSubprocess *process)
{
  return pid_cpu_seconds (g_subprocess_get_identifier (process));
}

static char *
token_file (AnxTestFeedd *feedd,
            const char   *dir)
{
  char *path = g_build_filename (dir, "token", NULL);

  g_assert_true (g_file_set_contents (path, feedd->token, -1, NULL));
  return path;
}

static int
bench_start (void)
{
  g_autofree char *hangzhou = prepare_hangzhou ();
  g_autofree char *tmp = g_dir_make_tmp ("anx-bench-ui-XXXXXX", NULL);
  g_autofree char *store_from = g_build_filename (hangzhou, "store.sqlite", NULL);
  g_autofree char *store_path = g_build_filename (tmp, "store.sqlite", NULL);
  g_autofree char *token_path = NULL;
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  double median, max;

  copy_file (store_from, store_path);
  feedd = start_feed (hangzhou, FALSE);
  token_path = token_file (feedd, tmp);
  g_print ("bench-console-ui start: anxin-console --feed %s on a warm store of %.1f MB (Hangzhou "
           "synced from anxin-feedd); from spawn to the first painted frame with stations\n",
           feedd->base_url, file_size (store_path) / 1e6);

  /* One run to warm the page cache and the store, then 5 measured. */
  for (guint run = 0; run <= 5; run++)
    {
      g_autoptr(Console) console = console_spawn (store_path, feedd, token_path);
      gint64 painted = console_wait_first_frame (console);
      double seconds = (painted - console->spawned) / 1e6;
      double cpu = process_cpu_seconds (console->process);
      double load = 0;

      getloadavg (&load, 1);
      g_print ("  run %u%s: %.3f s (the console's CPU time by then %.2f s; load average %.1f on "
               "%u cores)\n",
               run, run == 0 ? " (warm-up, not counted)" : "", seconds, cpu, load,
               g_get_num_processors ());
      if (run > 0)
        g_array_append_val (times, seconds);
    }
  max = percentile (times, 1.0);
  median = percentile (times, 0.5);
  g_print ("cold start to first painted map, 5 runs: median %.3f s, max %.3f s  target <= %.1f s: "
           "%s\n",
           median, max, START_TARGET_S, max <= START_TARGET_S ? "PASS" : "MISS");

  anx_test_feedd_kill (feedd);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmp);
  }
  return EXIT_SUCCESS;
}

static gint64
proc_status_kb (GPid        pid,
                const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *status = NULL;
  const char *at;

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1;
  at = strstr (status, field);
  if (at == NULL)
    return -1;
  return g_ascii_strtoll (at + strlen (field) + 1, NULL, 10);
}

static gboolean
on_timeout_quit (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the console on @store_path, shows each view for a while, and
 * returns its peak RSS in kB. */
static gint64
console_peak_rss (const char   *label,
                  const char   *store_path,
                  AnxTestFeedd *feedd,
                  const char   *token_path)
{
  static const char *const views[] = { "map", "sessions", "alarms", "inspections", "map" };
  g_autoptr(Console) console = console_spawn (store_path, feedd, token_path);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autofree char *object_path = g_strdup_printf ("/%s/window/1", APPLICATION_ID);
  g_autoptr(GDBusActionGroup) window = NULL;
  gint64 painted = console_wait_first_frame (console);
  GPid pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (console->process), NULL, 10);
  gint64 hwm;

  g_strdelimit (object_path, ".", '/');
  g_print ("%s: first map frame after %.2f s, VmRSS %" G_GINT64_FORMAT " MB\n", label,
           (painted - console->spawned) / 1e6, proc_status_kb (pid, "VmRSS:") / 1024);
  g_assert_nonnull (bus);
  window = g_dbus_action_group_get (bus, APPLICATION_ID, object_path);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      gboolean timed_out = FALSE;

      /* Through the window's exported actions, as Ctrl+1…4 do. */
      g_action_group_activate_action (G_ACTION_GROUP (window), "show-view",
                                      g_variant_new_string (views[i]));
      g_timeout_add (2000, on_timeout_quit, &timed_out);
      while (!timed_out)
        g_main_context_iteration (NULL, TRUE);
      if (g_getenv ("ANXIN_BENCH_SCREENSHOTS") != NULL)
        {
          /* What the view showed, to check that the views really changed. */
          g_autofree char *png = g_strdup_printf ("%s/bench-rss-%u-%s.png",
                                                  g_getenv ("ANXIN_BENCH_SCREENSHOTS"), i, views[i]);
          const char *import[] = { "import", "-window", "root", png, NULL };

          if (!g_spawn_sync (NULL, (char **) import, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                             NULL, NULL, NULL))
            g_printerr ("could not take %s\n", png);
        }
      g_print ("  view %-12s VmRSS %4" G_GINT64_FORMAT " MB  VmHWM %4" G_GINT64_FORMAT " MB\n",
               views[i], proc_status_kb (pid, "VmRSS:") / 1024,
               proc_status_kb (pid, "VmHWM:") / 1024);
    }
  hwm = proc_status_kb (pid, "VmHWM:");
  g_assert_cmpint (hwm, >, 0);
  return hwm;
}

/* About what a generated record takes in the store (row, JSON, index):
 * 18.8 GB for 10,136,000 records. */
#define BYTES_PER_RECORD 1900
/* Left free on the disk after the year is made. */
#define DISK_RESERVE (4 * (gint64) 1000 * 1000 * 1000)

/* As many of @wanted records as the disk holds, keeping DISK_RESERVE free
 * (said when fewer). */
static gint64
records_that_fit (gint64 wanted)
{
  g_autofree char *root = data_dir ();
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFileInfo) info = NULL;
  gint64 free_bytes, fit;

  g_mkdir_with_parents (root, 0700);
  dir = g_file_new_for_path (root);
  info = g_file_query_filesystem_info (dir, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  if (info == NULL)
    return wanted;
  free_bytes = (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  fit = MAX (free_bytes - DISK_RESERVE, 0) / BYTES_PER_RECORD;
  if (fit >= wanted)
    return wanted;
  g_print ("data: %.1f GB free: %" G_GINT64_FORMAT " records instead of %" G_GINT64_FORMAT "\n",
           free_bytes / 1e9, fit, wanted);
  return fit;
}

static int
bench_rss (void)
{
  gint64 n_records = g_getenv ("ANXIN_BENCH_YEAR_RECORDS") != NULL
                       ? g_ascii_strtoll (g_getenv ("ANXIN_BENCH_YEAR_RECORDS"), NULL, 10)
                       : YEAR_RECORDS;
  g_autofree char *hangzhou = prepare_hangzhou ();
  g_autofree char *year = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("anx-bench-ui-XXXXXX", NULL);
  g_autofree char *store_from = g_build_filename (hangzhou, "store.sqlite", NULL);
  g_autofree char *store_path = g_build_filename (tmp, "store.sqlite", NULL);
  g_autofree char *token_path = NULL;
  g_autoptr(AnxTestFeedd) feedd = NULL;
  gint64 day_kb, year_kb;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 records = 0, alarms = 0;

  {
    g_autofree char *root = data_dir ();
    g_autofree char *name = g_strdup_printf ("year-" DATA_VERSION "-%" G_GINT64_FORMAT, n_records);
    g_autofree char *ready = g_build_filename (root, name, "ready", NULL);

    /* A year already made is used as it is; a new one must fit. */
    if (!g_file_test (ready, G_FILE_TEST_EXISTS))
      n_records = records_that_fit (n_records);
  }
  year = prepare_year (hangzhou, n_records);
  g_assert_cmpint (sqlite3_open_v2 (year, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM records), "
                                           "(SELECT count(*) FROM alarms)", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  records = sqlite3_column_int64 (stmt, 0);
  alarms = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  copy_file (store_from, store_path);
  feedd = start_feed (hangzhou, FALSE);
  token_path = token_file (feedd, tmp);
  g_print ("bench-console-ui rss: anxin-console on the Hangzhou network (12,258 chargers), every "
           "view shown for 2 s through win.show-view\n");
  g_print ("year store: %s, %.2f GB, %" G_GINT64_FORMAT " records (%" G_GINT64_FORMAT
           " generated; a year is %d), %" G_GINT64_FORMAT " alarms\n",
           year, file_size (year) / 1e9, records, n_records, YEAR_RECORDS, alarms);

  day_kb = console_peak_rss ("one synced day (reference)", store_path, feedd, token_path);
  year_kb = console_peak_rss ("a year of records", year, feedd, token_path);
  g_print ("peak RSS (VmHWM): one day %.0f MB; a year %.0f MB  target <= %.0f MB: %s\n",
           day_kb / 1024.0, year_kb / 1024.0, RSS_TARGET_MB,
           year_kb / 1024.0 <= RSS_TARGET_MB ? "PASS" : "MISS");
  if (records < YEAR_RECORDS)
    g_print ("  (the store holds %" G_GINT64_FORMAT " records, %.0f %% of a year: NOT a full year)\n",
             records, 100.0 * records / YEAR_RECORDS);

  anx_test_feedd_kill (feedd);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);

    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmp);
  }
  return EXIT_SUCCESS;
}

int
main (int   argc,
      char *argv[])
{
  const char *mode = argc > 1 ? argv[1] : "";
  g_autofree char *keyring_dir = g_dir_make_tmp ("anx-bench-keyring-XXXXXX", NULL);
  g_autofree char *keyring = g_build_filename (keyring_dir, "keyring", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", keyring_dir);
  int status = 2;

  /* Before anything touches libsecret: its file backend, no daemon; the
   * consoles spawned inherit it. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "anxin-bench", TRUE);

  if (g_str_equal (mode, "frames"))
    status = bench_frames ();
  else if (g_str_equal (mode, "start"))
    status = bench_start ();
  else if (g_str_equal (mode, "rss"))
    status = bench_rss ();
  else
    g_printerr ("usage: bench-console-ui frames|start|rss\n");
  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", keyring_dir);
  return status;
}
