/* bench-charger-page.c: opening a charger's page and scrolling its chain
 *
 * A real store file with two chargers whose chains hold 1,000 and 100,000
 * signed charge records (every 40th over-billed, with its finding), and the
 * charger page in a real window at 1280×800 under Xvfb with the renderer
 * the display tests use. Measured with the window's frame clock:
 *
 * - open: from anx_charger_page_set_charger() to the end of the first frame
 *   painted after it (registry entry, chain count and page starts, the rows
 *   on screen with their signed data decoded) — targets ≤ 100 ms (1,000
 *   records) and ≤ 300 ms (100,000); the chart's data arrives later from a
 *   thread and is reported beside it;
 * - scroll: the 100,000-record history scrolled by three rows a frame from
 *   the top, then by jumps to random depths as a dragged scrollbar would;
 *   each frame's time from the clock's "before-paint" to "after-paint" — target:
 *   longest ≤ 16 ms;
 * - beside them, measured in the same run: a frame of the same window
 *   redrawn with nothing changed, the floor of any frame here.
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "anx-chain-model.h"
#include "anx-chain-record.h"
#include "anx-charger-page.h"
#include "anx-meter-key.h"
#include "anx-signature.h"
#include "anx-store.h"
#include "anx-test-chain.h"
#include "anxin-resources.h"

#define SMALL_CHARGER "330106-0001-DC01"
#define LARGE_CHARGER "330106-0001-DC02"
#define N_OPENS        7
#define N_SCROLL       1500
#define N_JUMPS        150

typedef struct
{
  const char *code;
  gint64 charger_id;
  guint n_records;
  AnxTestMeter *meter;
} Seed;

static gboolean
registry_job (AnxStore         *store,
              sqlite3          *db,
              gpointer          data,
              AnxStoreChanges  *changes,
              GError          **error)
{
  Seed *seeds = data;

  if (!anx_store_exec (db,
                       "INSERT INTO operators (id, name) VALUES (1, '杭州安心充电运营有限公司');"
                       "INSERT INTO stations (id, operator_id, code, name, latitude, longitude, "
                       "datum, charger_count) VALUES (1, 1, '330106-0001', '西湖区文三路充电站', "
                       "30.28, 120.13, 'wgs84', 2);",
                       error))
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *key = anx_meter_key_export_public_hex (seeds[i].meter->key);
      g_autofree char *sql = g_strdup_printf (
          "INSERT INTO chargers (id, station_id, operator_id, code, current, rated_power_w, "
          "status, meter_id) VALUES (%" G_GINT64_FORMAT ", 1, 1, '%s', 'DC', 120000, 'available', "
          "%" G_GINT64_FORMAT ");"
          "INSERT INTO meters (id, charger_id, serial, manufacturer, model, accuracy_class, "
          "algorithm, public_key, first_verification, rotation_due, seal_physical, "
          "seal_electronic) VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', 'Anxin', "
          "'DC-M1', 1, 'ECDSA-secp256r1-SHA256', '%s', '2019-03-01', '2027-03-01', 'P-1', 'E-1');",
          seeds[i].charger_id, seeds[i].code, seeds[i].charger_id, seeds[i].charger_id,
          seeds[i].charger_id, seeds[i].meter->serial, key);

      if (!anx_store_exec (db, sql, error))
        return FALSE;
    }
  *changes |= ANX_STORE_CHANGED_REGISTRY;
  return TRUE;
}

/* Signs and stores one charger's chain, in transactions of 5,000. */
typedef struct
{
  Seed *seed;
  guint64 next;
  guint8 prev[ANX_CHAIN_HASH_SIZE];
  GDateTime *base;
} ChainJob;

static gboolean
chain_job (AnxStore         *store,
           sqlite3          *db,
           gpointer          data,
           AnxStoreChanges  *changes,
           GError          **error)
{
  ChainJob *job = data;
  sqlite3_stmt *insert = NULL, *finding = NULL;
  guint64 end = MIN (job->next + 5000, job->seed->n_records);

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO records (charger_code, sequence, hash, kind, "
                          "recorded_at_us, meter_serial, billed_wh, amount_fen, checks, "
                          "n_findings, accepted, json) VALUES (?, ?, ?, 'charge', ?, ?, ?, ?, "
                          "511, ?, 1, ?)",
                          -1, &insert, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db,
                          "INSERT INTO findings (charger_code, sequence, hash, code, severity, "
                          "message) VALUES (?, ?, ?, 'energy-mismatch', 'critical', ?)",
                          -1, &finding, NULL) != SQLITE_OK)
    {
      anx_store_set_sqlite_error (error, db, "bench");
      return FALSE;
    }
  for (; job->next < end; job->next++)
    {
      guint64 s = job->next;
      gboolean over = s % 40 == 39;
      AnxTestCharge spec = { .energy_wh = 5000 + (gint64) (s * 7919 % 60000),
                             .billed_delta_wh = 0 };
      g_autoptr(GDateTime) at = g_date_time_add_minutes (job->base, (int) s * 23);
      g_autofree char *session = g_strdup_printf ("S-%" G_GUINT64_FORMAT, s);
      g_autofree char *ocmf = NULL;
      g_autoptr(AnxChainRecord) record = NULL;
      g_autofree char *json = NULL;
      guint8 hash[ANX_CHAIN_HASH_SIZE];
      gint64 metered = 0, billed, amount = 0;

      ocmf = anx_test_sign_charge (job->seed->meter, &spec, &metered);
      billed = over ? metered * 106 / 100 : metered;
      record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, job->seed->code, s,
                                     s == 0 ? NULL : job->prev, at);
      anx_chain_record_set_charge (record, session, ocmf, billed, 0);
      anx_chain_record_add_tariff_segment (record, "平", billed, ANX_TEST_PRICE_MILLIFEN);
      anx_chain_record_expected_amount (record, &amount);
      anx_chain_record_set_charge (record, session, ocmf, billed, amount);
      anx_chain_record_compute_hash (record, hash);
      anx_chain_record_set_stated_hash (record, hash);
      json = anx_chain_record_to_json (record, FALSE);

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, job->seed->code, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 2, (gint64) s);
      sqlite3_bind_blob (insert, 3, hash, ANX_CHAIN_HASH_SIZE, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 4, g_date_time_to_unix (at) * G_USEC_PER_SEC);
      sqlite3_bind_text (insert, 5, job->seed->meter->serial, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 6, billed);
      sqlite3_bind_int64 (insert, 7, amount);
      sqlite3_bind_int (insert, 8, over ? 1 : 0);
      sqlite3_bind_text (insert, 9, json, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          anx_store_set_sqlite_error (error, db, "bench record");
          sqlite3_finalize (insert);
          sqlite3_finalize (finding);
          return FALSE;
        }
      if (over)
        {
          sqlite3_reset (finding);
          sqlite3_bind_text (finding, 1, job->seed->code, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (finding, 2, (gint64) s);
          sqlite3_bind_blob (finding, 3, hash, ANX_CHAIN_HASH_SIZE, SQLITE_TRANSIENT);
          sqlite3_bind_text (finding, 4, "Billed 6 % above the meter", -1, SQLITE_STATIC);
          sqlite3_step (finding);
        }
      memcpy (job->prev, hash, ANX_CHAIN_HASH_SIZE);
    }
  sqlite3_finalize (insert);
  sqlite3_finalize (finding);
  *changes |= ANX_STORE_CHANGED_RECORDS;
  return TRUE;
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!anx_store_write_finish (ANX_STORE (source), result, &error))
    g_error ("store: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
write_and_wait (AnxStore         *store,
                AnxStoreWriteFunc func,
                gpointer          data)
{
  gboolean done = FALSE;

  anx_store_write_async (store, func, data, NULL, NULL, on_written, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Frame timing through the window's frame clock. */
typedef struct
{
  gint64 started;
  GArray *times; /* of double, ms */
  gboolean painted;
} Frames;

static void
on_update (GdkFrameClock *clock,
           Frames        *frames)
{
  frames->started = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Frames        *frames)
{
  double ms = (g_get_monotonic_time () - frames->started) / 1000.0;

  if (frames->started != 0)
    g_array_append_val (frames->times, ms);
  frames->started = 0;
  frames->painted = TRUE;
}

static void
wait_for_paint (GtkWidget *window,
                Frames    *frames)
{
  frames->painted = FALSE;
  gtk_widget_queue_draw (window);
  while (!frames->painted)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
stats (GArray *values,
       double *p50,
       double *p95,
       double *max)
{
  if (values->len == 0)
    g_error ("No frames measured");
  g_array_sort (values, compare_doubles);
  *p50 = g_array_index (values, double, values->len / 2);
  *p95 = g_array_index (values, double, MIN (values->len - 1, values->len * 95 / 100));
  *max = g_array_index (values, double, values->len - 1);
}

static void
settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
bench_open (GtkWidget      *window,
            AnxChargerPage *page,
            AnxStore       *store,
            Frames         *frames,
            const char     *code,
            const char     *other,
            const char     *label,
            double          target_ms)
{
  g_autoptr(GArray) opens = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) charts = g_array_new (FALSE, FALSE, sizeof (double));
  double p50, p95, max, c50, c95, cmax;

  for (guint i = 0; i < N_OPENS; i++)
    {
      gint64 started;
      double ms;

      /* From another charger, as an officer goes from one to the next. */
      anx_charger_page_set_charger (page, store, other);
      while (anx_charger_page_is_loading (page))
        g_main_context_iteration (NULL, TRUE);
      wait_for_paint (window, frames);
      settle (50);

      started = g_get_monotonic_time ();
      anx_charger_page_set_charger (page, store, code);
      wait_for_paint (window, frames);
      ms = (g_get_monotonic_time () - started) / 1000.0;
      g_array_append_val (opens, ms);
      while (anx_charger_page_is_loading (page))
        g_main_context_iteration (NULL, TRUE);
      wait_for_paint (window, frames);
      ms = (g_get_monotonic_time () - started) / 1000.0;
      g_array_append_val (charts, ms);
    }
  stats (opens, &p50, &p95, &max);
  stats (charts, &c50, &c95, &cmax);
  g_print ("open %-24s painted: p50 %6.1f ms  max %6.1f ms   target <= %3.0f ms: %s\n", label, p50,
           max, target_ms, max <= target_ms ? "PASS" : "MISS");
  g_print ("     %-24s chart:   p50 %6.1f ms  max %6.1f ms   (%u sessions, in a thread)\n", "",
           c50, cmax, anx_ratio_chart_get_n_points (anx_charger_page_get_chart (page)));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = g_dir_make_tmp ("anxin-bench-charger-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxStore) store = NULL;
  Seed seeds[2] = { { SMALL_CHARGER, 1, 1000, NULL }, { LARGE_CHARGER, 2, 100000, NULL } };
  Frames frames = { 0 };
  GtkWidget *window;
  AnxChargerPage *page;
  GdkFrameClock *clock;
  gint64 started;

  gtk_init ();
  adw_init ();
  anxin_register_resource ();

  store = anx_store_open (path, &error);
  g_assert_no_error (error);
  seeds[0].meter = anx_test_meter_new ("M-SMALL", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  seeds[1].meter = anx_test_meter_new ("M-LARGE", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  started = g_get_monotonic_time ();
  write_and_wait (store, registry_job, seeds);
  for (guint i = 0; i < 2; i++)
    {
      ChainJob job = { &seeds[i], 0, { 0 },
                       g_date_time_new_from_iso8601 ("2022-05-20T08:00:00+08:00", NULL) };

      while (job.next < seeds[i].n_records)
        write_and_wait (store, chain_job, &job);
      g_date_time_unref (job.base);
    }
  g_assert_true (anx_store_flush_sync (store, NULL));
  settle (300);
  g_print ("setup: 101,000 signed records stored in %.1f s (%s)\n",
           (g_get_monotonic_time () - started) / 1e6, path);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  page = g_object_new (ANX_TYPE_CHARGER_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  frames.times = g_array_new (FALSE, FALSE, sizeof (double));
  while (gtk_widget_get_frame_clock (window) == NULL)
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_update), &frames);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &frames);
  anx_charger_page_set_charger (page, store, SMALL_CHARGER);
  wait_for_paint (window, &frames);
  settle (500);
  {
    g_autofree char *load = NULL;

    /* The machine may be shared: say how busy it was. */
    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    g_print ("GSK renderer: %s, window %d x %d, %u CPUs, load average %s",
             G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))),
             gtk_widget_get_width (window), gtk_widget_get_height (window),
             g_get_num_processors (), load != NULL ? load : "?\n");
  }

  /* The floor: the same window redrawn with nothing changed. */
  {
    g_autoptr(GArray) idle = g_array_new (FALSE, FALSE, sizeof (double));
    double p50, p95, max;

    g_array_set_size (frames.times, 0);
    for (guint i = 0; i < 60; i++)
      wait_for_paint (window, &frames);
    g_array_append_vals (idle, frames.times->data, frames.times->len);
    stats (idle, &p50, &p95, &max);
    g_print ("reference: full redraw, nothing changed: p50 %5.2f ms  max %5.2f ms\n", p50, max);
  }

  /* What one page read costs on this machine now (rows decode the signed
   * data of the records they draw, not the page): a unit of the
   * scrolling figures below. */
  {
    g_autoptr(GArray) reads = g_array_new (FALSE, FALSE, sizeof (double));
    double p50, p95, max;

    for (guint i = 0; i < 40; i++)
      {
        g_autoptr(AnxChainModel) model = anx_chain_model_new (store, LARGE_CHARGER);
        g_autoptr(GObject) item = NULL;
        gint64 t0 = g_get_monotonic_time ();
        double ms;

        item = g_list_model_get_item (G_LIST_MODEL (model), 1000 + i * 2000);
        ms = (g_get_monotonic_time () - t0) / 1000.0;
        g_array_append_val (reads, ms);
      }
    stats (reads, &p50, &p95, &max);
    g_print ("reference: one page read (%d records): p50 %5.2f ms  max %5.2f ms\n",
             ANX_CHAIN_MODEL_PAGE, p50, max);
  }

  bench_open (window, page, store, &frames, SMALL_CHARGER, LARGE_CHARGER, "(1,000 records)", 100);
  bench_open (window, page, store, &frames, LARGE_CHARGER, SMALL_CHARGER, "(100,000 records)", 300);

  /* Scroll the 100,000-record history: smoothly, then by jumps. */
  {
    GtkWidget *view = NULL;
    GtkAdjustment *adjustment;
    g_autoptr(GArray) smooth = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr(GArray) jumps = g_array_new (FALSE, FALSE, sizeof (double));
    GRand *rand = g_rand_new_with_seed (7);
    double p50, p95, max;
    double step;

    /* The history's list view, breadth first. */
      {
        GQueue queue = G_QUEUE_INIT;

        g_queue_push_tail (&queue, page);
        while (!g_queue_is_empty (&queue) && view == NULL)
          {
            GtkWidget *w = g_queue_pop_head (&queue);

            if (GTK_IS_LIST_VIEW (w))
              view = w;
            for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
              g_queue_push_tail (&queue, c);
          }
        g_queue_clear (&queue);
      }
    g_assert_nonnull (view);
    adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
    step = 3 * 50.0;

    g_array_set_size (frames.times, 0);
    for (guint i = 0; i < N_SCROLL; i++)
      {
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + step);
        wait_for_paint (window, &frames);
      }
    g_array_append_vals (smooth, frames.times->data, frames.times->len);
    stats (smooth, &p50, &p95, &max);
    g_print ("scroll 100,000 records, 3 rows a frame (%u frames, to row ~%.0f): p50 %5.2f ms  "
             "p95 %5.2f ms  longest %6.2f ms   target <= 16 ms: %s\n",
             smooth->len, gtk_adjustment_get_value (adjustment) / 50.0, p50, p95, max,
             max <= 16 ? "PASS" : "MISS");

    g_array_set_size (frames.times, 0);
    for (guint i = 0; i < N_JUMPS; i++)
      {
        double upper = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

        gtk_adjustment_set_value (adjustment, g_rand_double_range (rand, 0, upper));
        wait_for_paint (window, &frames);
        /* a dragged scrollbar lingers a few frames at each place */
        wait_for_paint (window, &frames);
      }
    g_array_append_vals (jumps, frames.times->data, frames.times->len);
    stats (jumps, &p50, &p95, &max);
    g_print ("jump to random depths (%u frames): p50 %5.2f ms  p95 %5.2f ms  longest %6.2f ms   "
             "target <= 16 ms: %s\n",
             jumps->len, p50, p95, max, max <= 16 ? "PASS" : "MISS");
    g_rand_free (rand);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  settle (50);
  anx_test_meter_free (seeds[0].meter);
  anx_test_meter_free (seeds[1].meter);
  g_array_unref (frames.times);
  anx_store_close (store);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

    if (system (command) != 0)
      g_printerr ("Could not remove %s\n", dir);
  }
  return 0;
}
