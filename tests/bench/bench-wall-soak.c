/* bench-wall-soak.c: the wall display left alone against anxin-feedd at ten
 * times Hangzhou's peak event rate, with its memory, file descriptors and
 * object counts sampled after a warm-up
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server simulates the whole Hangzhou network (12,258 chargers) live at
 * ten simulated seconds per second, starting at 22:00 China Standard Time,
 * the busiest hour of the simulator's daily curve (docs/simulator.md). The
 * console syncs, the wall display opens, and after the warm-up the process's
 * RSS (/proc/self/statm), open file descriptors (/proc/self/fd) and live
 * GObject instances are sampled every 10 s for ANXIN_SOAK_SECONDS (default
 * 120; 3600 for the hour). The growth from the first to the last sample is
 * printed beside the 10 % limit; the program fails above it.
 *
 * GObject instances: Debian's GLib is built without G_ENABLE_DEBUG, so
 * GOBJECT_DEBUG=instance-count and g_type_get_instance_count() report 0
 * (checked at start, and used when they work). Otherwise the benchmark is
 * linked with `-Wl,--wrap=g_object_new`: every object the console's own
 * code creates (store items, models, tiles, layers, clients…) is counted
 * by type until it is finalized. Widgets GTK creates internally are counted
 * by walking the wall display's widget tree.
 *
 * ANXIN_SOAK_WALL=0 runs the same without the wall display: the console's
 * data layer alone, to tell its growth from the wall display's.
 *
 * Run: meson test -C BUILD --benchmark bench-wall-soak
 *      ANXIN_SOAK_SECONDS=3600 meson test -C BUILD --benchmark bench-wall-soak --timeout-multiplier 0
 */

#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "anx-application.h"
#include "anx-test-feedd.h"
#include "anx-token-store.h"
#include "anx-wall-window.h"

#define SAMPLE_S      10
#define LIMIT_PERCENT 10.0
/* Hangzhou's busiest hour (docs/simulator.md): 22:00 CST. */
#define PEAK_HOUR     22
#define SPEED         "10"

/* The --wrap hook has no user data: its table is the one piece of static
 * state of this program. */
static GMutex counts_lock;
static GHashTable *counts; /* GType → live instances */

gpointer __real_g_object_new (GType       type,
                              const char *first_property,
                              ...);
gpointer __wrap_g_object_new (GType       type,
                              const char *first_property,
                              ...);

static void
on_finalized (gpointer  data,
              GObject  *where_the_object_was)
{
  GType type = GPOINTER_TO_SIZE (data);

  g_mutex_lock (&counts_lock);
  g_hash_table_insert (counts, GSIZE_TO_POINTER (type),
                       GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (counts,
                                                                              GSIZE_TO_POINTER (type))) - 1));
  g_mutex_unlock (&counts_lock);
}

gpointer
__wrap_g_object_new (GType       type,
                     const char *first_property,
                     ...)
{
  va_list args;
  GObject *object;

  va_start (args, first_property);
  object = g_object_new_valist (type, first_property, args);
  va_end (args);

  g_mutex_lock (&counts_lock);
  if (counts == NULL)
    counts = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (counts, GSIZE_TO_POINTER (type),
                       GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (counts,
                                                                              GSIZE_TO_POINTER (type))) + 1));
  g_mutex_unlock (&counts_lock);
  g_object_weak_ref (object, on_finalized, GSIZE_TO_POINTER (type));
  return object;
}

typedef struct
{
  double  seconds;
  gint64  rss_kb;
  gint64  sqlite_kb; /* SQLite's own heap: page caches, statements */
  gint64  heap_kb;   /* malloc's in-use bytes, all arenas */
  gint64  arena_kb;  /* what malloc holds from the system */
  guint   fds;
  gint64  objects;
  guint   widgets;
  guint64 cursor;
  GHashTable *by_type; /* type name → count */
} Sample;

static gint64
rss_kb (void)
{
  g_autofree char *statm = NULL;
  long pages = 0;
  long resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%ld %ld", &pages, &resident);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static guint
open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n > 0 ? n - 1 : 0; /* not the one reading the directory */
}

static guint
count_widgets (GtkWidget *widget)
{
  guint n = 1;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_widgets (child);
  return n;
}

static void
take_sample (Sample        *sample,
             double         seconds,
             AnxWallWindow *wall,
             AnxFeedClient *client)
{
  GHashTableIter iter;
  gpointer type;
  gpointer n;

  /* What a frame or an idle would free is not growth. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  sample->seconds = seconds;
  sample->rss_kb = rss_kb ();
  sample->sqlite_kb = sqlite3_memory_used () / 1024;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  {
    struct mallinfo2 info = mallinfo2 ();

    sample->heap_kb = (gint64) ((info.uordblks + info.hblkhd) / 1024);
    sample->arena_kb = (gint64) ((info.arena + info.hblkhd) / 1024);
  }
#endif
  sample->fds = open_fds ();
  sample->widgets = wall != NULL ? count_widgets (GTK_WIDGET (wall)) : 0;
  sample->cursor = client != NULL ? anx_feed_client_get_cursor (client) : 0;
  sample->objects = 0;
  sample->by_type = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);
  g_mutex_lock (&counts_lock);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &type, &n))
    {
      sample->objects += GPOINTER_TO_INT (n);
      g_hash_table_insert (sample->by_type, (gpointer) g_type_name (GPOINTER_TO_SIZE (type)), n);
    }
  g_mutex_unlock (&counts_lock);
}

static double
growth (double first,
        double last)
{
  return first > 0 ? 100.0 * (last - first) / first : 0;
}

static void
iterate_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("anxin-wall-soak-XXXXXX", NULL);
  g_autofree char *keyring = g_build_filename (dir, "keyring", NULL);
  g_autofree char *store_path = g_build_filename (dir, "console", "console.sqlite", NULL);
  g_autofree char *sim_start = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GTimeZone) cst = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(AnxApplication) app = NULL;
  g_autoptr(AnxTokenStore) tokens = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree Sample *samples = NULL;
  const char *seconds_env = g_getenv ("ANXIN_SOAK_SECONDS");
  double seconds = seconds_env != NULL ? g_ascii_strtod (seconds_env, NULL) : 120;
  double warmup = g_getenv ("ANXIN_SOAK_WARMUP") != NULL
                    ? g_ascii_strtod (g_getenv ("ANXIN_SOAK_WARMUP"), NULL)
                    : MAX (60, seconds / 6);
  guint n_samples = (guint) (seconds / SAMPLE_S) + 1;
  AnxWallWindow *wall = NULL;
  AnxFeedClient *client = NULL;
  gint64 deadline;
  gboolean instance_count;
  double rss_growth, fd_growth, object_growth, widget_growth;
  Sample *first;
  Sample *last;
  gint64 rss_max = 0;
  int status = EXIT_SUCCESS;

  setlocale (LC_ALL, "");
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "anxin-bench", TRUE);
  g_setenv ("ANXIN_CONSOLE_STORE", store_path, TRUE);
  gtk_init ();

  /* Does this GLib count instances itself? */
  {
    g_autoptr(GObject) probe = g_object_new (G_TYPE_OBJECT, NULL);

    instance_count = g_type_get_instance_count (G_TYPE_OBJECT) > 0;
  }
  g_print ("GOBJECT_DEBUG=instance-count: %s\n",
           instance_count ? "works" : "not in this GLib (no G_ENABLE_DEBUG); counting "
                                      "objects created by the console's code via --wrap=g_object_new");

  /* 22:00 CST today: the live simulation starts at the peak hour. */
  now = g_date_time_new_now (cst);
  /* The last 22:00 that has passed: the simulated clock then runs ahead. */
  if (g_date_time_get_hour (now) < PEAK_HOUR)
    {
      GDateTime *yesterday = g_date_time_add_days (now, -1);

      g_date_time_unref (now);
      now = yesterday;
    }
  sim_start = g_strdup_printf ("%04d-%02d-%02dT%02d:00:00+08:00", g_date_time_get_year (now),
                               g_date_time_get_month (now), g_date_time_get_day_of_month (now),
                               PEAK_HOUR);
  {
    const char *extra[] = { "--simulate", "hangzhou", "--speed", SPEED, "--heartbeat", "1",
                            "--sim-start", sim_start, "--anomalies", "default", NULL };

    feedd = anx_test_feedd_start (dir, "127.0.0.1:0", extra);
  }
  g_print ("anxin-feedd: Hangzhou network, speed %s× from %s\n", SPEED, sim_start);

  tokens = anx_token_store_new ();
  g_assert_true (anx_token_store_save_sync (tokens, feedd->base_url, feedd->token, NULL, &error));
  app = anx_application_new (APPLICATION_ID);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_settings_set_string (anx_application_get_settings (app), "feed-url", feedd->base_url);
  /* ANXIN_SOAK_WALL=0: the console's data layer alone, for comparison. */
  if (g_strcmp0 (g_getenv ("ANXIN_SOAK_WALL"), "0") != 0)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "wall-display", NULL);
      for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
        if (ANX_IS_WALL_WINDOW (l->data))
          wall = l->data;
      g_assert_nonnull (wall);
    }
  g_print ("wall display: %s\n", wall != NULL ? "shown" : "not shown (ANXIN_SOAK_WALL=0)");

  deadline = g_get_monotonic_time () + 600 * G_USEC_PER_SEC;
  while ((client = anx_application_get_feed_client (app)) == NULL ||
         anx_feed_client_get_state (client) != ANX_FEED_CLIENT_LIVE ||
         (wall != NULL && anx_wall_window_get_stale (wall)))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("The wall display did not go live within 600 s");
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_print ("live after the sync: %" G_GINT64_FORMAT " chargers, %" G_GINT64_FORMAT " stations\n",
           anx_store_count (anx_application_get_store (app), "chargers"),
           anx_store_count (anx_application_get_store (app), "stations"));

  g_print ("warm-up: %.0f s; then %.0f s sampled every %d s\n", warmup, seconds, SAMPLE_S);
  iterate_for (warmup);

  samples = g_new0 (Sample, n_samples);
  {
    gint64 start = g_get_monotonic_time ();

    for (guint i = 0; i < n_samples; i++)
      {
        if (i > 0)
          iterate_for ((start + (gint64) i * SAMPLE_S * G_USEC_PER_SEC - g_get_monotonic_time ()) /
                       (double) G_USEC_PER_SEC);
        client = anx_application_get_feed_client (app);
        take_sample (&samples[i], (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC, wall,
                     client);
        rss_max = MAX (rss_max, samples[i].rss_kb);
        if (i % 6 == 0 || i == n_samples - 1)
          g_print ("t=%5.0f s  RSS %7.1f MB (SQLite %5.1f, heap %6.1f of %6.1f)  fds %3u  "
                   "objects %6" G_GINT64_FORMAT "  widgets %4u  cursor %" G_GUINT64_FORMAT "  %s\n",
                   samples[i].seconds, samples[i].rss_kb / 1024.0, samples[i].sqlite_kb / 1024.0,
                   samples[i].heap_kb / 1024.0, samples[i].arena_kb / 1024.0, samples[i].fds,
                   samples[i].objects, samples[i].widgets, samples[i].cursor,
                   client != NULL && anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE
                     ? "live" : "NOT LIVE");
      }
  }

  first = &samples[0];
  last = &samples[n_samples - 1];
  rss_growth = growth (first->rss_kb, last->rss_kb);
  fd_growth = growth (first->fds, last->fds);
  /* AnxIngest keeps one chain verifier per charger that has a chain (its
   * lanes): a cache bounded by the registry, which fills as chargers get
   * their first session. It is counted apart and checked against that bound. */
  {
    gint64 cached_first = GPOINTER_TO_INT (g_hash_table_lookup (first->by_type, "AnxChainVerifier"));
    gint64 cached_last = GPOINTER_TO_INT (g_hash_table_lookup (last->by_type, "AnxChainVerifier"));
    gint64 chargers = anx_store_count (anx_application_get_store (app), "chargers");

    object_growth = growth (first->objects - cached_first, last->objects - cached_last);
    g_print ("chain verifiers cached by the ingest: %" G_GINT64_FORMAT " → %" G_GINT64_FORMAT
             " (bound: %" G_GINT64_FORMAT " chargers; not counted in the objects' growth)\n",
             cached_first, cached_last, chargers);
    if (cached_last > chargers)
      {
        g_print ("FAIL: more chain verifiers than chargers\n");
        status = EXIT_FAILURE;
      }
  }
  widget_growth = growth (first->widgets, last->widgets);

  g_print ("\nevents streamed: %.1f /s (%" G_GUINT64_FORMAT " in %.0f s) at %s× simulated time "
           "from the peak hour\n",
           (last->cursor - first->cursor) / MAX (last->seconds - first->seconds, 1),
           last->cursor - first->cursor, last->seconds - first->seconds, SPEED);
  g_print ("%-22s %12s %12s %9s %9s\n", "", "after warm-up", "at the end", "growth", "limit");
  g_print ("%-22s %9.1f MB %9.1f MB %8.1f %% %7.0f %%   (max %.1f MB)\n", "RSS",
           first->rss_kb / 1024.0, last->rss_kb / 1024.0, rss_growth, LIMIT_PERCENT,
           rss_max / 1024.0);
  g_print ("%-22s %9.1f MB %9.1f MB   (part of the RSS, not checked)\n", "  SQLite's heap",
           first->sqlite_kb / 1024.0, last->sqlite_kb / 1024.0);
  g_print ("%-22s %9.1f MB %9.1f MB   (held from the system: %.1f → %.1f MB)\n", "  malloc in use",
           first->heap_kb / 1024.0, last->heap_kb / 1024.0, first->arena_kb / 1024.0,
           last->arena_kb / 1024.0);
  g_print ("%-22s %12u %12u %8.1f %% %7.0f %%\n", "open file descriptors", first->fds, last->fds,
           fd_growth, LIMIT_PERCENT);
  g_print ("%-22s %12" G_GINT64_FORMAT " %12" G_GINT64_FORMAT " %8.1f %% %7.0f %%   (growth without the verifier cache)\n",
           "GObjects (console)", first->objects, last->objects, object_growth, LIMIT_PERCENT);
  g_print ("%-22s %12u %12u %8.1f %% %7.0f %%\n", "widgets (wall tree)", first->widgets,
           last->widgets, widget_growth, LIMIT_PERCENT);
  {
    GHashTableIter iter;
    gpointer name;
    gpointer n;

    g_hash_table_iter_init (&iter, last->by_type);
    while (g_hash_table_iter_next (&iter, &name, &n))
      {
        int before = GPOINTER_TO_INT (g_hash_table_lookup (first->by_type, name));

        if (GPOINTER_TO_INT (n) >= 10 || GPOINTER_TO_INT (n) != before)
          g_print ("  %-28s %8d → %8d\n", (const char *) name, before, GPOINTER_TO_INT (n));
      }
  }

  if (rss_growth > LIMIT_PERCENT || fd_growth > LIMIT_PERCENT || object_growth > LIMIT_PERCENT ||
      widget_growth > LIMIT_PERCENT)
    {
      g_print ("FAIL: growth above %.0f %%\n", LIMIT_PERCENT);
      status = EXIT_FAILURE;
    }
  else if (status == EXIT_SUCCESS)
    g_print ("PASS: no growth above %.0f %%\n", LIMIT_PERCENT);

  for (guint i = 0; i < n_samples; i++)
    g_clear_pointer (&samples[i].by_type, g_hash_table_unref);
  if (wall != NULL)
    gtk_window_destroy (GTK_WINDOW (wall));
  iterate_for (0.2);
  g_clear_object (&app);
  anx_test_feedd_free (g_steal_pointer (&feedd));
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (command) != 0)
      g_printerr ("Could not remove %s\n", dir);
  }
  return status;
}
