/* bench-console-sync.c: the console's initial sync of a large ledger
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Back-fills a ledger with anxin-feedd's simulator (about a million records
 * at Hangzhou scale: ANXIN_BENCH_SCALE, ANXIN_BENCH_DAYS), then syncs a
 * fresh console store from it over loopback: registry, every chain,
 * every signature verified, stored, alarms raised. Prints
 *
 *   - verified records stored per second, against `openssl speed -multi N
 *     ecdsap256` (verify/s on all cores, run here) — target ≥ 75 %;
 *   - the longest stall of the main thread during the sync, seen by a 1 ms
 *     timeout source — target ≤ 16 ms;
 *   - the store's size and the process's peak RSS;
 *   - a simulated year (Hangzhou 2022: 10.136 million records), extrapolated
 *     from the measured run, and said so.
 *
 * The server runs on the same machine and competes for the same cores; the
 * figures say so too.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

#include "../anx-test-feedd.h"
#include "anx-feed-client.h"
#include "anx-ingest.h"
#include "anx-store.h"

#define YEAR_RECORDS 10136000.0

typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint n_over_16;
} Probe;

static gboolean
on_probe (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last != 0)
    {
      gint64 gap = now - probe->last;

      probe->max_gap = MAX (probe->max_gap, gap);
      if (gap > 16000)
        probe->n_over_16++;
    }
  probe->last = now;
  return G_SOURCE_CONTINUE;
}

static double
openssl_verify_rate (guint n)
{
  g_autofree char *out = NULL;
  g_autofree char *multi = g_strdup_printf ("%u", n);
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { "openssl", "speed", "-seconds", "3", "-multi", multi, "ecdsap256", NULL };
  int status = 0;
  double rate = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return -1;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "nistp256") != NULL && strstr (lines[i], "bits") != NULL)
      {
        g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);
        const char *last = NULL;

        for (guint f = 0; fields[f] != NULL; f++)
          if (*fields[f] != '\0')
            last = fields[f];
        if (last != NULL && g_ascii_strtod (last, NULL) > 0)
          rate = g_ascii_strtod (last, NULL);
      }
  return rate;
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

int
main (int   argc,
      char *argv[])
{
  const char *scale = g_getenv ("ANXIN_BENCH_SCALE") ? g_getenv ("ANXIN_BENCH_SCALE") : "hangzhou";
  const char *days = g_getenv ("ANXIN_BENCH_DAYS") ? g_getenv ("ANXIN_BENCH_DAYS") : "37";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anx-bench-console-XXXXXX", &error);
  g_autofree char *store_path = g_build_filename (dir, "console", "store.sqlite", NULL);
  g_autofree char *wal_path = g_strconcat (store_path, "-wal", NULL);
  const char *extra[] = { "--simulate",  "hangzhou", "--sim-scale",     scale,
                          "--seed",      "2022",     "--sim-start",     "2022-05-20T00:00:00+08:00",
                          "--backfill-days", days,   "--anomalies",     "default",
                          "--retain-events", "100000000", "--retain-days", "3650", NULL };
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(AnxStore) store = NULL;
  g_autoptr(AnxIngest) ingest = NULL;
  g_autoptr(AnxFeedClient) client = NULL;
  guint n_cpus = g_get_num_processors ();
  double ceiling, rate, seconds;
  gint64 start, backfill_start, records, head, bytes;
  struct rusage usage;
  Probe probe = { 0 };
  guint probe_id;

  g_assert_no_error (error);
  g_print ("bench-console-sync: %u cores; scale %s, %s days of history\n", n_cpus, scale, days);

  ceiling = openssl_verify_rate (n_cpus);
  g_print ("ceiling: openssl speed -multi %u ecdsap256: %.0f verify/s\n", n_cpus, ceiling);

  backfill_start = g_get_monotonic_time ();
  feedd = anx_test_feedd_start (dir, "127.0.0.1:0", extra);
  while (!log_contains (feedd->stderr_path, "Back-fill done"))
    g_usleep (50000);
  head = anx_test_feedd_head (feedd);
  g_print ("ledger: back-filled in %.1f s, head cursor %" G_GINT64_FORMAT "\n",
           (g_get_monotonic_time () - backfill_start) / 1e6, head);

  store = anx_store_open (store_path, &error);
  g_assert_no_error (error);
  ingest = anx_ingest_new (store);
  client = anx_feed_client_new (ingest, feedd->base_url);
  anx_feed_client_set_token (client, feedd->token);
  anx_feed_client_set_watchdog (client, 60);

  probe_id = g_timeout_add (1, on_probe, &probe);
  start = g_get_monotonic_time ();
  anx_feed_client_start (client);
  while (!(anx_feed_client_get_state (client) == ANX_FEED_CLIENT_LIVE &&
           anx_store_get_cursor (store) >= (guint64) head && anx_store_get_backlog (store) == 0))
    {
      g_main_context_iteration (NULL, TRUE);
      if (anx_feed_client_get_state (client) == ANX_FEED_CLIENT_UNAUTHORIZED ||
          anx_feed_client_get_state (client) == ANX_FEED_CLIENT_INCOMPATIBLE)
        g_error ("sync failed: %s", anx_feed_client_get_last_error (client));
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (probe_id);
  anx_feed_client_stop (client);

  records = anx_store_count (store, "records");
  rate = records / seconds;
  bytes = file_size (store_path) + file_size (wal_path);
  getrusage (RUSAGE_SELF, &usage);

  g_print ("sync: %" G_GINT64_FORMAT " records verified and stored in %.1f s: %.0f records/s "
           "(%" G_GINT64_FORMAT " alarms, %" G_GINT64_FORMAT " findings)\n",
           records, seconds, rate, anx_store_count (store, "alarms"),
           anx_store_count (store, "findings"));
  g_print ("  vs the ceiling: %.0f %% of openssl's all-core verify rate (target >= 75 %%; the "
           "server shares the cores): %s\n",
           100.0 * rate / ceiling, rate >= 0.75 * ceiling ? "PASS" : "MISS");
  g_print ("  main thread: longest stall %.1f ms, %u stalls over 16 ms (target <= 16 ms): %s\n",
           probe.max_gap / 1000.0, probe.n_over_16, probe.max_gap <= 16000 ? "PASS" : "MISS");
  g_print ("  store: %.1f MB (%.0f bytes/record); peak RSS %.0f MB\n", bytes / 1e6,
           (double) bytes / MAX (records, 1), usage.ru_maxrss / 1024.0);
  g_print ("one simulated year (Hangzhou 2022, %.0f records), EXTRAPOLATED from the %" G_GINT64_FORMAT
           " records measured above: about %.0f s (%.1f min), store about %.1f GB\n",
           YEAR_RECORDS, records, YEAR_RECORDS / rate, YEAR_RECORDS / rate / 60,
           bytes / (double) MAX (records, 1) * YEAR_RECORDS / 1e9);

  anx_store_close (store);
  anx_test_feedd_kill (feedd);
  if (g_getenv ("ANXIN_KEEP_BENCH_DIR") == NULL)
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      if (system (cmd) != 0)
        g_printerr ("could not remove %s\n", dir);
    }
  return 0;
}
