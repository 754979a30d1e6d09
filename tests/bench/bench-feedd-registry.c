/* bench-feedd-registry.c: how fast the simulator, the ledger load and
 * registry paging are, at Hangzhou and province scale
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints figures only; nothing here asserts a time. Run with
 * `meson test -C BUILDDIR --benchmark bench-feedd-registry`, or directly with
 * the scales to measure as arguments (default: hangzhou province).
 */

#include "config.h"

#include <glib/gstdio.h>

#include "anx-feed-ledger.h"
#include "anx-sim-network.h"

static double
elapsed_ms (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
remove_ledger (const char *dir,
               const char *db)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static guint
page_through (AnxFeedLedger     *ledger,
              AnxFeedCollection  collection,
              guint              limit)
{
  gint64 after = 0;
  guint total = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonArray) items = NULL;
      gint64 next = 0;

      items = anx_feed_ledger_list (ledger, collection, after, limit, &next, &error);
      if (items == NULL)
        g_error ("Paging: %s", error->message);
      total += json_array_get_length (items);
      if (next == 0)
        return total;
      after = next;
    }
}

static void
bench_scale (const char *scale)
{
  static const struct
  {
    const char *name;
    AnxFeedCollection collection;
  } collections[] = {
    { "operators", ANX_FEED_COLLECTION_OPERATORS },
    { "stations", ANX_FEED_COLLECTION_STATIONS },
    { "chargers", ANX_FEED_COLLECTION_CHARGERS },
    { "meters", ANX_FEED_COLLECTION_METERS },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimNetwork) network = NULL;
  g_autoptr(AnxFeedLedger) ledger = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  AnxSimParams params;
  gboolean loaded_now;
  gint64 start;

  if (!anx_sim_params_init_scale (&params, scale, 2022, &error))
    g_error ("%s", error->message);

  g_print ("%s: %u operators, %u stations, %u chargers\n", scale, params.n_operators,
           params.n_stations, params.n_chargers);

  start = g_get_monotonic_time ();
  network = anx_sim_network_new (&params, &error);
  if (network == NULL)
    g_error ("%s", error->message);
  g_print ("  generate the network in memory     %9.1f ms\n", elapsed_ms (start));

  dir = g_dir_make_tmp ("anx-bench-feedd-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  db = g_build_filename (dir, "ledger.sqlite", NULL);

  start = g_get_monotonic_time ();
  ledger = anx_feed_ledger_open (db, &error);
  if (ledger == NULL ||
      !anx_feed_ledger_load_simulation (ledger, scale, &params, &loaded_now, &error))
    g_error ("%s", error->message);
  g_print ("  open a new ledger, generate, load  %9.1f ms\n", elapsed_ms (start));
  g_clear_object (&ledger);

  start = g_get_monotonic_time ();
  ledger = anx_feed_ledger_open (db, &error);
  if (ledger == NULL ||
      !anx_feed_ledger_load_simulation (ledger, scale, &params, &loaded_now, &error))
    g_error ("%s", error->message);
  g_print ("  reopen the loaded ledger           %9.1f ms\n", elapsed_ms (start));

  for (guint i = 0; i < G_N_ELEMENTS (collections); i++)
    {
      guint limits[] = { 100, 1000 };

      for (guint k = 0; k < G_N_ELEMENTS (limits); k++)
        {
          guint total;

          start = g_get_monotonic_time ();
          total = page_through (ledger, collections[i].collection, limits[k]);
          g_print ("  page %-9s by %4u (%6u items) %9.1f ms\n", collections[i].name, limits[k],
                   total, elapsed_ms (start));
        }
    }

  g_clear_object (&ledger);
  remove_ledger (dir, db);
}

int
main (int   argc,
      char *argv[])
{
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      bench_scale (argv[i]);
  else
    {
      bench_scale ("hangzhou");
      bench_scale ("province");
    }

  return 0;
}
