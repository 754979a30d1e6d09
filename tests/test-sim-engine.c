/* test-sim-engine.c: the simulation engine — determinism, restarts, meter
 * data, billing, and anomalies the core verifier must find
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "anx-chain-record.h"
#include "anx-chain-verifier.h"
#include "anx-charger-entry.h"
#include "anx-finding.h"
#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-sim-engine.h"
#include "anx-sim-network.h"

#define SEED 2022
#define HOUR (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define DAY  (24 * HOUR)

/* An in-memory sink ------------------------------------------------------ */

typedef struct
{
  char *serial;
  AnxMeterKey *key;
  guint64 from_sequence;
} KeyChange;

typedef struct
{
  AnxSimChargerStatus status;
  gint64 time_us;
} StatusEvent;

typedef struct
{
  guint n_chargers;
  GPtrArray **records;     /* per charger index: AnxChainRecord */
  GString **transcripts;   /* per charger: every call, one line each */
  GArray **statuses;       /* per charger: StatusEvent */
  GPtrArray **key_changes; /* per charger: KeyChange */
  GPtrArray **sessions;    /* per charger: "id start_us" of sessions started */
  GPtrArray *truth;        /* ground-truth lines */
  GHashTable *states;      /* charger id → GBytes */
  GChecksum *all;          /* everything, in call order */
  guint n_records;
  gint64 last_time_us;
} Store;

static void
key_change_free (gpointer data)
{
  KeyChange *change = data;

  g_free (change->serial);
  anx_meter_key_unref (change->key);
  g_free (change);
}

static Store *
store_new (guint n_chargers)
{
  Store *store = g_new0 (Store, 1);

  store->n_chargers = n_chargers;
  store->records = g_new0 (GPtrArray *, n_chargers);
  store->transcripts = g_new0 (GString *, n_chargers);
  store->statuses = g_new0 (GArray *, n_chargers);
  store->key_changes = g_new0 (GPtrArray *, n_chargers);
  store->sessions = g_new0 (GPtrArray *, n_chargers);
  for (guint i = 0; i < n_chargers; i++)
    {
      store->records[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_chain_record_unref);
      store->transcripts[i] = g_string_new (NULL);
      store->statuses[i] = g_array_new (FALSE, FALSE, sizeof (StatusEvent));
      store->key_changes[i] = g_ptr_array_new_with_free_func (key_change_free);
      store->sessions[i] = g_ptr_array_new_with_free_func (g_free);
    }
  store->truth = g_ptr_array_new_with_free_func (g_free);
  store->states = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                         (GDestroyNotify) g_bytes_unref);
  store->all = g_checksum_new (G_CHECKSUM_SHA256);
  return store;
}

static void
store_free (Store *store)
{
  for (guint i = 0; i < store->n_chargers; i++)
    {
      g_ptr_array_unref (store->records[i]);
      g_string_free (store->transcripts[i], TRUE);
      g_array_unref (store->statuses[i]);
      g_ptr_array_unref (store->key_changes[i]);
      g_ptr_array_unref (store->sessions[i]);
    }
  g_free (store->records);
  g_free (store->transcripts);
  g_free (store->statuses);
  g_free (store->key_changes);
  g_free (store->sessions);
  g_ptr_array_unref (store->truth);
  g_hash_table_unref (store->states);
  g_checksum_free (store->all);
  g_free (store);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Store, store_free)

static void
note (Store      *store,
      guint       charger_id,
      const char *line)
{
  g_autofree char *full = g_strdup_printf ("%u %s\n", charger_id, line);

  g_assert_cmpuint (charger_id, >=, 1);
  g_assert_cmpuint (charger_id, <=, store->n_chargers);
  g_string_append (store->transcripts[charger_id - 1], line);
  g_string_append_c (store->transcripts[charger_id - 1], '\n');
  g_checksum_update (store->all, (const guchar *) full, -1);
}

static void
check_time (Store  *store,
            guint   charger_id,
            gint64  time_us)
{
  /* per charger, calls come in time order */
  GString *transcript = store->transcripts[charger_id - 1];
  const char *last = strrchr (transcript->str, '@');

  if (last != NULL)
    g_assert_cmpint (g_ascii_strtoll (last + 1, NULL, 10), <=, time_us);
  store->last_time_us = MAX (store->last_time_us, time_us);
}

static gboolean
sink_get_chain_head (gpointer  user_data,
                     guint     charger_id,
                     guint64  *sequence,
                     guint8   *hash)
{
  Store *store = user_data;
  GPtrArray *records = store->records[charger_id - 1];
  AnxChainRecord *last;

  if (records->len == 0)
    return FALSE;
  last = g_ptr_array_index (records, records->len - 1);
  *sequence = anx_chain_record_get_sequence (last);
  memcpy (hash, anx_chain_record_get_hash (last), ANX_CHAIN_HASH_SIZE);
  return TRUE;
}

static void
sink_append_record (gpointer        user_data,
                    guint           charger_id,
                    AnxChainRecord *record)
{
  Store *store = user_data;
  g_autofree char *json = anx_chain_record_to_json (record, FALSE);
  g_autofree char *line = g_strdup_printf ("record %s", json);

  g_ptr_array_add (store->records[charger_id - 1], anx_chain_record_ref (record));
  store->n_records++;
  note (store, charger_id, line);
}

static void
sink_charger_status (gpointer            user_data,
                     guint               charger_id,
                     AnxSimChargerStatus status,
                     gint64              time_us)
{
  Store *store = user_data;
  StatusEvent event = { status, time_us };
  g_autofree char *line = g_strdup_printf ("status %d @%" G_GINT64_FORMAT, status, time_us);

  check_time (store, charger_id, time_us);
  g_array_append_val (store->statuses[charger_id - 1], event);
  note (store, charger_id, line);
}

static void
sink_session_started (gpointer    user_data,
                      guint       charger_id,
                      const char *session_id,
                      gint64      time_us,
                      gint64      meter_start_wh)
{
  Store *store = user_data;
  g_autofree char *line = g_strdup_printf ("started %s %" G_GINT64_FORMAT " @%" G_GINT64_FORMAT,
                                           session_id, meter_start_wh, time_us);

  check_time (store, charger_id, time_us);
  g_ptr_array_add (store->sessions[charger_id - 1],
                   g_strdup_printf ("%s %" G_GINT64_FORMAT, session_id, time_us));
  note (store, charger_id, line);
}

static void
sink_session_progress (gpointer    user_data,
                       guint       charger_id,
                       const char *session_id,
                       gint64      time_us,
                       gint64      power_w,
                       gint64      energy_wh,
                       gint64      amount_fen)
{
  Store *store = user_data;
  g_autofree char *line = g_strdup_printf (
      "progress %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
      " @%" G_GINT64_FORMAT,
      session_id, power_w, energy_wh, amount_fen, time_us);

  check_time (store, charger_id, time_us);
  g_assert_cmpint (power_w, >, 0);
  g_assert_cmpint (energy_wh, >=, 0);
  note (store, charger_id, line);
}

static void
sink_session_ended (gpointer    user_data,
                    guint       charger_id,
                    const char *session_id,
                    gint64      time_us,
                    gint64      energy_wh,
                    gint64      amount_fen)
{
  Store *store = user_data;
  g_autofree char *line =
      g_strdup_printf ("ended %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " @%" G_GINT64_FORMAT,
                       session_id, energy_wh, amount_fen, time_us);

  check_time (store, charger_id, time_us);
  note (store, charger_id, line);
}

static void
sink_meter_key_changed (gpointer     user_data,
                        guint        charger_id,
                        const char  *meter_serial,
                        AnxMeterKey *public_key,
                        guint64      from_sequence)
{
  Store *store = user_data;
  KeyChange *change = g_new0 (KeyChange, 1);
  g_autofree char *line = g_strdup_printf ("key %s %s %" G_GUINT64_FORMAT, meter_serial,
                                           anx_meter_key_get_fingerprint (public_key),
                                           from_sequence);

  change->serial = g_strdup (meter_serial);
  change->key = anx_meter_key_ref (public_key);
  change->from_sequence = from_sequence;
  g_ptr_array_add (store->key_changes[charger_id - 1], change);
  note (store, charger_id, line);
}

static void
sink_ground_truth (gpointer    user_data,
                   const char *json_line)
{
  Store *store = user_data;

  g_assert_null (strchr (json_line, '\n'));
  g_ptr_array_add (store->truth, g_strdup (json_line));
  g_checksum_update (store->all, (const guchar *) json_line, -1);
}

static void
sink_save_state (gpointer  user_data,
                 guint     charger_id,
                 GBytes   *state)
{
  Store *store = user_data;

  g_assert_nonnull (state);
  g_hash_table_replace (store->states, GUINT_TO_POINTER (charger_id), g_bytes_ref (state));
}

static GBytes *
store_load_state (gpointer user_data,
                  guint    charger_id)
{
  Store *store = user_data;
  GBytes *state = g_hash_table_lookup (store->states, GUINT_TO_POINTER (charger_id));

  return state != NULL ? g_bytes_ref (state) : NULL;
}

static const AnxSimSink sink = {
  sink_get_chain_head, sink_append_record,     sink_charger_status, sink_session_started,
  sink_session_progress, sink_session_ended,   sink_meter_key_changed, sink_ground_truth,
  sink_save_state,
};

/* Helpers ---------------------------------------------------------------- */

static gint64
start_time_us (void)
{
  g_autoptr(GDateTime) start = g_date_time_new_from_iso8601 ("2022-05-20T00:00:00+08:00", NULL);

  return g_date_time_to_unix (start) * G_USEC_PER_SEC;
}

static AnxSimNetwork *
network_new (const char *scale)
{
  g_autoptr(GError) error = NULL;
  AnxSimParams params;
  AnxSimNetwork *network;

  g_assert_true (anx_sim_params_init_scale (&params, scale, SEED, &error));
  g_assert_no_error (error);
  network = anx_sim_network_new (&params, &error);
  g_assert_no_error (error);
  return network;
}

static void
rates_high (AnxSimAnomalyRates *rates)
{
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    rates->per_charger_day[i] = 0.25;
}

static Store *
run (AnxSimNetwork            *network,
     const AnxSimAnomalyRates *rates,
     const gint64             *steps,
     guint                     n_steps)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimEngine) engine = NULL;
  guint n_chargers;
  Store *store;

  anx_sim_network_get_chargers (network, &n_chargers);
  store = store_new (n_chargers);
  engine = anx_sim_engine_new (network, rates, start_time_us (), NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_steps; i++)
    {
      anx_sim_engine_run_until (engine, steps[i], &sink, store);
      g_assert_cmpint (anx_sim_engine_get_time (engine), ==, steps[i]);
    }
  return store;
}

static char *
checksum_hex (GChecksum *checksum)
{
  return g_strdup (g_checksum_get_string (checksum));
}

/* The registry as the feed server would hold it: each meter's keys with
 * the records they are valid for. */
static AnxChargerEntry *
registry_entry (AnxSimNetwork *network,
                AnxSimEngine  *engine,
                Store         *store,
                guint          charger_id,
                gboolean       with_changes)
{
  const AnxSimCharger *charger = anx_sim_network_get_charger (network, charger_id);
  const AnxSimMeter *meter = anx_sim_network_get_meter (network, charger->meter_id);
  GPtrArray *changes = store->key_changes[charger_id - 1];
  AnxChargerEntry *entry = anx_charger_entry_new (charger->code);
  g_autofree char *accuracy = g_strdup_printf ("%u", meter->accuracy_class);
  g_autoptr(AnxMeterKey) key = anx_sim_engine_get_meter_key (engine, meter->id);
  guint n = with_changes ? changes->len : 0;

  anx_charger_entry_add_meter (entry, meter->serial, meter->model, accuracy,
                               meter->signature_algorithm, anx_meter_key_get_der (key), 0,
                               n > 0 ? ((KeyChange *) changes->pdata[0])->from_sequence - 1
                                     : G_MAXUINT64);
  for (guint i = 0; i < n; i++)
    {
      KeyChange *change = changes->pdata[i];

      anx_charger_entry_add_meter (entry, change->serial, meter->model, accuracy,
                                   meter->signature_algorithm, anx_meter_key_get_der (change->key),
                                   change->from_sequence,
                                   i + 1 < n
                                       ? ((KeyChange *) changes->pdata[i + 1])->from_sequence - 1
                                       : G_MAXUINT64);
    }
  return entry;
}

/* Verifies a charger's chain; returns the findings as "sequence:code" */
static GHashTable *
verify_chain (AnxChargerEntry *entry,
              GPtrArray       *records)
{
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (entry);
  GHashTable *found = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(GPtrArray) findings = anx_chain_verifier_add (verifier, records->pdata[i]);

      for (guint j = 0; j < findings->len; j++)
        {
          AnxFinding *finding = findings->pdata[j];

          g_hash_table_add (found, g_strdup_printf ("%" G_GUINT64_FORMAT ":%s",
                                                    anx_finding_get_sequence (finding),
                                                    anx_finding_get_code (finding)));
        }
    }
  return found;
}

static JsonObject *
parse_truth (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gint64
ocmf_wh (AnxOcmf            *ocmf,
         AnxOcmfReadingRole  role)
{
  const AnxOcmfReading *reading = anx_ocmf_find_energy_reading (ocmf, role);
  double wh = 0;

  g_assert_nonnull (reading);
  g_assert_true (anx_ocmf_reading_get_wh (reading, &wh));
  return (gint64) (wh + 0.5);
}

/* Tests ------------------------------------------------------------------ */

static void
test_names (void)
{
  AnxSimAnomalyRates rates;

  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    {
      AnxSimAnomaly anomaly = ANX_SIM_N_ANOMALIES;
      const char *name = anx_sim_anomaly_to_string (i);

      g_assert_nonnull (name);
      g_assert_true (anx_sim_anomaly_from_string (name, &anomaly));
      g_assert_cmpint (anomaly, ==, i);
    }
  g_assert_null (anx_sim_anomaly_to_string (ANX_SIM_N_ANOMALIES));
  g_assert_false (anx_sim_anomaly_from_string ("over billing", NULL));

  anx_sim_anomaly_rates_init_none (&rates);
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    g_assert_cmpfloat (rates.per_charger_day[i], ==, 0);
  anx_sim_anomaly_rates_init_default (&rates);
  for (guint i = 0; i < ANX_SIM_N_ANOMALIES; i++)
    {
      /* a handful a day at Hangzhou scale */
      double per_day = rates.per_charger_day[i] * ANX_SIM_HANGZHOU_CHARGERS;

      g_assert_cmpfloat (per_day, >=, 1.0);
      g_assert_cmpfloat (per_day, <=, 20.0);
    }
}

static GBytes *
load_garbage (gpointer user_data,
              guint    charger_id)
{
  return charger_id == 3 ? g_bytes_new_static ("\x01garbage", 8) : NULL;
}

static void
test_refuses (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("tiny");
  g_autoptr(GError) error = NULL;
  AnxSimAnomalyRates rates;
  AnxSimEngine *engine;

  anx_sim_anomaly_rates_init_none (&rates);
  rates.per_charger_day[ANX_SIM_ANOMALY_OFFLINE] = 1.5;
  engine = anx_sim_engine_new (network, &rates, start_time_us (), NULL, NULL, &error);
  g_assert_null (engine);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  engine = anx_sim_engine_new (network, NULL, start_time_us (), load_garbage, NULL, &error);
  g_assert_null (engine);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_meter_keys (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("small");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimEngine) a = anx_sim_engine_new (network, NULL, start_time_us (), NULL, NULL,
                                                  &error);
  g_autoptr(AnxSimEngine) b = anx_sim_engine_new (network, NULL, start_time_us (), NULL, NULL,
                                                  &error);
  g_autoptr(GHashTable) fingerprints =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const AnxSimMeter *meters;
  guint n_meters;
  gboolean seen[ANX_SIGNATURE_ALGORITHM_LAST] = { FALSE };
  gint64 started = g_get_monotonic_time ();

  g_assert_no_error (error);
  meters = anx_sim_network_get_meters (network, &n_meters);
  for (guint i = 0; i < n_meters; i++)
    {
      g_autoptr(AnxMeterKey) key = anx_sim_engine_get_meter_key (a, meters[i].id);
      g_autoptr(AnxMeterKey) again = anx_sim_engine_get_meter_key (a, meters[i].id);
      g_autoptr(AnxMeterKey) other = anx_sim_engine_get_meter_key (b, meters[i].id);
      AnxSignatureAlgorithm algorithm =
          anx_signature_algorithm_from_ocmf (meters[i].signature_algorithm);

      g_assert_nonnull (key);
      g_assert_true (anx_meter_key_has_private (key));
      g_assert_cmpint (anx_meter_key_get_algorithm (key), ==, algorithm);
      g_assert_true (anx_meter_key_equal (key, other));
      g_assert_true (again == key);
      g_assert_true (
          g_hash_table_add (fingerprints, g_strdup (anx_meter_key_get_fingerprint (key))));
      seen[algorithm] = TRUE;
    }
  g_test_message ("%u meter keys derived in %.0f ms", n_meters,
                  (g_get_monotonic_time () - started) / 1000.0);
  g_assert_true (seen[ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256]);
  g_assert_true (seen[ANX_SIGNATURE_ALGORITHM_SM2_SM3]);
  g_assert_null (anx_sim_engine_get_meter_key (a, n_meters + 1));
}

static void
test_determinism (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("tiny");
  AnxSimAnomalyRates rates;
  gint64 steps[] = { start_time_us () + 3 * DAY };
  gint64 fine_steps[3 * 24 * 4];
  g_autoptr(Store) a = NULL;
  g_autoptr(Store) b = NULL;
  g_autoptr(Store) c = NULL;
  g_autofree char *hash_a = NULL;
  g_autofree char *hash_b = NULL;

  rates_high (&rates);
  a = run (network, &rates, steps, 1);
  b = run (network, &rates, steps, 1);
  hash_a = checksum_hex (a->all);
  hash_b = checksum_hex (b->all);
  g_test_message ("3 days of %u chargers: %u records, %u ground-truth lines, digest %s",
                  a->n_chargers, a->n_records, a->truth->len, hash_a);
  g_assert_cmpuint (a->n_records, >, 50);
  g_assert_cmpstr (hash_a, ==, hash_b);
  /* Pinned, so that a change of the model (or of its arithmetic on another
   * machine) is always noticed; update it deliberately, with the docs. */
  g_assert_cmpstr (hash_a, ==, "ca25d46342f8e17af2e533368bcc06756c8cbd8f9a90c77f1861e5acf7276089");

  /* cut into quarter hours: every charger's calls are the same */
  for (guint i = 0; i < G_N_ELEMENTS (fine_steps); i++)
    fine_steps[i] = start_time_us () + (i + 1) * HOUR / 4;
  c = run (network, &rates, fine_steps, G_N_ELEMENTS (fine_steps));
  for (guint i = 0; i < a->n_chargers; i++)
    g_assert_cmpstr (a->transcripts[i]->str, ==, c->transcripts[i]->str);
  g_assert_cmpuint (a->truth->len, ==, c->truth->len);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
test_restart (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("tiny");
  g_autoptr(GError) error = NULL;
  AnxSimAnomalyRates rates;
  gint64 t1 = start_time_us () + DAY + 13 * HOUR + G_GINT64_CONSTANT (37) * 60 * G_USEC_PER_SEC +
              250000;
  gint64 t2 = start_time_us () + 4 * DAY;
  gint64 steps[] = { t2 };
  g_autoptr(Store) once = NULL;
  g_autoptr(Store) twice = NULL;
  guint n_chargers;

  rates_high (&rates);
  once = run (network, &rates, steps, 1);

  anx_sim_network_get_chargers (network, &n_chargers);
  twice = store_new (n_chargers);
  {
    g_autoptr(AnxSimEngine) engine =
        anx_sim_engine_new (network, &rates, start_time_us (), store_load_state, twice, &error);

    g_assert_no_error (error);
    anx_sim_engine_run_until (engine, t1, &sink, twice);
  }
  g_assert_cmpuint (g_hash_table_size (twice->states), ==, n_chargers);
  {
    g_autoptr(AnxSimEngine) engine =
        anx_sim_engine_new (network, &rates, start_time_us (), store_load_state, twice, &error);

    g_assert_no_error (error);
    g_assert_cmpint (anx_sim_engine_get_time (engine), >=, t1);
    g_assert_cmpint (anx_sim_engine_get_time (engine), <, t1 + G_USEC_PER_SEC);
    anx_sim_engine_run_until (engine, t2, &sink, twice);
  }

  for (guint i = 0; i < n_chargers; i++)
    g_assert_cmpstr (once->transcripts[i]->str, ==, twice->transcripts[i]->str);
  g_assert_cmpuint (once->truth->len, ==, twice->truth->len);
  g_ptr_array_sort (once->truth, compare_strings);
  g_ptr_array_sort (twice->truth, compare_strings);
  for (guint i = 0; i < once->truth->len; i++)
    g_assert_cmpstr (once->truth->pdata[i], ==, twice->truth->pdata[i]);
  g_test_message ("restart at T1: %u records and %u ground-truth lines identical", once->n_records,
                  once->truth->len);
}

/* A clean run: genuine, continuous meter data, exact billing, and no
 * finding at all from the core verifier. */
static void
test_clean (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("small");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimEngine) engine = NULL;
  AnxSimAnomalyRates rates;
  const guint days = 7;
  g_autoptr(Store) store = NULL;
  guint n_chargers;
  guint n_charges = 0, n_multi_band = 0, n_single_checked = 0;
  guint64 dc_minutes = 0, ac_minutes = 0, dc_wh = 0, ac_wh = 0, n_dc = 0, n_ac = 0;
  guint hourly[24] = { 0 };
  double per_year;

  anx_sim_anomaly_rates_init_none (&rates);
  anx_sim_network_get_chargers (network, &n_chargers);
  store = store_new (n_chargers);
  engine = anx_sim_engine_new (network, &rates, start_time_us (), NULL, NULL, &error);
  g_assert_no_error (error);
  anx_sim_engine_run_until (engine, start_time_us () + days * DAY, &sink, store);
  g_assert_cmpuint (store->truth->len, ==, 0);

  for (guint id = 1; id <= n_chargers; id++)
    {
      const AnxSimCharger *charger = anx_sim_network_get_charger (network, id);
      const AnxSimStation *station = anx_sim_network_get_station (network, charger->station_id);
      const AnxSimOperator *op = anx_sim_network_get_operator (network, station->operator_id);
      const AnxSimTariff *tariff = &op->tariff;
      GPtrArray *records = store->records[id - 1];
      g_autoptr(AnxChargerEntry) entry = registry_entry (network, engine, store, id, TRUE);
      g_autoptr(GHashTable) found = verify_chain (entry, records);
      guint64 last_counter = 0;
      gint64 last_stop = -1;

      if (g_hash_table_size (found) > 0)
        {
          GHashTableIter iter;
          gpointer key;

          g_hash_table_iter_init (&iter, found);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            g_printerr ("%s: unexpected finding %s\n", charger->code, (const char *) key);
        }
      g_assert_cmpuint (g_hash_table_size (found), ==, 0);

      /* every charger announced itself, none went offline */
      g_assert_cmpuint (store->statuses[id - 1]->len, >=, 1);
      for (guint i = 0; i < store->statuses[id - 1]->len; i++)
        g_assert_cmpint (g_array_index (store->statuses[id - 1], StatusEvent, i).status, !=,
                         ANX_SIM_CHARGER_OFFLINE);

      for (guint i = 0; i < records->len; i++)
        {
          AnxChainRecord *record = records->pdata[i];
          g_autoptr(AnxOcmf) ocmf = NULL;
          const AnxOcmfReading *begin, *stop;
          guint64 counter = 0;
          gint64 start_wh, stop_wh, metered, sum = 0, expected;
          guint64 total = 0;
          const char *text;
          double minutes;
          int hour;

          g_assert_cmpuint (anx_chain_record_get_sequence (record), ==, i);
          g_assert_cmpint (anx_chain_record_get_kind (record), ==, ANX_CHAIN_RECORD_KIND_CHARGE);
          n_charges++;

          ocmf = anx_ocmf_parse (anx_chain_record_get_ocmf (record), -1, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (anx_ocmf_get_format_version (ocmf), ==, "1.0");
          g_assert_cmpstr (anx_ocmf_get_string (ocmf, "GS"), ==, charger->code);
          g_assert_cmpint (anx_ocmf_get_pagination (ocmf, &counter), ==,
                           ANX_OCMF_PAGINATION_TRANSACTION);
          g_assert_cmpuint (anx_ocmf_get_n_readings (ocmf), ==, 2);
          for (guint r = 0; r < 2; r++)
            {
              const AnxOcmfReading *reading = anx_ocmf_get_reading (ocmf, r);

              g_assert_cmpstr (reading->transaction, ==, r == 0 ? "B" : "E");
              g_assert_cmpint (reading->clock, ==, ANX_OCMF_CLOCK_SYNCHRONIZED);
              g_assert_cmpstr (reading->obis, ==, "1-0:1.8.0");
              g_assert_cmpstr (reading->unit, ==, "kWh");
              g_assert_cmpstr (reading->status, ==, "G");
              text = strchr (reading->value_text, '.');
              g_assert_nonnull (text);
              g_assert_cmpuint (strlen (text), ==, 4); /* three decimals */
            }

          /* registers only go up; pagination counts up by one */
          start_wh = ocmf_wh (ocmf, ANX_OCMF_READING_START);
          stop_wh = ocmf_wh (ocmf, ANX_OCMF_READING_STOP);
          metered = stop_wh - start_wh;
          g_assert_cmpint (metered, >, 0);
          if (last_stop >= 0)
            {
              g_assert_cmpint (start_wh, ==, last_stop);
              g_assert_cmpuint (counter, ==, last_counter + 1);
            }
          last_stop = stop_wh;
          last_counter = counter;

          /* billed = metered; the amount is the tariff's, exactly */
          g_assert_cmpint (anx_chain_record_get_billed_wh (record), ==, metered);
          g_assert_cmpuint (anx_chain_record_get_n_tariff_segments (record), >=, 1);
          for (guint s = 0; s < anx_chain_record_get_n_tariff_segments (record); s++)
            {
              const AnxTariffSegment *segment = anx_chain_record_get_tariff_segment (record, s);
              guint fen = g_str_equal (segment->label, "峰")   ? tariff->peak_fen_per_kwh
                          : g_str_equal (segment->label, "平") ? tariff->flat_fen_per_kwh
                          : g_str_equal (segment->label, "谷") ? tariff->valley_fen_per_kwh
                                                                : 0;

              g_assert_cmpuint (fen, >, 0);
              g_assert_cmpint (segment->price_millifen_per_kwh, ==,
                               (gint64) (fen + tariff->service_fen_per_kwh) * 1000);
              g_assert_cmpint (segment->energy_wh, >, 0);
              sum += segment->energy_wh;
              total += (guint64) segment->energy_wh * (guint64) segment->price_millifen_per_kwh;
            }
          g_assert_cmpint (sum, ==, metered);
          expected = (gint64) ((total + 500000) / 1000000);
          g_assert_cmpint (anx_chain_record_get_amount_fen (record), ==, expected);

          /* a session inside one tariff period has one segment of its band */
          begin = anx_ocmf_get_reading (ocmf, 0);
          stop = anx_ocmf_get_reading (ocmf, 1);
          {
            int b_minute = g_date_time_get_hour (begin->time) * 60 +
                           g_date_time_get_minute (begin->time);
            int e_minute = g_date_time_get_hour (stop->time) * 60 +
                           g_date_time_get_minute (stop->time);
            gboolean same_day = g_date_time_get_day_of_year (begin->time) ==
                                g_date_time_get_day_of_year (stop->time);

            for (guint p = 0; p < tariff->n_periods && same_day; p++)
              if (tariff->periods[p].start_minute <= b_minute &&
                  e_minute < tariff->periods[p].end_minute)
                {
                  const char *label = tariff->periods[p].band == ANX_SIM_TARIFF_BAND_PEAK   ? "峰"
                                      : tariff->periods[p].band == ANX_SIM_TARIFF_BAND_FLAT ? "平"
                                                                                            : "谷";

                  g_assert_cmpuint (anx_chain_record_get_n_tariff_segments (record), ==, 1);
                  g_assert_cmpstr (anx_chain_record_get_tariff_segment (record, 0)->label, ==,
                                   label);
                  n_single_checked++;
                }
          }
          if (anx_chain_record_get_n_tariff_segments (record) > 1)
            n_multi_band++;

          minutes = g_date_time_difference (stop->time, begin->time) / 6e7;
          hour = g_date_time_get_hour (begin->time);
          hourly[hour]++;
          if (charger->current == ANX_SIM_CURRENT_DC)
            {
              n_dc++;
              dc_minutes += (guint64) minutes;
              dc_wh += (guint64) metered;
              g_assert_cmpfloat (minutes, >=, 14.9);
              g_assert_cmpfloat (minutes, <=, 75.1);
            }
          else
            {
              n_ac++;
              ac_minutes += (guint64) minutes;
              ac_wh += (guint64) metered;
              g_assert_cmpfloat (minutes, >=, 29.9);
            }
        }
    }

  g_assert_cmpuint (n_multi_band, >, 0);
  g_assert_cmpuint (n_single_checked, >, 0);
  g_assert_cmpuint (n_dc, >, 0);
  g_assert_cmpuint (n_ac, >, 0);
  g_test_message ("DC sessions: %" G_GUINT64_FORMAT ", mean %.0f min, %.1f kWh; AC sessions: %"
                  G_GUINT64_FORMAT ", mean %.0f min, %.1f kWh",
                  n_dc, (double) dc_minutes / n_dc, dc_wh / 1000.0 / n_dc, n_ac,
                  (double) ac_minutes / n_ac, ac_wh / 1000.0 / n_ac);
  g_assert_cmpfloat ((double) dc_wh / 1000.0 / n_dc, >, 15);
  g_assert_cmpfloat ((double) dc_wh / 1000.0 / n_dc, <, 60);
  g_assert_cmpfloat ((double) ac_wh / 1000.0 / n_ac, >, 10);
  g_assert_cmpfloat ((double) ac_wh / 1000.0 / n_ac, <, 40);
  g_assert_cmpfloat ((double) ac_minutes / n_ac, >, 120);

  /* the midday and the late-evening peaks */
  g_test_message ("sessions started per hour: %u %u %u %u %u %u | %u %u %u %u %u %u | "
                  "%u %u %u %u %u %u | %u %u %u %u %u %u",
                  hourly[0], hourly[1], hourly[2], hourly[3], hourly[4], hourly[5], hourly[6],
                  hourly[7], hourly[8], hourly[9], hourly[10], hourly[11], hourly[12], hourly[13],
                  hourly[14], hourly[15], hourly[16], hourly[17], hourly[18], hourly[19],
                  hourly[20], hourly[21], hourly[22], hourly[23]);
  g_assert_cmpuint (hourly[12], >, 2 * hourly[4]);
  g_assert_cmpuint (hourly[22], >, 2 * hourly[4]);
  g_assert_cmpuint (hourly[12], >, hourly[16]);
  g_assert_cmpuint (hourly[22], >, hourly[20]);

  per_year = (double) n_charges / n_chargers * ANX_SIM_HANGZHOU_CHARGERS * 365.0 / days;
  g_test_message ("%u charge records from %u chargers in %u days: %.2f million a year at "
                  "Hangzhou scale (12,258 chargers; Hangzhou 2022: 10.136 million)",
                  n_charges, n_chargers, days, per_year / 1e6);
  g_assert_cmpfloat (per_year, >, 7e6);
  g_assert_cmpfloat (per_year, <, 13e6);
}

/* High anomaly rates: every ground-truth line is found on its charger and
 * record with its code, and nothing else is found anywhere. */
static void
test_anomalies (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("tiny");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimEngine) engine = NULL;
  AnxSimAnomalyRates rates;
  g_autoptr(Store) store = NULL;
  g_autoptr(GHashTable) expected = NULL; /* charger id → set of "seq:code" */
  guint counts[ANX_SIM_N_ANOMALIES] = { 0 };
  guint n_chargers, n_findings = 0, n_dirty = 0;
  gint64 end = start_time_us () + 6 * DAY;

  rates_high (&rates);
  anx_sim_network_get_chargers (network, &n_chargers);
  store = store_new (n_chargers);
  engine = anx_sim_engine_new (network, &rates, start_time_us (), NULL, NULL, &error);
  g_assert_no_error (error);
  anx_sim_engine_run_until (engine, end, &sink, store);

  expected = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                    (GDestroyNotify) g_hash_table_unref);
  for (guint id = 1; id <= n_chargers; id++)
    g_hash_table_insert (expected, GUINT_TO_POINTER (id),
                         g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));

  for (guint i = 0; i < store->truth->len; i++)
    {
      g_autoptr(JsonObject) line = parse_truth (store->truth->pdata[i]);
      AnxSimAnomaly anomaly;
      guint id = (guint) json_object_get_int_member (line, "charger_id");
      const AnxSimCharger *charger = anx_sim_network_get_charger (network, id);
      GHashTable *set = g_hash_table_lookup (expected, GUINT_TO_POINTER (id));
      JsonArray *findings = json_object_get_array_member (line, "findings");
      g_autoptr(GDateTime) when = NULL;

      g_assert_nonnull (charger);
      g_assert_cmpstr (json_object_get_string_member (line, "charger_code"), ==, charger->code);
      g_assert_true (anx_sim_anomaly_from_string (json_object_get_string_member (line, "anomaly"),
                                                  &anomaly));
      when = anx_chain_parse_time (json_object_get_string_member (line, "time"), &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_date_time_to_unix (when) * G_USEC_PER_SEC, >=, start_time_us ());
      g_assert_cmpint (g_date_time_to_unix (when) * G_USEC_PER_SEC, <, end);
      counts[anomaly]++;

      if (anomaly == ANX_SIM_ANOMALY_OFFLINE)
        {
          /* no chain finding: the status goes OFFLINE, nothing happens for
           * at least 30 minutes, then AVAILABLE */
          GArray *statuses = store->statuses[id - 1];
          gint64 from = g_date_time_to_unix (when) * G_USEC_PER_SEC;
          gint64 duration = json_object_get_int_member (line, "duration_s") * G_USEC_PER_SEC;
          gboolean found = FALSE;

          g_assert_true (json_object_get_null_member (line, "sequence"));
          g_assert_cmpuint (json_array_get_length (findings), ==, 0);
          g_assert_cmpint (duration, >=, G_GINT64_CONSTANT (30) * 60 * G_USEC_PER_SEC);
          for (guint s = 0; s < statuses->len; s++)
            {
              StatusEvent *event = &g_array_index (statuses, StatusEvent, s);

              if (event->status == ANX_SIM_CHARGER_OFFLINE && event->time_us == from)
                {
                  found = TRUE;
                  if (from + duration < end)
                    {
                      StatusEvent *next = &g_array_index (statuses, StatusEvent, s + 1);

                      g_assert_cmpuint (s + 1, <, statuses->len);
                      g_assert_cmpint (next->status, ==, ANX_SIM_CHARGER_AVAILABLE);
                      g_assert_cmpint (next->time_us, ==, from + duration);
                    }
                  for (guint k = 0; k < store->sessions[id - 1]->len; k++)
                    {
                      const char *session = store->sessions[id - 1]->pdata[k];
                      gint64 started = g_ascii_strtoll (strrchr (session, ' ') + 1, NULL, 10);

                      g_assert_false (started >= from && started < from + duration);
                    }
                }
            }
          g_assert_true (found);
          continue;
        }

      {
        guint64 sequence = (guint64) json_object_get_int_member (line, "sequence");
        GPtrArray *records = store->records[id - 1];
        AnxChainRecord *record = NULL;

        for (guint r = 0; r < records->len && record == NULL; r++)
          if (anx_chain_record_get_sequence (records->pdata[r]) == sequence)
            record = records->pdata[r];
        g_assert_nonnull (record);
        if (anomaly == ANX_SIM_ANOMALY_SEAL_OPENED)
          g_assert_cmpint (anx_chain_record_get_kind (record), ==, ANX_CHAIN_RECORD_KIND_SEAL);
        else if (anomaly == ANX_SIM_ANOMALY_METER_EXCHANGED)
          {
            g_assert_cmpint (anx_chain_record_get_kind (record), ==,
                             ANX_CHAIN_RECORD_KIND_METER_EXCHANGE);
            g_assert_cmpuint (json_array_get_length (findings), ==, 0);
          }
        else
          g_assert_cmpint (anx_chain_record_get_kind (record), ==, ANX_CHAIN_RECORD_KIND_CHARGE);
      }

      for (guint f = 0; f < json_array_get_length (findings); f++)
        {
          JsonObject *finding = json_array_get_object_element (findings, f);

          g_hash_table_add (set, g_strdup_printf ("%" G_GINT64_FORMAT ":%s",
                                                  json_object_get_int_member (finding, "sequence"),
                                                  json_object_get_string_member (finding, "code")));
        }
    }

  for (guint id = 1; id <= n_chargers; id++)
    {
      const AnxSimCharger *charger = anx_sim_network_get_charger (network, id);
      g_autoptr(AnxChargerEntry) entry = registry_entry (network, engine, store, id, TRUE);
      g_autoptr(GHashTable) found = verify_chain (entry, store->records[id - 1]);
      GHashTable *want = g_hash_table_lookup (expected, GUINT_TO_POINTER (id));
      GHashTableIter iter;
      gpointer key;
      gboolean same = TRUE;
      gboolean offline = FALSE;

      g_hash_table_iter_init (&iter, found);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (want, key))
          {
            g_printerr ("%s: finding %s is not in the ground truth\n", charger->code,
                        (const char *) key);
            same = FALSE;
          }
      g_hash_table_iter_init (&iter, want);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (!g_hash_table_contains (found, key))
          {
            g_printerr ("%s: ground truth %s was not found\n", charger->code, (const char *) key);
            same = FALSE;
          }
      g_assert_true (same);
      n_findings += g_hash_table_size (found);

      /* OFFLINE only where the ground truth says so */
      for (guint s = 0; s < store->statuses[id - 1]->len; s++)
        offline |= g_array_index (store->statuses[id - 1], StatusEvent, s).status ==
                   ANX_SIM_CHARGER_OFFLINE;
      if (offline || g_hash_table_size (want) > 0)
        n_dirty++;
      if (offline)
        {
          gboolean listed = FALSE;

          for (guint i = 0; i < store->truth->len; i++)
            {
              g_autoptr(JsonObject) line = parse_truth (store->truth->pdata[i]);

              listed |= json_object_get_int_member (line, "charger_id") == id &&
                        g_str_equal (json_object_get_string_member (line, "anomaly"), "offline");
            }
          g_assert_true (listed);
        }

      /* a meter exchange the registry does not know is found */
      if (store->key_changes[id - 1]->len > 0)
        {
          g_autoptr(AnxChargerEntry) stale = registry_entry (network, engine, store, id, FALSE);
          g_autoptr(GHashTable) stale_found = verify_chain (stale, store->records[id - 1]);
          KeyChange *change = store->key_changes[id - 1]->pdata[0];
          g_autofree char *wanted = g_strdup_printf ("%" G_GUINT64_FORMAT ":%s",
                                                     change->from_sequence - 1,
                                                     ANX_FINDING_METER_EXCHANGE_UNREGISTERED);

          g_assert_true (g_hash_table_contains (stale_found, wanted));
        }
    }

  for (guint a = 0; a < ANX_SIM_N_ANOMALIES; a++)
    {
      g_test_message ("%-22s %u", anx_sim_anomaly_to_string (a), counts[a]);
      g_assert_cmpuint (counts[a], >, 0);
    }
  g_test_message ("%u ground-truth lines, %u findings, on %u of %u chargers", store->truth->len,
                  n_findings, n_dirty, n_chargers);
  g_assert_cmpuint (n_findings, >, 0);
}

/* Default rates on the small network: anomalies are rare, and chargers
 * without one have clean chains. */
static void
test_default_rates (void)
{
  g_autoptr(AnxSimNetwork) network = network_new ("small");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxSimEngine) engine = NULL;
  AnxSimAnomalyRates rates;
  g_autoptr(Store) store = NULL;
  g_autoptr(GHashTable) dirty = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint n_chargers;

  anx_sim_anomaly_rates_init_default (&rates);
  anx_sim_network_get_chargers (network, &n_chargers);
  store = store_new (n_chargers);
  engine = anx_sim_engine_new (network, &rates, start_time_us (), NULL, NULL, &error);
  g_assert_no_error (error);
  anx_sim_engine_run_until (engine, start_time_us () + 2 * DAY, &sink, store);

  for (guint i = 0; i < store->truth->len; i++)
    {
      g_autoptr(JsonObject) line = parse_truth (store->truth->pdata[i]);

      g_hash_table_add (dirty, GUINT_TO_POINTER (json_object_get_int_member (line, "charger_id")));
    }
  g_test_message ("default rates, %u chargers, 2 days: %u ground-truth lines", n_chargers,
                  store->truth->len);
  g_assert_cmpuint (store->truth->len, <, n_chargers / 4);
  for (guint id = 1; id <= n_chargers; id++)
    if (!g_hash_table_contains (dirty, GUINT_TO_POINTER (id)))
      {
        g_autoptr(AnxChargerEntry) entry = registry_entry (network, engine, store, id, TRUE);
        g_autoptr(GHashTable) found = verify_chain (entry, store->records[id - 1]);

        g_assert_cmpuint (g_hash_table_size (found), ==, 0);
      }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim-engine/names", test_names);
  g_test_add_func ("/sim-engine/refuses", test_refuses);
  g_test_add_func ("/sim-engine/meter-keys", test_meter_keys);
  g_test_add_func ("/sim-engine/determinism", test_determinism);
  g_test_add_func ("/sim-engine/restart", test_restart);
  g_test_add_func ("/sim-engine/clean", test_clean);
  g_test_add_func ("/sim-engine/anomalies", test_anomalies);
  g_test_add_func ("/sim-engine/default-rates", test_default_rates);

  return g_test_run ();
}
