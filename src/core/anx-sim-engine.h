/* anx-sim-engine.h: what happens on the simulated network — sessions, signed
 * meter readings, billing, chain records and injected anomalies
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine is deterministic: the same network, seed, rates and start time
 * give the same events, records and signatures, whether the run is done in
 * one go or resumed from saved charger states after a restart. It owns no
 * storage: it reads chain heads and writes everything through an AnxSimSink,
 * so anxin-feedd stores it in its ledger and tests can collect it in memory.
 *
 * Contract between the engine (implemented in anx-sim-engine.c) and its
 * users (anxin-feedd's ledger and the tests). Keep it stable.
 */

#pragma once

#include <glib.h>

#include "anx-chain-record.h"
#include "anx-meter-key.h"
#include "anx-sim-network.h"

G_BEGIN_DECLS

typedef enum
{
  ANX_SIM_ANOMALY_OVER_BILLING,        /* a meter's operator bills 2–8 % above metered */
  ANX_SIM_ANOMALY_AMOUNT_MANIPULATION, /* amount ≠ tariff × billed energy */
  ANX_SIM_ANOMALY_FORGED_SIGNATURE,    /* signed with a key that is not the meter's */
  ANX_SIM_ANOMALY_CORRUPTED_SIGNATURE, /* signature bytes altered in transit */
  ANX_SIM_ANOMALY_CHAIN_EDITED,        /* a record changed after it was hashed */
  ANX_SIM_ANOMALY_CHAIN_REMOVED,       /* a record missing from the chain */
  ANX_SIM_ANOMALY_CHAIN_FORK,          /* two records with the same sequence */
  ANX_SIM_ANOMALY_SEAL_OPENED,         /* the electronic seal reports an opening */
  ANX_SIM_ANOMALY_METER_EXCHANGED,     /* a meter replaced (a new key, a record says so) */
  ANX_SIM_ANOMALY_CLOCK_UNSYNCHRONISED,/* readings with an unsynchronised clock */
  ANX_SIM_ANOMALY_OFFLINE,             /* a charger stops reporting for a while */
  ANX_SIM_ANOMALY_UNREGISTERED_KEY,    /* a meter signs with a key the registry lacks */
  ANX_SIM_N_ANOMALIES
} AnxSimAnomaly;

/* Probability per charger per simulated day that the anomaly starts on that
 * charger (over-billing then persists on that meter; the others concern one
 * record or one event). 0 disables it. */
typedef struct
{
  double per_charger_day[ANX_SIM_N_ANOMALIES];
} AnxSimAnomalyRates;

typedef enum
{
  ANX_SIM_CHARGER_AVAILABLE,
  ANX_SIM_CHARGER_CHARGING,
  ANX_SIM_CHARGER_OFFLINE,
  ANX_SIM_CHARGER_FAULT,
} AnxSimChargerStatus;

/* What the engine must remember about one charger between runs. Opaque
 * bytes: the sink stores them beside the charger's records, in the same
 * transaction, and hands them back to anx_sim_engine_new() after a restart. */
typedef struct _AnxSimChargerState AnxSimChargerState;

typedef struct
{
  /* The chain's current head (sequence of the last record and its hash, or
   * FALSE for an empty chain). Records appended by others — inspections —
   * are seen here. */
  gboolean (*get_chain_head)   (gpointer        user_data,
                                guint           charger_id,
                                guint64        *sequence,
                                guint8         *hash);
  /* One record for the charger's chain, sequence and links set by the
   * engine (a tampered record may break them on purpose). */
  void     (*append_record)    (gpointer        user_data,
                                guint           charger_id,
                                AnxChainRecord *record);
  void     (*charger_status)   (gpointer        user_data,
                                guint           charger_id,
                                AnxSimChargerStatus status,
                                gint64          time_us);
  void     (*session_started)  (gpointer        user_data,
                                guint           charger_id,
                                const char     *session_id,
                                gint64          time_us,
                                gint64          meter_start_wh);
  void     (*session_progress) (gpointer        user_data,
                                guint           charger_id,
                                const char     *session_id,
                                gint64          time_us,
                                gint64          power_w,
                                gint64          energy_wh,
                                gint64          amount_fen);
  void     (*session_ended)    (gpointer        user_data,
                                guint           charger_id,
                                const char     *session_id,
                                gint64          time_us,
                                gint64          energy_wh,
                                gint64          amount_fen);
  /* A new meter key took effect (meter exchange), for the registry. An
   * unregistered key is never reported here. */
  void     (*meter_key_changed)(gpointer        user_data,
                                guint           charger_id,
                                const char     *meter_serial,
                                AnxMeterKey    *public_key,
                                guint64         from_sequence);
  /* One line of the ground-truth log (JSON object, no newline): what was
   * injected, on which charger, which record (sequence) and when. */
  void     (*ground_truth)     (gpointer        user_data,
                                const char     *json_line);
  /* The charger's state after the events above, to be stored with them. */
  void     (*save_state)       (gpointer        user_data,
                                guint           charger_id,
                                GBytes         *state);
} AnxSimSink;

typedef struct _AnxSimEngine AnxSimEngine;

/* clang-format off */
void          anx_sim_anomaly_rates_init_none    (AnxSimAnomalyRates       *rates);
void          anx_sim_anomaly_rates_init_default (AnxSimAnomalyRates       *rates);
const char   *anx_sim_anomaly_to_string          (AnxSimAnomaly             anomaly);
gboolean      anx_sim_anomaly_from_string        (const char               *name,
                                                  AnxSimAnomaly            *anomaly);

/* @start_us: simulated wall-clock time (µs since the Unix epoch) at which
 * the run starts when there is no saved state. @load_state returns the saved
 * state of a charger, or NULL if none. */
AnxSimEngine *anx_sim_engine_new                 (AnxSimNetwork            *network,
                                                  const AnxSimAnomalyRates *rates,
                                                  gint64                    start_us,
                                                  GBytes                 *(*load_state) (gpointer user_data,
                                                                                         guint    charger_id),
                                                  gpointer                  user_data,
                                                  GError                  **error);
void          anx_sim_engine_free                (AnxSimEngine             *engine);

/* The meter's registered public key (deterministic from the seed), and for
 * tests the private key the engine signs with. */
AnxMeterKey  *anx_sim_engine_get_meter_key       (AnxSimEngine             *engine,
                                                  guint                     meter_id);
gint64        anx_sim_engine_get_time            (AnxSimEngine             *engine);

/* Runs the simulation up to @until_us (simulated time), calling @sink in
 * time order. Chargers are independent; the engine may process them in any
 * order but each charger's calls are in time order. */
void          anx_sim_engine_run_until           (AnxSimEngine             *engine,
                                                  gint64                    until_us,
                                                  const AnxSimSink         *sink,
                                                  gpointer                  user_data);
/* clang-format on */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxSimEngine, anx_sim_engine_free)

G_END_DECLS
