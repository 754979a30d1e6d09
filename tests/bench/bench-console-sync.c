/* bench-console-sync.c: the console's initial sync of a large ledger
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Back-fills a ledger with anxin-feedd's simulator (about a million records
 * at Hangzhou scale: ANXIN_BENCH_SCALE, ANXIN_BENCH_DAYS; kept in
 * ANXIN_BENCH_DATA for the next run; ANXIN_BENCH_SIGNATURE gives every
 * meter one algorithm instead of Hangzhou's mix), then syncs a fresh
 * console store from it over loopback: registry, every chain,
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
#include <sqlite3.h>
#include <sys/resource.h>
#include <time.h>

#include "../anx-test-feedd.h"
#include "anx-feed-client.h"
#include "anx-ingest.h"
#include "anx-query-model.h"
#include "anx-store.h"

#define YEAR_RECORDS 10136000.0
#define DATA_VERSION "1"

typedef struct
{
  gint64 last;
  gint64 max_gap;
  guint n_over_16;
  gint64 last_cpu;
  gint64 max_busy; /* the main thread's own CPU time within one gap */
  gint64 busy_in_max_gap;
} Probe;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* A 1 ms timeout on the main thread: a gap between two calls is a stall.
 * A gap is either the main thread's own work (its CPU time in the gap) or
 * time it waited for a core (the machine is shared): both are printed. */
static gboolean
on_probe (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (probe->last != 0)
    {
      gint64 gap = now - probe->last;
      gint64 busy = cpu - probe->last_cpu;

      if (gap > probe->max_gap)
        {
          probe->max_gap = gap;
          probe->busy_in_max_gap = busy;
        }
      probe->max_busy = MAX (probe->max_busy, busy);
      if (gap > 16000)
        probe->n_over_16++;
    }
  probe->last = now;
  probe->last_cpu = cpu;
  return G_SOURCE_CONTINUE;
}

/* openssl speed's verify/s for each curve it ran ("nistp256", "CurveSM2", ...). */
static GHashTable *
openssl_verify_rates (guint       n,
                      const char *seconds,
                      const char *const *algorithms)
{
  g_autofree char *out = NULL;
  g_autofree char *multi = g_strdup_printf ("%u", n);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  GHashTable *rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;

  g_ptr_array_add (argv, (char *) "openssl");
  g_ptr_array_add (argv, (char *) "speed");
  g_ptr_array_add (argv, (char *) "-seconds");
  g_ptr_array_add (argv, (char *) seconds);
  if (n > 0)
    {
      g_ptr_array_add (argv, (char *) "-multi");
      g_ptr_array_add (argv, multi);
    }
  for (guint i = 0; algorithms[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) algorithms[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                     &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return rates;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);
      const char *open = strchr (line, '(');
      const char *close = open != NULL ? strchr (open, ')') : NULL;
      g_auto(GStrv) fields = NULL;
      const char *last = NULL;

      if (close == NULL || strstr (line, "bits") == NULL)
        continue;
      fields = g_strsplit_set (line, " \t", -1);
      for (guint f = 0; fields[f] != NULL; f++)
        if (*fields[f] != '\0')
          last = fields[f];
      if (last != NULL && g_ascii_strtod (last, NULL) > 0)
        {
          double *rate = g_new (double, 1);

          *rate = g_ascii_strtod (last, NULL);
          g_hash_table_replace (rates, g_strndup (open + 1, (gsize) (close - open - 1)), rate);
        }
    }
  return rates;
}

static double
openssl_verify_rate (guint n)
{
  static const char *const p256[] = { "ecdsap256", NULL };
  g_autoptr(GHashTable) rates = openssl_verify_rates (n, "3", p256);
  double *rate = g_hash_table_lookup (rates, "nistp256");

  return rate != NULL ? *rate : -1;
}

/* The physical limit for the records actually synced: their curves are a
 * mix (the simulator: 78 % P-256, 15 % SM2, 3 % secp256k1, 2 % P-384, 2 %
 * brainpoolP256r1), and OpenSSL has a fast path for P-256 only. The time
 * to verify them all on all cores, from openssl speed for each curve;
 * secp256k1, which openssl speed does not offer, at brainpoolP256r1's rate
 * (both generic 256-bit prime curves). */
static double
mix_ceiling (guint       n_cpus,
             const char *store_path,
             double     *cpu_seconds)
{
  static const char *const curves[] = { "ecdsap256", "ecdsap384", "ecdsabrp256r1",
                                        "ecdsabrp384r1", "sm2", NULL };
  static const struct
  {
    const char *algorithm;
    const char *speed_name;
  } map[] = {
    { "ECDSA-secp256r1-SHA256", "nistp256" },
    { "ECDSA-secp384r1-SHA256", "nistp384" },
    { "ECDSA-brainpool256r1-SHA256", "brainpoolP256r1" },
    { "ECDSA-brainpool384r1-SHA256", "brainpoolP384r1" },
    { "ECDSA-secp256k1-SHA256", "brainpoolP256r1" },
    { "SM2-SM3", "CurveSM2" },
  };
  g_autoptr(GHashTable) rates = openssl_verify_rates (n_cpus, "2", curves);
  /* One process, divided by its CPU time (openssl speed's default): the
   * cost of a verification whatever the machine's load. */
  g_autoptr(GHashTable) cpu_rates = openssl_verify_rates (0, "2", curves);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  double seconds = 0, total = 0;

  if (sqlite3_open_v2 (store_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db,
                          "SELECT m.algorithm, count(*) FROM records r JOIN chargers c ON "
                          "c.code = r.charger_code JOIN meters m ON m.id = c.meter_id WHERE "
                          "r.kind = 'charge' GROUP BY m.algorithm",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      sqlite3_close (db);
      return -1;
    }
  *cpu_seconds = 0;
  g_print ("  records by curve; openssl's verify/s for each on all cores (wall clock), and on one "
           "core per CPU second:\n");
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *algorithm = (const char *) sqlite3_column_text (stmt, 0);
      double n = (double) sqlite3_column_int64 (stmt, 1);
      double *rate = NULL, *cpu_rate = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (map); i++)
        if (g_strcmp0 (algorithm, map[i].algorithm) == 0)
          {
            rate = g_hash_table_lookup (rates, map[i].speed_name);
            cpu_rate = g_hash_table_lookup (cpu_rates, map[i].speed_name);
          }
      g_print ("    %-28s %9.0f records  %8.0f verify/s  %8.0f verify/CPU-s\n", algorithm, n,
               rate ? *rate : -1, cpu_rate ? *cpu_rate : -1);
      if (cpu_rate != NULL && *cpu_rate > 0)
        *cpu_seconds += n / *cpu_rate;
      if (rate == NULL || *rate <= 0)
        continue;
      seconds += n / *rate;
      total += n;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return seconds > 0 ? total / seconds : -1;
}

static char *
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("?");
  return g_strndup (text, strcspn (text, "\n"));
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

/* The back-filled ledger is kept in $ANXIN_BENCH_DATA (default
 * ~/.cache/anxin-bench), one directory per scale and length of history:
 * the simulator's back-fill of a million records takes longer than the
 * sync it feeds. */
static char *
data_dir (void)
{
  if (g_getenv ("ANXIN_BENCH_DATA") != NULL)
    return g_strdup (g_getenv ("ANXIN_BENCH_DATA"));
  return g_build_filename (g_get_user_cache_dir (), "anxin-bench", NULL);
}

static AnxTestFeedd *
start_feed (const char *scale,
            const char *days,
            const char *signature)
{
  g_autofree char *root = data_dir ();
  g_autofree char *name = g_strdup_printf ("sync-" DATA_VERSION "-%s-%sd%s%s", scale, days,
                                           signature != NULL ? "-" : "",
                                           signature != NULL ? signature : "");
  g_autofree char *dir = g_build_filename (root, name, NULL);
  g_autofree char *ready = g_build_filename (dir, "ready", NULL);
  const char *fill[] = { "--simulate",  "hangzhou", "--sim-scale",     scale,
                         "--seed",      "2022",     "--sim-start",     "2022-05-20T00:00:00+08:00",
                         "--backfill-days", days,   "--anomalies",     "default",
                         "--retain-events", "100000000", "--retain-days", "3650", NULL };
  /* The simulation resumes where it stopped, with its clock, not live. */
  const char *keep[] = { "--simulate",  "hangzhou", "--sim-scale",     scale,
                         "--seed",      "2022",     "--anomalies",     "default",
                         "--retain-events", "100000000", "--retain-days", "3650", NULL };
  g_autoptr(GPtrArray) fill_args = g_ptr_array_new ();
  g_autoptr(GPtrArray) keep_args = g_ptr_array_new ();
  AnxTestFeedd *feedd;
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (fill) - 1; i++)
    g_ptr_array_add (fill_args, (gpointer) fill[i]);
  for (guint i = 0; i < G_N_ELEMENTS (keep) - 1; i++)
    g_ptr_array_add (keep_args, (gpointer) keep[i]);
  if (signature != NULL)
    {
      g_ptr_array_add (fill_args, (gpointer) "--sim-signature");
      g_ptr_array_add (fill_args, (gpointer) signature);
      g_ptr_array_add (keep_args, (gpointer) "--sim-signature");
      g_ptr_array_add (keep_args, (gpointer) signature);
    }
  g_ptr_array_add (fill_args, NULL);
  g_ptr_array_add (keep_args, NULL);

  if (g_file_test (ready, G_FILE_TEST_EXISTS))
    {
      g_print ("ledger: kept in %s\n", dir);
      return anx_test_feedd_start (dir, "127.0.0.1:0", (const char *const *) keep_args->pdata);
    }
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

      g_assert_cmpint (system (cmd), ==, 0);
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  feedd = anx_test_feedd_start (dir, "127.0.0.1:0", (const char *const *) fill_args->pdata);
  while (!log_contains (feedd->stderr_path, "Back-fill done"))
    g_usleep (50000);
  g_assert_true (g_file_set_contents (ready, "", 0, NULL));
  g_print ("ledger: back-filled in %.1f s into %s (kept for the next run)\n",
           (g_get_monotonic_time () - start) / 1e6, dir);
  return feedd;
}

int
main (int   argc,
      char *argv[])
{
  const char *scale = g_getenv ("ANXIN_BENCH_SCALE") ? g_getenv ("ANXIN_BENCH_SCALE") : "hangzhou";
  const char *days = g_getenv ("ANXIN_BENCH_DAYS") ? g_getenv ("ANXIN_BENCH_DAYS") : "37";
  const char *signature = g_getenv ("ANXIN_BENCH_SIGNATURE");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anx-bench-console-XXXXXX", &error);
  g_autofree char *store_path = g_build_filename (dir, "console", "store.sqlite", NULL);
  g_autofree char *wal_path = g_strconcat (store_path, "-wal", NULL);
  g_autoptr(AnxTestFeedd) feedd = NULL;
  g_autoptr(AnxStore) store = NULL;
  g_autoptr(AnxIngest) ingest = NULL;
  g_autoptr(AnxFeedClient) client = NULL;
  g_autoptr(AnxQueryModel) chargers = NULL;
  g_autoptr(AnxQueryModel) stations = NULL;
  g_autoptr(AnxQueryModel) alarms = NULL;
  guint n_cpus = g_get_num_processors ();
  double ceiling, ceiling_after, mix, rate, seconds, verify_cpu = 0, sync_cpu, p256_cpu;
  struct rusage before;
  gint64 start, records, head, bytes;
  struct rusage usage;
  Probe probe = { 0 };
  guint probe_id;

  g_assert_no_error (error);
  g_print ("bench-console-sync: %u cores; scale %s, %s days of history; meters sign with %s\n",
           n_cpus, scale, days,
           signature != NULL ? signature : "Hangzhou's mix of algorithms (the simulator's default)");

  feedd = start_feed (scale, days, signature);
  head = anx_test_feedd_head (feedd);
  g_print ("ledger: head cursor %" G_GINT64_FORMAT "\n", head);

  ceiling = openssl_verify_rate (n_cpus);
  {
    g_autofree char *load = load_average ();

    g_print ("ceiling: openssl speed -multi %u ecdsap256: %.0f verify/s (load average now %s)\n",
             n_cpus, ceiling, load);
  }

  store = anx_store_open (store_path, &error);
  g_assert_no_error (error);
  ingest = anx_ingest_new (store);
  client = anx_feed_client_new (ingest, feedd->base_url);
  anx_feed_client_set_token (client, feedd->token);
  anx_feed_client_set_watchdog (client, 60);

  /* The models a window shows follow the sync, as they would: their
   * reloads count in the main thread's stalls. */
  chargers = anx_query_model_new_chargers (store);
  stations = anx_query_model_new_stations (store);
  alarms = anx_query_model_new_alarms (store, FALSE);

  probe_id = g_timeout_add (1, on_probe, &probe);
  getrusage (RUSAGE_SELF, &before);
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

  getrusage (RUSAGE_SELF, &usage);
  sync_cpu = (usage.ru_utime.tv_sec - before.ru_utime.tv_sec) +
             (usage.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
             (usage.ru_stime.tv_sec - before.ru_stime.tv_sec) +
             (usage.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
  records = anx_store_count (store, "records");
  rate = records / seconds;
  {
    g_autofree char *load = load_average ();

    g_print ("sync done (load average now %s)\n", load);
  }
  ceiling_after = openssl_verify_rate (n_cpus);
  g_print ("ceiling again after the sync: %.0f verify/s\n", ceiling_after);
  mix = mix_ceiling (n_cpus, store_path, &verify_cpu);
  {
    static const char *const p256[] = { "ecdsap256", NULL };
    g_autoptr(GHashTable) p256_rates = openssl_verify_rates (0, "3", p256);
    double *p256_rate = g_hash_table_lookup (p256_rates, "nistp256");

    p256_cpu = p256_rate != NULL ? *p256_rate : -1;
  }
  /* The machine's load changes during a run: the ceiling counted is the
   * mean of the two measurements around the sync. */
  if (ceiling_after > 0)
    ceiling = (ceiling + ceiling_after) / 2;
  bytes = file_size (store_path) + file_size (wal_path);
  getrusage (RUSAGE_SELF, &usage);

  g_print ("sync: %" G_GINT64_FORMAT " records verified and stored in %.1f s: %.0f records/s "
           "(%" G_GINT64_FORMAT " alarms, %" G_GINT64_FORMAT " findings)\n",
           records, seconds, rate, anx_store_count (store, "alarms"),
           anx_store_count (store, "findings"));
  g_print ("  vs the ceiling: %.0f %% of openssl's all-core verify rate (target >= 75 %%; the "
           "server shares the cores): %s\n",
           100.0 * rate / ceiling, rate >= 0.75 * ceiling ? "PASS" : "MISS");
  g_print ("  vs the ceiling for the curves synced (mix-weighted, measured after the sync): %.0f "
           "verify/s, %.0f %%\n",
           mix, 100.0 * rate / mix);
  /* The machine is shared: wall-clock rates follow its load. CPU time
   * does not. */
  g_print ("  CPU time: the console used %.1f CPU-s for the sync (all its threads; the server "
           "not counted), %.0f us per record; openssl needs %.1f CPU-s to verify these records "
           "(their curves), so %.0f %% of the console's CPU time went to the signatures' "
           "mathematics and %.0f %% to everything else (JSON, hashing, SQLite, HTTP)\n",
           sync_cpu, 1e6 * sync_cpu / MAX (records, 1), verify_cpu, 100.0 * verify_cpu / sync_cpu,
           100.0 - 100.0 * verify_cpu / sync_cpu);
  g_print ("  CPU time: on %u cores of its own the console would store %.0f records/s; openssl "
           "speed ecdsap256 on them: %u x %.0f = %.0f verify/s (target >= 75 %%): %.0f %% %s; "
           "for the curves synced: %.0f verify/s, %.0f %%\n",
           n_cpus, n_cpus * records / sync_cpu, n_cpus, p256_cpu, n_cpus * p256_cpu,
           100.0 * (records / sync_cpu) / p256_cpu,
           records / sync_cpu >= 0.75 * p256_cpu ? "PASS" : "MISS",
           n_cpus * records / verify_cpu, 100.0 * verify_cpu / sync_cpu);
  g_print ("  main thread: longest stall %.1f ms (of which %.1f ms its own CPU time, the rest "
           "waiting for a core), %u stalls over 16 ms (target <= 16 ms): %s\n",
           probe.max_gap / 1000.0, probe.busy_in_max_gap / 1000.0, probe.n_over_16,
           probe.max_gap <= 16000 ? "PASS" : "MISS");
  g_print ("  main thread: longest busy stretch (its own CPU time between two 1 ms ticks) %.1f ms "
           "(target <= 16 ms): %s\n",
           probe.max_busy / 1000.0, probe.max_busy <= 16000 ? "PASS" : "MISS");
  g_print ("  models followed on the main thread: %u chargers (%u reloads), %u stations, %u "
           "alarms\n",
           g_list_model_get_n_items (G_LIST_MODEL (chargers)),
           anx_query_model_get_n_reloads (chargers),
           g_list_model_get_n_items (G_LIST_MODEL (stations)),
           g_list_model_get_n_items (G_LIST_MODEL (alarms)));
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
