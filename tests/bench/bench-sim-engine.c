/* bench-sim-engine.c: how fast the simulator makes signed charge records at
 * Hangzhou scale, and how long a simulated year takes
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Figures only, no timed asserts. ANXIN_BENCH_SIM_DAYS sets the sample
 * (default 2 simulated days); the whole year is run too when the sample
 * projects it at 10 minutes or less, unless ANXIN_BENCH_SIM_YEAR=0.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anx-chain-record.h"
#include "anx-meter-key.h"
#include "anx-signature.h"
#include "anx-sim-engine.h"
#include "anx-sim-network.h"

#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

typedef struct
{
  guint64 sequence;
  guint8 hash[ANX_CHAIN_HASH_SIZE];
  gboolean has;
} Head;

/* Keeps chain heads only, like a ledger that writes and forgets */
typedef struct
{
  Head *heads;
  guint64 records;
  guint64 charges;
  guint64 events;
  guint64 progress;
  guint64 truth;
  guint64 truth_by_anomaly[ANX_SIM_N_ANOMALIES];
  guint64 states;
  guint64 ocmf_bytes;
} Counter;

static gboolean
get_chain_head (gpointer  user_data,
                guint     charger_id,
                guint64  *sequence,
                guint8   *hash)
{
  Counter *counter = user_data;
  Head *head = &counter->heads[charger_id - 1];

  if (!head->has)
    return FALSE;
  *sequence = head->sequence;
  memcpy (hash, head->hash, ANX_CHAIN_HASH_SIZE);
  return TRUE;
}

static void
append_record (gpointer        user_data,
               guint           charger_id,
               AnxChainRecord *record)
{
  Counter *counter = user_data;
  Head *head = &counter->heads[charger_id - 1];

  head->has = TRUE;
  head->sequence = anx_chain_record_get_sequence (record);
  memcpy (head->hash, anx_chain_record_get_hash (record), ANX_CHAIN_HASH_SIZE);
  counter->records++;
  if (anx_chain_record_get_kind (record) == ANX_CHAIN_RECORD_KIND_CHARGE)
    {
      counter->charges++;
      counter->ocmf_bytes += strlen (anx_chain_record_get_ocmf (record));
    }
}

static void
charger_status (gpointer            user_data,
                guint               charger_id,
                AnxSimChargerStatus status,
                gint64              time_us)
{
  ((Counter *) user_data)->events++;
}

static void
session_started (gpointer    user_data,
                 guint       charger_id,
                 const char *session_id,
                 gint64      time_us,
                 gint64      meter_start_wh)
{
  ((Counter *) user_data)->events++;
}

static void
session_progress (gpointer    user_data,
                  guint       charger_id,
                  const char *session_id,
                  gint64      time_us,
                  gint64      power_w,
                  gint64      energy_wh,
                  gint64      amount_fen)
{
  ((Counter *) user_data)->progress++;
}

static void
session_ended (gpointer    user_data,
               guint       charger_id,
               const char *session_id,
               gint64      time_us,
               gint64      energy_wh,
               gint64      amount_fen)
{
  ((Counter *) user_data)->events++;
}

static void
ground_truth (gpointer    user_data,
              const char *json_line)
{
  Counter *counter = user_data;
  const char *name = strstr (json_line, "\"anomaly\":\"");
  AnxSimAnomaly anomaly;

  counter->truth++;
  if (name != NULL)
    {
      g_autofree char *copy = g_strdup (name + strlen ("\"anomaly\":\""));

      *strchr (copy, '"') = '\0';
      if (anx_sim_anomaly_from_string (copy, &anomaly))
        counter->truth_by_anomaly[anomaly]++;
    }
}

static void
save_state (gpointer  user_data,
            guint     charger_id,
            GBytes   *state)
{
  ((Counter *) user_data)->states++;
}

static const AnxSimSink sink = {
  get_chain_head, append_record, charger_status, session_started, session_progress,
  session_ended,  NULL,          ground_truth,   save_state,
};

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The reference: OpenSSL's own signing (anx_signature_sign) of a record
 * on one thread, over the network's mix of curves, in µs per record */
static double
openssl_signing_us (AnxSimNetwork *network)
{
  const AnxSimMeter *meters;
  guint n_meters;
  guint count[ANX_SIGNATURE_ALGORITHM_LAST] = { 0 };
  char payload[680];
  double total = 0;

  memset (payload, 'x', sizeof payload - 1);
  payload[sizeof payload - 1] = '\0';
  meters = anx_sim_network_get_meters (network, &n_meters);
  for (guint i = 0; i < n_meters; i++)
    count[anx_signature_algorithm_from_ocmf (meters[i].signature_algorithm)]++;

  for (guint a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnxMeterKey) key = NULL;
      guint n = 0;
      gint64 t0;
      double us;

      if (count[a] == 0)
        continue;
      key = anx_meter_key_generate (a, &error);
      g_assert_no_error (error);
      t0 = g_get_monotonic_time ();
      while (g_get_monotonic_time () - t0 < 300000)
        {
          g_autoptr(GBytes) sig =
              anx_signature_sign (key, (const guint8 *) payload, strlen (payload), &error);

          g_assert_no_error (error);
          n++;
        }
      us = (g_get_monotonic_time () - t0) / (double) n;
      printf ("  OpenSSL signing, %s: %.0f µs (%u meters)\n", anx_signature_algorithm_to_ocmf (a),
              us, count[a]);
      total += us * count[a] / n_meters;
    }
  return total;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimNetwork) network = NULL;
  g_autoptr(AnxSimEngine) engine = NULL;
  g_autoptr(GDateTime) start_time =
      g_date_time_new_from_iso8601 ("2022-05-20T00:00:00+08:00", NULL);
  const char *days_env = g_getenv ("ANXIN_BENCH_SIM_DAYS");
  gint64 start_us = g_date_time_to_unix (start_time) * G_USEC_PER_SEC;
  guint days = days_env != NULL ? (guint) CLAMP (atoi (days_env), 1, 365) : 2;
  AnxSimParams params;
  AnxSimAnomalyRates rates;
  Counter counter = { 0 };
  const AnxSimMeter *meters;
  guint n_meters, n_chargers;
  double elapsed, per_second, projected, records_per_year;
  gint64 t0;

  setvbuf (stdout, NULL, _IOLBF, 0);
  anx_sim_params_init_hangzhou (&params, 2022);
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  anx_sim_network_get_chargers (network, &n_chargers);
  counter.heads = g_new0 (Head, n_chargers);
  anx_sim_anomaly_rates_init_default (&rates);

  t0 = g_get_monotonic_time ();
  engine = anx_sim_engine_new (network, &rates, start_us, NULL, NULL, &error);
  g_assert_no_error (error);
  printf ("engine for %u chargers made in %.3f s\n", n_chargers, seconds_since (t0));

  t0 = g_get_monotonic_time ();
  meters = anx_sim_network_get_meters (network, &n_meters);
  for (guint i = 0; i < n_meters; i++)
    {
      g_autoptr(AnxMeterKey) key = anx_sim_engine_get_meter_key (engine, meters[i].id);

      g_assert_nonnull (key);
    }
  printf ("%u registered meter keys derived in %.3f s (on all cores)\n", n_meters,
          seconds_since (t0));

  t0 = g_get_monotonic_time ();
  anx_sim_engine_run_until (engine, start_us + days * DAY_US, &sink, &counter);
  elapsed = seconds_since (t0);
  per_second = counter.charges / elapsed;
  projected = elapsed * 365.0 / days;
  records_per_year = counter.charges * 365.0 / days;

  printf ("%u simulated day(s) at Hangzhou scale on %u core(s): %.2f s\n", days,
          g_get_num_processors (), elapsed);
  printf ("  %" G_GUINT64_FORMAT " charge records (%" G_GUINT64_FORMAT
          " records in all), %.0f signed records/s, %.0f bytes of OCMF each\n",
          counter.charges, counter.records, per_second,
          counter.charges > 0 ? (double) counter.ocmf_bytes / counter.charges : 0.0);
  printf ("  %" G_GUINT64_FORMAT " status/session events, %" G_GUINT64_FORMAT
          " progress events, %" G_GUINT64_FORMAT " ground-truth lines, %" G_GUINT64_FORMAT
          " saved states\n",
          counter.events, counter.progress, counter.truth, counter.states);
  printf ("  ground truth per simulated day at the default rates:");
  for (guint a = 0; a < ANX_SIM_N_ANOMALIES; a++)
    printf ("%s %s %.1f", a == 0 ? "" : ",", anx_sim_anomaly_to_string (a),
            (double) counter.truth_by_anomaly[a] / days);
  printf ("\n");
  printf ("  %.2f million charge records a year (Hangzhou 2022: 10.136 million)\n",
          records_per_year / 1e6);
  printf ("  one simulated year projected: %.0f s (%.1f min)\n", projected, projected / 60);

  {
    double us = openssl_signing_us (network);

    printf ("reference: OpenSSL's signing alone (random nonces, no simulation), same curve mix: "
            "%.0f µs per record on one core, %.0f records/s on %u core(s); the engine: %.0f\n",
            us, 1e6 / us * g_get_num_processors (), g_get_num_processors (), per_second);
  }

  if (days < 365 && projected <= 600 && g_strcmp0 (g_getenv ("ANXIN_BENCH_SIM_YEAR"), "0") != 0)
    {
      double year;

      anx_sim_engine_run_until (engine, start_us + 365 * DAY_US, &sink, &counter);
      year = seconds_since (t0);
      printf ("one simulated year measured: %.0f s (%.1f min), %" G_GUINT64_FORMAT
              " charge records, %.0f records/s, %" G_GUINT64_FORMAT " ground-truth lines\n",
              year, year / 60, counter.charges, counter.charges / year, counter.truth);
    }
  else
    printf ("one simulated year not measured (projected above 10 min or "
            "ANXIN_BENCH_SIM_YEAR=0)\n");

  g_free (counter.heads);
  return 0;
}
