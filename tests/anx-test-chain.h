/* anx-test-chain.h: signed chains built at test time
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only so that each chain test builds from its own .c file: real
 * meter keys are generated, real OCMF records signed, and the records
 * linked exactly as a feed server would, so the tests see what the
 * console will see.
 */

#pragma once

#include <string.h>

#include "anx-chain-record.h"
#include "anx-chain-verifier.h"
#include "anx-charger-entry.h"
#include "anx-meter-key.h"
#include "anx-signature.h"

typedef struct
{
  AnxMeterKey *key;
  char *serial;
  guint64 counter;
  gint64 register_wh;
} AnxTestMeter;

/* What a charge record should look like; zero means "as it should be" */
typedef struct
{
  gint64 energy_wh;
  gint64 billed_delta_wh;
  gint64 amount_delta_fen;
  const char *status;
  char clock;
  guint counter_skip;
  gint64 register_back_wh;
  gboolean forge;
} AnxTestCharge;

typedef struct
{
  AnxChargerEntry *entry;
  GPtrArray *records;
  GDateTime *base;
} AnxTestChain;

#define ANX_TEST_PRICE_MILLIFEN 85320

static inline AnxTestMeter *
anx_test_meter_new (const char            *serial,
                    AnxSignatureAlgorithm  algorithm)
{
  g_autoptr(GError) error = NULL;
  AnxTestMeter *meter = g_new0 (AnxTestMeter, 1);

  meter->key = anx_meter_key_generate (algorithm, &error);
  g_assert_no_error (error);
  meter->serial = g_strdup (serial);
  meter->register_wh = 1204518;
  return meter;
}

static inline void
anx_test_meter_free (AnxTestMeter *meter)
{
  anx_meter_key_unref (meter->key);
  g_free (meter->serial);
  g_free (meter);
}

static inline AnxTestChain *
anx_test_chain_new (const char *charger_id)
{
  AnxTestChain *chain = g_new0 (AnxTestChain, 1);

  chain->entry = anx_charger_entry_new (charger_id);
  anx_charger_entry_set_station (chain->entry, "330106-0042", "西湖区文三路充电站");
  anx_charger_entry_set_operator (chain->entry, "OP-17", "杭州安心充电运营有限公司");
  chain->records = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_chain_record_unref);
  chain->base = g_date_time_new_from_iso8601 ("2026-03-14T09:00:00+08:00", NULL);
  return chain;
}

static inline void
anx_test_chain_free (AnxTestChain *chain)
{
  anx_charger_entry_unref (chain->entry);
  g_ptr_array_unref (chain->records);
  g_date_time_unref (chain->base);
  g_free (chain);
}

static inline void
anx_test_chain_register (AnxTestChain *chain,
                         AnxTestMeter *meter,
                         const char   *accuracy_class,
                         guint64       from_sequence,
                         guint64       to_sequence)
{
  GBytes *der = anx_meter_key_get_der (meter->key);

  anx_charger_entry_add_meter (
      chain->entry, meter->serial, "DC-M1", accuracy_class,
      anx_signature_algorithm_to_ocmf (anx_meter_key_get_algorithm (meter->key)), der,
      from_sequence, to_sequence);
}

static inline GDateTime *
anx_test_chain_time (AnxTestChain *chain,
                     guint64       sequence)
{
  return g_date_time_add_minutes (chain->base, (int) sequence * 47);
}

/* Sets sequence, link and stated hash of @record as the next in @chain */
static inline AnxChainRecord *
anx_test_chain_append (AnxTestChain   *chain,
                       AnxChainRecord *record)
{
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  anx_chain_record_set_sequence (record, chain->records->len);
  if (chain->records->len == 0)
    anx_chain_record_set_prev_hash (record, NULL);
  else
    anx_chain_record_set_prev_hash (record, anx_chain_record_get_hash (g_ptr_array_index (
                                                chain->records, chain->records->len - 1)));
  anx_chain_record_set_stated_hash (record, NULL);
  anx_chain_record_compute_hash (record, hash);
  anx_chain_record_set_stated_hash (record, hash);
  g_ptr_array_add (chain->records, record);
  return record;
}

/* Rewrites history from @index on, as a forger who recomputes hashes would */
static inline void
anx_test_chain_relink (AnxTestChain *chain,
                       guint         index)
{
  g_autoptr(GPtrArray) tail =
      g_ptr_array_new_with_free_func ((GDestroyNotify) anx_chain_record_unref);

  while (chain->records->len > index)
    g_ptr_array_insert (tail, 0, g_ptr_array_steal_index (chain->records, chain->records->len - 1));
  for (guint i = 0; i < tail->len; i++)
    anx_test_chain_append (chain, anx_chain_record_ref (g_ptr_array_index (tail, i)));
}

static inline char *
anx_test_kwh_text (gint64 wh)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%03d", wh / 1000, (int) (wh % 1000));
}

static inline char *
anx_test_sign_charge (AnxTestMeter        *meter,
                      const AnxTestCharge *spec,
                      gint64              *metered_wh)
{
  g_autoptr(GError) error = NULL;
  gint64 energy = spec->energy_wh != 0 ? spec->energy_wh : 31200;
  gint64 start = meter->register_wh - spec->register_back_wh;
  gint64 stop = start + energy;
  g_autofree char *start_text = anx_test_kwh_text (start);
  g_autofree char *stop_text = anx_test_kwh_text (stop);
  const char *status = spec->status != NULL ? spec->status : "G";
  char clock = spec->clock != 0 ? spec->clock : 'S';
  g_autofree char *payload = NULL;
  char *ocmf;

  meter->counter += 1 + spec->counter_skip;
  payload = g_strdup_printf (
      "{\"FV\":\"1.0\",\"GI\":\"ANXIN-TEST\",\"GS\":\"330106-0042-DC02\",\"GV\":\"0.1.0\","
      "\"PG\":\"T%" G_GUINT64_FORMAT "\",\"MV\":\"Anxin\",\"MM\":\"DC-M1\",\"MS\":\"%s\","
      "\"IS\":false,\"IL\":\"NONE\",\"IF\":[],\"IT\":\"NONE\",\"ID\":\"\",\"RD\":["
      "{\"TM\":\"2026-03-14T09:05:12,000+0800 %c\",\"TX\":\"B\",\"RV\":%s,"
      "\"RI\":\"01-00:01.08.00.FF\",\"RU\":\"kWh\",\"RT\":\"DC\",\"EF\":\"\",\"ST\":\"%s\"},"
      "{\"TM\":\"2026-03-14T09:42:10,000+0800 %c\",\"TX\":\"E\",\"RV\":%s,"
      "\"RI\":\"01-00:01.08.00.FF\",\"RU\":\"kWh\",\"RT\":\"DC\",\"EF\":\"\",\"ST\":\"%s\"}]}",
      meter->counter, meter->serial, clock, start_text, status, clock, stop_text, status);
  ocmf = anx_signature_sign_ocmf (meter->key, payload, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ocmf);

  if (spec->forge)
    {
      /* the meter signed "ID":"", the forger claims another identity */
      char *at = strstr (ocmf, "\"ID\":\"\"");
      g_autofree char *forged = NULL;

      g_assert_nonnull (at);
      forged = g_strdup_printf ("%.*s\"ID\":\"X\"%s", (int) (at - ocmf), ocmf, at + 7);
      g_free (ocmf);
      ocmf = g_steal_pointer (&forged);
    }

  meter->register_wh = stop;
  *metered_wh = energy;
  return ocmf;
}

static inline AnxChainRecord *
anx_test_chain_add_charge (AnxTestChain        *chain,
                           AnxTestMeter        *meter,
                           const AnxTestCharge *spec)
{
  static const AnxTestCharge plain = { 0 };
  guint64 sequence = chain->records->len;
  g_autoptr(GDateTime) at = anx_test_chain_time (chain, sequence);
  g_autofree char *session = g_strdup_printf ("S-%" G_GUINT64_FORMAT, sequence);
  g_autofree char *ocmf = NULL;
  AnxChainRecord *record;
  gint64 metered = 0;
  gint64 billed, amount = 0;

  if (spec == NULL)
    spec = &plain;
  ocmf = anx_test_sign_charge (meter, spec, &metered);
  billed = metered + spec->billed_delta_wh;

  record =
      anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE,
                            anx_charger_entry_get_charger_id (chain->entry), sequence, NULL, at);
  anx_chain_record_set_charge (record, session, ocmf, billed, 0);
  anx_chain_record_add_tariff_segment (record, "平", billed, ANX_TEST_PRICE_MILLIFEN);
  g_assert_true (anx_chain_record_expected_amount (record, &amount));
  anx_chain_record_set_charge (record, session, ocmf, billed, amount + spec->amount_delta_fen);
  return anx_test_chain_append (chain, record);
}

static inline AnxChainRecord *
anx_test_chain_add_seal (AnxTestChain  *chain,
                         AnxSealAction  action)
{
  guint64 sequence = chain->records->len;
  g_autoptr(GDateTime) at = anx_test_chain_time (chain, sequence);
  AnxChainRecord *record =
      anx_chain_record_new (ANX_CHAIN_RECORD_KIND_SEAL,
                            anx_charger_entry_get_charger_id (chain->entry), sequence, NULL, at);

  anx_chain_record_set_seal (record, "HZ-SEAL-0099812", action, at,
                             action == ANX_SEAL_ACTION_OPENED ? "AXS1.sig" : NULL);
  return anx_test_chain_append (chain, record);
}

static inline AnxChainRecord *
anx_test_chain_add_inspection (AnxTestChain        *chain,
                               AnxInspectionResult  result)
{
  guint64 sequence = chain->records->len;
  g_autoptr(GDateTime) at = anx_test_chain_time (chain, sequence);
  AnxChainRecord *record =
      anx_chain_record_new (ANX_CHAIN_RECORD_KIND_INSPECTION,
                            anx_charger_entry_get_charger_id (chain->entry), sequence, NULL, at);

  anx_chain_record_set_inspection (record, "王建国", result, at, "现场检定，误差 +0.35 %。",
                                   "idem-1");
  anx_chain_record_set_measured_error (record, TRUE, 35);
  anx_chain_record_add_seal_applied (record, "HZ-SEAL-0100230");
  return anx_test_chain_append (chain, record);
}

static inline AnxChainRecord *
anx_test_chain_add_meter_exchange (AnxTestChain *chain,
                                   AnxTestMeter *old_meter,
                                   AnxTestMeter *new_meter)
{
  guint64 sequence = chain->records->len;
  g_autoptr(GDateTime) at = anx_test_chain_time (chain, sequence);
  GBytes *old_key = anx_meter_key_get_der (old_meter->key);
  GBytes *new_key = anx_meter_key_get_der (new_meter->key);
  AnxChainRecord *record =
      anx_chain_record_new (ANX_CHAIN_RECORD_KIND_METER_EXCHANGE,
                            anx_charger_entry_get_charger_id (chain->entry), sequence, NULL, at);

  anx_chain_record_set_meter_exchange (record, old_meter->serial, old_key, new_meter->serial,
                                       new_key, "检定不合格，更换电能表");
  return anx_test_chain_append (chain, record);
}

static inline int
anx_test_compare_strings (gconstpointer a,
                          gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* "seq:code" of every finding, sorted and comma-separated ("" if none) */
static inline char *
anx_test_finding_codes (GPtrArray *findings)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < findings->len; i++)
    {
      AnxFinding *finding = g_ptr_array_index (findings, i);

      g_ptr_array_add (codes, g_strdup_printf ("%" G_GUINT64_FORMAT ":%s",
                                               anx_finding_get_sequence (finding),
                                               anx_finding_get_code (finding)));
    }
  g_ptr_array_sort (codes, anx_test_compare_strings);
  g_ptr_array_add (codes, NULL);
  return g_strjoinv (",", (char **) codes->pdata);
}

/* Verifies @records from record 0 and returns all findings */
static inline GPtrArray *
anx_test_verify (AnxChargerEntry *entry,
                 GPtrArray       *records)
{
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (entry);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_finding_unref);

  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(GPtrArray) findings =
          anx_chain_verifier_add (verifier, g_ptr_array_index (records, i));

      for (guint j = 0; j < findings->len; j++)
        g_ptr_array_add (all, anx_finding_ref (g_ptr_array_index (findings, j)));
    }
  return all;
}
