/* anx-chain-verifier.c: checks a charger's chain record by record
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-chain-verifier"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "anx-chain-verifier.h"
#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-signature.h"

/* The rules applied here are documented in docs/feed-protocol.md,
 * "Verifying a chain"; keep the two in step. */

/* 1 Wh, the register's resolution, in mWh: the floor of the tolerance */
#define ENERGY_FLOOR_MWH 1000

typedef struct
{
  AnxOcmfPaginationKind counter_kind;
  guint64 counter;
  gboolean has_stop;
  gint64 stop_mwh;
} MeterState;

struct _AnxChainVerifier
{
  GObject parent_instance;

  AnxChargerEntry *charger;
  guint64 next_sequence;
  guint8 head_hash[ANX_CHAIN_HASH_SIZE];
  guint n_verified;
  /* sequence (gint64*) → hash of the record accepted there */
  GHashTable *seen;
  /* how many sequences behind the head @seen remembers; 0: all */
  guint window;
  /* meter serial → MeterState, for counters and registers across records */
  GHashTable *meters;
  /* AnxMeterEntry* → AnxMeterKey*, parsed once */
  GHashTable *keys;
  /* parsed keys shared with other verifiers, or NULL */
  AnxKeyCache *key_cache;
  /* what the record being added was checked for */
  AnxChainChecks performed;
};

G_DEFINE_FINAL_TYPE (AnxChainVerifier, anx_chain_verifier, G_TYPE_OBJECT)

static void
anx_chain_verifier_finalize (GObject *object)
{
  AnxChainVerifier *self = ANX_CHAIN_VERIFIER (object);

  g_clear_pointer (&self->charger, anx_charger_entry_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->meters, g_hash_table_unref);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_clear_pointer (&self->key_cache, anx_key_cache_unref);

  G_OBJECT_CLASS (anx_chain_verifier_parent_class)->finalize (object);
}

static void
anx_chain_verifier_class_init (AnxChainVerifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = anx_chain_verifier_finalize;
}

static void
anx_chain_verifier_init (AnxChainVerifier *self)
{
  self->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->meters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->keys = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                      (GDestroyNotify) anx_meter_key_unref);
  memcpy (self->head_hash, anx_chain_genesis_hash (), ANX_CHAIN_HASH_SIZE);
}

/* With a window, the hashes far behind @head go: twice the window's worth
 * are kept at most, so that the table is swept now and then, not at every
 * record. */
static void
forget_old_sequences (AnxChainVerifier *self,
                      guint64           head)
{
  GHashTableIter iter;
  gpointer key;

  if (self->window == 0 || g_hash_table_size (self->seen) <= 2 * self->window)
    return;
  g_hash_table_iter_init (&iter, self->seen);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if ((guint64) *(gint64 *) key + self->window < head)
      g_hash_table_iter_remove (&iter);
}

/**
 * anx_chain_verifier_set_window:
 * @window: how many sequences behind the head to remember, or 0 for all
 *   (the default)
 *
 * A verifier remembers the hash of every record it accepted, to tell a
 * record received twice from a fork at the same sequence number, and to
 * name the record a fork departs from. One that lives as long as the
 * console, fed a charger's records for weeks, would grow with each of
 * them; with a window it remembers the last @window (up to twice as many
 * between sweeps). A record further back that is not a duplicate the
 * caller already dropped is reported as a fork, without the existing
 * record's hash.
 */
void
anx_chain_verifier_set_window (AnxChainVerifier *self,
                               guint             window)
{
  g_return_if_fail (ANX_IS_CHAIN_VERIFIER (self));

  self->window = window;
  forget_old_sequences (self, self->next_sequence);
}

/**
 * anx_chain_verifier_new:
 * @charger: the registry entry of the charger whose chain is verified: it
 *   names the meters, their keys and accuracy classes
 *
 * Creates a verifier that expects record 0 next, linked to the genesis
 * value; see anx_chain_verifier_start_at() for verifying from elsewhere.
 *
 * Returns: (transfer full): a new verifier
 */
AnxChainVerifier *
anx_chain_verifier_new (AnxChargerEntry *charger)
{
  AnxChainVerifier *self;

  g_return_val_if_fail (charger != NULL, NULL);

  self = g_object_new (ANX_TYPE_CHAIN_VERIFIER, NULL);
  self->charger = anx_charger_entry_ref (charger);
  return self;
}

/**
 * anx_chain_verifier_set_key_cache:
 * @self: a verifier
 * @cache: (nullable): parsed meter keys shared with other verifiers
 *
 * Makes the verifier take its meters' parsed keys from @cache (keyed by
 * meter serial and key bytes) instead of parsing them itself, so that
 * verifiers built again and again for the same charger parse each key
 * once. Call it before the first record.
 */
void
anx_chain_verifier_set_key_cache (AnxChainVerifier *self,
                                  AnxKeyCache      *cache)
{
  g_return_if_fail (ANX_IS_CHAIN_VERIFIER (self));

  g_clear_pointer (&self->key_cache, anx_key_cache_unref);
  if (cache != NULL)
    self->key_cache = anx_key_cache_ref (cache);
}

/**
 * anx_chain_verifier_get_charger:
 * @self: a verifier
 *
 * Returns: (transfer none): the registry entry it verifies against
 */
AnxChargerEntry *
anx_chain_verifier_get_charger (AnxChainVerifier *self)
{
  g_return_val_if_fail (ANX_IS_CHAIN_VERIFIER (self), NULL);
  return self->charger;
}

/**
 * anx_chain_verifier_start_at:
 * @self: a verifier
 * @sequence: the sequence number expected next
 * @prev_hash: (nullable): the hash that record must link to (%NULL for
 *   the genesis value)
 *
 * Positions the verifier, e.g. at the start of an evidence bundle's range.
 */
void
anx_chain_verifier_start_at (AnxChainVerifier *self,
                             guint64           sequence,
                             const guint8     *prev_hash)
{
  g_return_if_fail (ANX_IS_CHAIN_VERIFIER (self));

  self->next_sequence = sequence;
  memcpy (self->head_hash, prev_hash != NULL ? prev_hash : anx_chain_genesis_hash (),
          ANX_CHAIN_HASH_SIZE);
}

guint64
anx_chain_verifier_get_next_sequence (AnxChainVerifier *self)
{
  g_return_val_if_fail (ANX_IS_CHAIN_VERIFIER (self), 0);
  return self->next_sequence;
}

/**
 * anx_chain_verifier_get_head_hash:
 * @self: a verifier
 *
 * Returns: (transfer none): the hash the next record must link to
 */
const guint8 *
anx_chain_verifier_get_head_hash (AnxChainVerifier *self)
{
  g_return_val_if_fail (ANX_IS_CHAIN_VERIFIER (self), NULL);
  return self->head_hash;
}

/**
 * anx_chain_verifier_get_n_verified:
 * @self: a verifier
 *
 * Returns: how many records were accepted into the chain so far (not
 *   counting duplicates and forks)
 */
guint
anx_chain_verifier_get_n_verified (AnxChainVerifier *self)
{
  g_return_val_if_fail (ANX_IS_CHAIN_VERIFIER (self), 0);
  return self->n_verified;
}

static AnxFindingSeverity
severity_of (const char *code)
{
  static const char *const warnings[] = {
    ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE, ANX_FINDING_CLOCK_UNSYNCHRONISED, ANX_FINDING_COUNTER_GAP,
    ANX_FINDING_TARIFF_INCONSISTENT,      ANX_FINDING_INSPECTION_FAILED,    NULL,
  };

  return g_strv_contains (warnings, code) ? ANX_FINDING_SEVERITY_WARNING
                                          : ANX_FINDING_SEVERITY_CRITICAL;
}

static AnxFinding *
report (GPtrArray      *findings,
        AnxChainRecord *record,
        const char     *code,
        const char     *message)
{
  AnxFinding *finding = anx_finding_new (
      code, severity_of (code), anx_chain_record_get_charger_id (record),
      anx_chain_record_get_sequence (record), anx_chain_record_get_hash (record), message);

  g_ptr_array_add (findings, finding);
  return finding;
}

static char *
format_kwh (gint64 mwh)
{
  return g_strdup_printf ("%.3f", (double) mwh / 1e6);
}

static char *
format_yuan (gint64 fen)
{
  return g_strdup_printf ("%s%" G_GINT64_FORMAT ".%02d", fen < 0 ? "-" : "", ABS (fen) / 100,
                          (int) (ABS (fen) % 100));
}

static char *
format_u64 (guint64 value)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

static void
set_hash_detail (AnxFinding   *finding,
                 const char   *name,
                 const guint8 *hash)
{
  g_autofree char *hex = anx_chain_hash_to_hex (hash);

  anx_finding_set_string (finding, name, hex);
}

static AnxMeterKey *
get_key (AnxChainVerifier     *self,
         const AnxMeterEntry  *meter,
         char                **reason)
{
  g_autoptr(GError) error = NULL;
  AnxMeterKey *key = g_hash_table_lookup (self->keys, meter);
  gsize len;
  const guint8 *der;

  if (key != NULL)
    return key;

  der = g_bytes_get_data (meter->public_key, &len);
  if (self->key_cache != NULL)
    key = anx_key_cache_get_der (self->key_cache, meter->serial, der, len, &error);
  else
    key = anx_meter_key_new_from_der (der, len, &error);
  if (key == NULL)
    {
      *reason = g_strdup (error->message);
      return NULL;
    }
  g_hash_table_insert (self->keys, (gpointer) meter, key);
  return key;
}

static MeterState *
meter_state (AnxChainVerifier *self,
             const char       *serial)
{
  MeterState *state = g_hash_table_lookup (self->meters, serial);

  if (state == NULL)
    {
      state = g_new0 (MeterState, 1);
      g_hash_table_insert (self->meters, g_strdup (serial), state);
    }
  return state;
}

static void
check_signature (AnxChainVerifier *self,
                 AnxChainRecord   *record,
                 AnxOcmf          *ocmf,
                 const char       *serial,
                 GPtrArray        *candidates,
                 GPtrArray        *findings)
{
  g_autofree char *last_reason = NULL;
  AnxFinding *finding;
  g_autofree char *message = NULL;

  for (guint i = 0; i < candidates->len; i++)
    {
      const AnxMeterEntry *meter = g_ptr_array_index (candidates, i);
      AnxSignatureAlgorithm registered = anx_signature_algorithm_from_ocmf (meter->algorithm);
      AnxSignatureAlgorithm used = anx_ocmf_get_signature_algorithm (ocmf);
      char *reason = NULL;
      AnxMeterKey *key;

      if (registered != used)
        {
          g_free (last_reason);
          last_reason =
              g_strdup_printf (_("the record is signed with %s, the meter is registered "
                                  "with %s"),
                               anx_ocmf_get_signature_algorithm_name (ocmf), meter->algorithm);
          continue;
        }

      key = get_key (self, meter, &reason);
      if (key != NULL && anx_signature_verify_ocmf (ocmf, key, &reason) == ANX_SIGNATURE_VALID)
        {
          g_free (reason);
          return;
        }
      g_free (last_reason);
      last_reason = reason;
    }

  message = g_strdup_printf (_("The signature of meter %s does not verify: %s"), serial,
                             last_reason != NULL ? last_reason : "");
  finding = report (findings, record, ANX_FINDING_SIGNATURE_INVALID, message);
  anx_finding_set_string (finding, "meter_serial", serial);
  anx_finding_set_string (finding, "reason", last_reason);
}

static void
check_readings (AnxChainRecord *record,
                AnxOcmf        *ocmf,
                GPtrArray      *findings)
{
  g_autoptr(GString) statuses = g_string_new (NULL);
  g_autoptr(GString) clocks = g_string_new (NULL);

  for (guint i = 0; i < anx_ocmf_get_n_readings (ocmf); i++)
    {
      const AnxOcmfReading *reading = anx_ocmf_get_reading (ocmf, i);

      if (reading->status != NULL && !g_str_equal (reading->status, "G") &&
          strstr (statuses->str, reading->status) == NULL)
        g_string_append (statuses, reading->status);
      if (reading->clock != ANX_OCMF_CLOCK_NONE && reading->clock != ANX_OCMF_CLOCK_SYNCHRONIZED &&
          strchr (clocks->str, (char) reading->clock) == NULL)
        g_string_append_c (clocks, (char) reading->clock);
    }

  if (statuses->len > 0)
    {
      g_autofree char *message =
          g_strdup_printf (_("The meter reports status %s instead of G (good)"), statuses->str);
      AnxFinding *finding = report (findings, record, ANX_FINDING_METER_STATUS, message);

      anx_finding_set_string (finding, "status", statuses->str);
    }
  if (clocks->len > 0)
    {
      g_autofree char *message = g_strdup_printf (
          _("The meter's clock was not synchronised (time status %s instead of S)"), clocks->str);
      AnxFinding *finding = report (findings, record, ANX_FINDING_CLOCK_UNSYNCHRONISED, message);

      anx_finding_set_string (finding, "clock_status", clocks->str);
    }
}

static void
check_counter (AnxChainRecord *record,
               AnxOcmf        *ocmf,
               MeterState     *state,
               GPtrArray      *findings)
{
  guint64 counter = 0;
  AnxOcmfPaginationKind kind = anx_ocmf_get_pagination (ocmf, &counter);

  if (kind == ANX_OCMF_PAGINATION_NONE)
    return;

  if (state->counter_kind == kind && counter != state->counter + 1)
    {
      g_autofree char *from = g_strdup_printf ("%c%" G_GUINT64_FORMAT, (char) kind, state->counter);
      g_autofree char *to = g_strdup_printf ("%c%" G_GUINT64_FORMAT, (char) kind, counter);
      g_autofree char *message =
          g_strdup_printf (_("The meter's pagination counter goes from %s to %s"), from, to);
      AnxFinding *finding = report (findings, record, ANX_FINDING_COUNTER_GAP, message);

      anx_finding_set_int (finding, "previous_counter", (gint64) state->counter);
      anx_finding_set_int (finding, "expected_counter", (gint64) state->counter + 1);
      anx_finding_set_int (finding, "counter", (gint64) counter);
    }
  state->counter_kind = kind;
  state->counter = counter;
}

/* billed vs metered, in integers: see "Energy tolerance" in the docs */
static void
check_energy (AnxChainRecord *record,
              gint64          metered_mwh,
              const char     *accuracy_class,
              guint           tolerance_bp,
              GPtrArray      *findings)
{
  gint64 billed_wh = anx_chain_record_get_billed_wh (record);
  gint64 billed_mwh = billed_wh * 1000;
  guint64 diff = (guint64) ABS (billed_mwh - metered_mwh);
  guint64 lhs, rhs;
  gboolean outside;
  g_autofree char *billed_text = NULL;
  g_autofree char *metered_text = NULL;
  g_autofree char *message = NULL;
  AnxFinding *finding;
  double tolerance_percent = tolerance_bp / 100.0;

  if (diff <= ENERGY_FLOOR_MWH)
    return;

  if (g_uint64_checked_mul (&lhs, diff, 10000) &&
      g_uint64_checked_mul (&rhs, (guint64) ABS (metered_mwh), tolerance_bp))
    outside = lhs > rhs;
  else
    outside = (double) diff * 10000.0 > fabs ((double) metered_mwh) * tolerance_bp;
  if (!outside)
    return;

  billed_text = format_kwh (billed_mwh);
  metered_text = format_kwh (metered_mwh);
  if (metered_mwh != 0)
    {
      double deviation = 100.0 * (double) (billed_mwh - metered_mwh) / (double) metered_mwh;

      /* TRANSLATORS: "billed 31.200 kWh, meter 29.410 kWh (+6.1 %), class 1 allows ±1.0 %" */
      message =
          g_strdup_printf (_("Billed %s kWh, meter %s kWh (%+.1f %%), class %s allows "
                              "±%.1f %%"),
                           billed_text, metered_text, deviation, accuracy_class, tolerance_percent);
      finding = report (findings, record, ANX_FINDING_ENERGY_MISMATCH, message);
      anx_finding_set_double (finding, "deviation_percent", deviation);
    }
  else
    {
      message = g_strdup_printf (_("Billed %s kWh, but the meter measured nothing"), billed_text);
      finding = report (findings, record, ANX_FINDING_ENERGY_MISMATCH, message);
    }
  anx_finding_set_int (finding, "billed_wh", billed_wh);
  anx_finding_set_double (finding, "metered_wh", (double) metered_mwh / 1000.0);
  anx_finding_set_double (finding, "tolerance_percent", tolerance_percent);
  anx_finding_set_string (finding, "accuracy_class", accuracy_class);
}

static void
check_billing (AnxChainRecord *record,
               GPtrArray      *findings)
{
  gint64 expected = 0;
  gint64 amount = anx_chain_record_get_amount_fen (record);
  gint64 billed_wh = anx_chain_record_get_billed_wh (record);
  gint64 tariff_wh = 0;
  gboolean overflow = FALSE;

  for (guint i = 0; i < anx_chain_record_get_n_tariff_segments (record); i++)
    {
      const AnxTariffSegment *segment = anx_chain_record_get_tariff_segment (record, i);

      if (segment->energy_wh > G_MAXINT64 - tariff_wh)
        overflow = TRUE;
      else
        tariff_wh += segment->energy_wh;
    }

  if (overflow || tariff_wh != billed_wh)
    {
      g_autofree char *billed_text = format_kwh (billed_wh * 1000);
      g_autofree char *tariff_text = overflow ? g_strdup ("∞") : format_kwh (tariff_wh * 1000);
      g_autofree char *message = g_strdup_printf (
          _("Billed %s kWh, but the tariff periods add up to %s kWh"), billed_text, tariff_text);
      AnxFinding *finding = report (findings, record, ANX_FINDING_TARIFF_INCONSISTENT, message);

      anx_finding_set_int (finding, "billed_wh", billed_wh);
      if (!overflow)
        anx_finding_set_int (finding, "tariff_wh", tariff_wh);
    }

  if (!anx_chain_record_expected_amount (record, &expected))
    {
      AnxFinding *finding =
          report (findings, record, ANX_FINDING_AMOUNT_MISMATCH,
                  _("The tariff's amount cannot be computed: the numbers are too large"));

      anx_finding_set_int (finding, "amount_fen", amount);
    }
  else if (expected != amount)
    {
      g_autofree char *amount_text = format_yuan (amount);
      g_autofree char *expected_text = format_yuan (expected);
      g_autofree char *energy_text = format_kwh (billed_wh * 1000);
      g_autofree char *message = g_strdup_printf (_("Billed ¥%s, the tariff gives ¥%s for %s kWh"),
                                                  amount_text, expected_text, energy_text);
      AnxFinding *finding = report (findings, record, ANX_FINDING_AMOUNT_MISMATCH, message);

      anx_finding_set_int (finding, "amount_fen", amount);
      anx_finding_set_int (finding, "expected_amount_fen", expected);
      anx_finding_set_int (finding, "difference_fen", amount - expected);
      anx_finding_set_int (finding, "billed_wh", billed_wh);
    }
}

static void
check_charge (AnxChainVerifier *self,
              AnxChainRecord   *record,
              GPtrArray        *findings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxOcmf) ocmf = NULL;
  g_autoptr(GPtrArray) candidates = NULL;
  const AnxOcmfReading *start, *stop;
  const char *serial;
  const char *accuracy_class = NULL;
  guint tolerance_bp = 0;
  MeterState *state;
  double start_wh, stop_wh;

  ocmf = anx_ocmf_parse (anx_chain_record_get_ocmf (record), -1, &error);
  if (ocmf == NULL)
    {
      g_autofree char *message =
          g_strdup_printf (_("The meter's signed data cannot be read: %s"), error->message);
      AnxFinding *finding = report (findings, record, ANX_FINDING_OCMF_MALFORMED, message);

      anx_finding_set_string (finding, "reason", error->message);
      check_billing (record, findings);
      self->performed |= ANX_CHAIN_CHECK_AMOUNT;
      return;
    }

  serial = anx_ocmf_get_string (ocmf, "MS");
  if (serial == NULL)
    serial = "";
  candidates =
      anx_charger_entry_find_meters (self->charger, serial, anx_chain_record_get_sequence (record));

  if (candidates->len == 0)
    {
      g_autofree char *message =
          g_strdup_printf (_("No key is registered for meter “%s” at this record"), serial);
      AnxFinding *finding = report (findings, record, ANX_FINDING_UNKNOWN_METER_KEY, message);

      anx_finding_set_string (finding, "meter_serial", serial);
    }
  else
    {
      const AnxMeterEntry *meter = g_ptr_array_index (candidates, 0);

      accuracy_class = meter->accuracy_class;
      tolerance_bp = meter->tolerance_bp;
      check_signature (self, record, ocmf, serial, candidates, findings);
      self->performed |= ANX_CHAIN_CHECK_SIGNATURE;
    }

  check_readings (record, ocmf, findings);
  self->performed |= ANX_CHAIN_CHECK_METER_STATUS;

  state = meter_state (self, serial);
  if (state->counter_kind != ANX_OCMF_PAGINATION_NONE &&
      anx_ocmf_get_pagination (ocmf, NULL) == state->counter_kind)
    self->performed |= ANX_CHAIN_CHECK_COUNTER;
  check_counter (record, ocmf, state, findings);

  start = anx_ocmf_find_energy_reading (ocmf, ANX_OCMF_READING_START);
  stop = anx_ocmf_find_energy_reading (ocmf, ANX_OCMF_READING_STOP);
  if (start != NULL && stop != NULL && anx_ocmf_reading_get_wh (start, &start_wh) &&
      anx_ocmf_reading_get_wh (stop, &stop_wh))
    {
      gint64 start_mwh = (gint64) llround (start_wh * 1000.0);
      gint64 stop_mwh = (gint64) llround (stop_wh * 1000.0);

      if (state->has_stop)
        self->performed |= ANX_CHAIN_CHECK_REGISTER;
      if (state->has_stop && start_mwh < state->stop_mwh)
        {
          g_autofree char *start_text = format_kwh (start_mwh);
          g_autofree char *previous_text = format_kwh (state->stop_mwh);
          g_autofree char *message =
              g_strdup_printf (_("The start reading %s kWh is below the previous stop reading "
                                  "%s kWh of meter %s"),
                               start_text, previous_text, serial);
          AnxFinding *finding = report (findings, record, ANX_FINDING_REGISTER_REGRESSION, message);

          anx_finding_set_double (finding, "start_wh", (double) start_mwh / 1000.0);
          anx_finding_set_double (finding, "previous_stop_wh", (double) state->stop_mwh / 1000.0);
          anx_finding_set_string (finding, "meter_serial", serial);
        }
      state->has_stop = TRUE;
      state->stop_mwh = stop_mwh;

      if (tolerance_bp > 0)
        {
          check_energy (record, stop_mwh - start_mwh, accuracy_class, tolerance_bp, findings);
          self->performed |= ANX_CHAIN_CHECK_ENERGY;
        }
    }
  else
    {
      AnxFinding *finding =
          report (findings, record, ANX_FINDING_ENERGY_MISMATCH,
                  _("The meter's signed data has no start and stop energy reading to compare "
                     "the billed energy with"));

      anx_finding_set_int (finding, "billed_wh", anx_chain_record_get_billed_wh (record));
    }

  check_billing (record, findings);
  self->performed |= ANX_CHAIN_CHECK_AMOUNT;
}

static void
check_seal (AnxChainRecord *record,
            GPtrArray      *findings)
{
  g_autofree char *when = NULL;
  g_autofree char *message = NULL;
  AnxFinding *finding;

  if (anx_chain_record_get_seal_action (record) != ANX_SEAL_ACTION_OPENED)
    return;

  when = anx_chain_format_time (anx_chain_record_get_event_time (record));
  message = g_strdup_printf (_("Seal %s of the meter was opened at %s"),
                             anx_chain_record_get_seal_id (record), when);
  finding = report (findings, record, ANX_FINDING_SEAL_OPENED, message);
  anx_finding_set_string (finding, "seal_id", anx_chain_record_get_seal_id (record));
  anx_finding_set_string (finding, "event_time", when);
  anx_finding_set_int (finding, "signed",
                       *anx_chain_record_get_signed_signal (record) != '\0' ? 1 : 0);
}

static void
check_meter_exchange (AnxChainVerifier *self,
                      AnxChainRecord   *record,
                      GPtrArray        *findings)
{
  const char *serial = anx_chain_record_get_new_meter_serial (record);
  GBytes *key = anx_chain_record_get_new_public_key (record);
  g_autoptr(GPtrArray) candidates = anx_charger_entry_find_meters (
      self->charger, serial, anx_chain_record_get_sequence (record) + 1);
  g_autofree char *message = NULL;
  AnxFinding *finding;

  self->performed |= ANX_CHAIN_CHECK_REGISTRY;
  for (guint i = 0; i < candidates->len; i++)
    {
      const AnxMeterEntry *meter = g_ptr_array_index (candidates, i);

      if (key != NULL && g_bytes_equal (meter->public_key, key))
        return;
    }

  message = g_strdup_printf (_("The meter was exchanged for meter “%s”, but the registry holds "
                                "no such meter and key for the records that follow"),
                             serial);
  finding = report (findings, record, ANX_FINDING_METER_EXCHANGE_UNREGISTERED, message);
  anx_finding_set_string (finding, "new_meter_serial", serial);
}

static void
check_inspection (AnxChainRecord *record,
                  GPtrArray      *findings)
{
  AnxInspectionResult result = anx_chain_record_get_inspection_result (record);
  g_autofree char *message = NULL;
  AnxFinding *finding;
  gint32 error_bp;

  if (result == ANX_INSPECTION_RESULT_FAIL)
    message = g_strdup_printf (_("The meter failed the inspection by %s"),
                               anx_chain_record_get_inspector (record));
  else if (result == ANX_INSPECTION_RESULT_SUSPENDED)
    message = g_strdup_printf (_("The charger was suspended at the inspection by %s"),
                               anx_chain_record_get_inspector (record));
  else
    return;

  finding = report (findings, record, ANX_FINDING_INSPECTION_FAILED, message);
  anx_finding_set_string (finding, "result", anx_inspection_result_to_string (result));
  anx_finding_set_string (finding, "inspector", anx_chain_record_get_inspector (record));
  if (anx_chain_record_get_measured_error (record, &error_bp))
    anx_finding_set_int (finding, "measured_error_bp", error_bp);
}

/**
 * anx_chain_verifier_add:
 * @self: a verifier
 * @record: the next record received for the charger
 *
 * Verifies @record against the state left by the records before it: its
 * hash, its link and sequence number, and what its kind calls for (for a
 * charge: the meter signature with the key registered for the meter at
 * that sequence number, meter and clock status, pagination counter,
 * register continuity, billed energy against the accuracy class, amount
 * against the tariff). The record then becomes the chain's head, unless it
 * is a duplicate or a fork of a record already accepted: those are
 * reported and otherwise left out.
 *
 * Returns: (transfer container) (element-type AnxFinding): the findings for
 *   @record, empty when all is well
 */
GPtrArray *
anx_chain_verifier_add (AnxChainVerifier *self,
                        AnxChainRecord   *record)
{
  return anx_chain_verifier_add_full (self, record, NULL);
}

/**
 * anx_chain_verifier_add_full:
 * @self: a verifier
 * @record: the next record received for the charger
 * @performed: (out) (optional): the checks that could be carried out
 *
 * Like anx_chain_verifier_add(), and says which checks were done, so that
 * a display can tell "verified" from "could not be verified".
 *
 * Returns: (transfer container) (element-type AnxFinding): the findings for
 *   @record, empty when all is well
 */
GPtrArray *
anx_chain_verifier_add_full (AnxChainVerifier *self,
                             AnxChainRecord   *record,
                             AnxChainChecks   *performed)
{
  GPtrArray *findings = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_finding_unref);
  guint64 sequence;
  const guint8 *hash;

  g_return_val_if_fail (ANX_IS_CHAIN_VERIFIER (self), findings);
  g_return_val_if_fail (record != NULL, findings);

  sequence = anx_chain_record_get_sequence (record);
  hash = anx_chain_record_get_hash (record);
  self->performed = 0;
  if (anx_chain_record_get_stated_hash (record) != NULL)
    self->performed |= ANX_CHAIN_CHECK_HASH;

  if (!anx_chain_record_hash_is_valid (record))
    {
      guint8 computed[ANX_CHAIN_HASH_SIZE];
      AnxFinding *finding = report (findings, record, ANX_FINDING_CHAIN_HASH_MISMATCH,
                                    _("The record's content does not match its hash: it was "
                                       "changed after it was written"));

      anx_chain_record_compute_hash (record, computed);
      set_hash_detail (finding, "stated_hash", hash);
      set_hash_detail (finding, "computed_hash", computed);
    }

  if (g_strcmp0 (anx_chain_record_get_charger_id (record),
                 anx_charger_entry_get_charger_id (self->charger)) != 0)
    {
      g_autofree char *message =
          g_strdup_printf (_("The record belongs to charger “%s”, not to this chain"),
                           anx_chain_record_get_charger_id (record));
      AnxFinding *finding = report (findings, record, ANX_FINDING_CHARGER_MISMATCH, message);

      anx_finding_set_string (finding, "expected_charger_id",
                              anx_charger_entry_get_charger_id (self->charger));
    }

  if (sequence < self->next_sequence)
    {
      gint64 key = (gint64) sequence;
      const guint8 *prior = g_hash_table_lookup (self->seen, &key);
      g_autofree char *number = format_u64 (sequence);

      if (prior != NULL && memcmp (prior, hash, ANX_CHAIN_HASH_SIZE) == 0)
        {
          g_autofree char *message = g_strdup_printf (_("Record %s was received twice"), number);

          report (findings, record, ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE, message);
        }
      else
        {
          g_autofree char *message = g_strdup_printf (
              _("Another record %s is already in the chain: the chain forks here"), number);
          AnxFinding *finding = report (findings, record, ANX_FINDING_CHAIN_FORK, message);

          if (prior != NULL)
            set_hash_detail (finding, "existing_hash", prior);
        }
      if (performed != NULL)
        *performed = self->performed;
      return findings;
    }

  if (sequence > self->next_sequence)
    {
      guint64 missing = sequence - self->next_sequence;
      g_autofree char *count = format_u64 (missing);
      g_autofree char *message =
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s record is missing before this one",
                                        "%s records are missing before this one",
                                        (gulong) MIN (missing, G_MAXULONG)),
                           count);
      AnxFinding *finding = report (findings, record, ANX_FINDING_CHAIN_SEQUENCE_GAP, message);

      anx_finding_set_int (finding, "expected_sequence", (gint64) self->next_sequence);
      anx_finding_set_int (finding, "missing", (gint64) missing);
    }
  else
    self->performed |= ANX_CHAIN_CHECK_LINK;

  if (sequence == self->next_sequence &&
      memcmp (anx_chain_record_get_prev_hash (record), self->head_hash, ANX_CHAIN_HASH_SIZE) != 0)
    {
      AnxFinding *finding = report (
          findings, record, ANX_FINDING_CHAIN_LINK_BROKEN,
          sequence == 0 ? _("The first record does not link to the genesis value")
                        : _("The record does not link to the hash of the record before it"));

      set_hash_detail (finding, "expected_prev_hash", self->head_hash);
      set_hash_detail (finding, "prev_hash", anx_chain_record_get_prev_hash (record));
    }

  switch (anx_chain_record_get_kind (record))
    {
    case ANX_CHAIN_RECORD_KIND_CHARGE:
      check_charge (self, record, findings);
      break;
    case ANX_CHAIN_RECORD_KIND_SEAL:
      check_seal (record, findings);
      break;
    case ANX_CHAIN_RECORD_KIND_METER_EXCHANGE:
      check_meter_exchange (self, record, findings);
      break;
    case ANX_CHAIN_RECORD_KIND_INSPECTION:
      check_inspection (record, findings);
      break;
    default:
      g_assert_not_reached ();
    }

  {
    gint64 *key = g_new (gint64, 1);

    *key = (gint64) sequence;
    g_hash_table_replace (self->seen, key, g_memdup2 (hash, ANX_CHAIN_HASH_SIZE));
    forget_old_sequences (self, sequence);
  }
  memcpy (self->head_hash, hash, ANX_CHAIN_HASH_SIZE);
  self->next_sequence = sequence + 1;
  self->n_verified++;

  if (performed != NULL)
    *performed = self->performed;
  return findings;
}

/**
 * anx_chain_verifier_seed:
 * @self: a verifier
 * @record: a record verified earlier
 *
 * Takes @record into the state as the chain's head without reporting
 * anything, so that a client that keeps only recent records (the console)
 * can resume verifying after restarting. Seed the last charge record of
 * each meter too, for counter and register continuity; seed in sequence
 * order, the newest last.
 */
void
anx_chain_verifier_seed (AnxChainVerifier *self,
                         AnxChainRecord   *record)
{
  g_autoptr(GPtrArray) ignored = NULL;

  g_return_if_fail (ANX_IS_CHAIN_VERIFIER (self));

  anx_chain_verifier_start_at (self, anx_chain_record_get_sequence (record),
                               anx_chain_record_get_prev_hash (record));
  ignored = anx_chain_verifier_add (self, record);
}

/**
 * anx_chain_verifier_finish:
 * @self: a verifier
 * @last_sequence: the sequence number the chain (or range) should end at,
 *   or G_MAXUINT64 if it is open-ended
 *
 * Reports records missing at the end: a gap cannot be seen from the
 * records that are there.
 *
 * Returns: (transfer container) (element-type AnxFinding): the findings
 */
GPtrArray *
anx_chain_verifier_finish (AnxChainVerifier *self,
                           guint64           last_sequence)
{
  GPtrArray *findings = g_ptr_array_new_with_free_func ((GDestroyNotify) anx_finding_unref);

  g_return_val_if_fail (ANX_IS_CHAIN_VERIFIER (self), findings);

  if (last_sequence != G_MAXUINT64 && self->next_sequence <= last_sequence)
    {
      guint64 missing = last_sequence - self->next_sequence + 1;
      g_autofree char *count = format_u64 (missing);
      g_autofree char *message = g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%s record is missing at the end",
                       "%s records are missing at the end", (gulong) MIN (missing, G_MAXULONG)),
          count);
      AnxFinding *finding = anx_finding_new (
          ANX_FINDING_CHAIN_SEQUENCE_GAP, ANX_FINDING_SEVERITY_CRITICAL,
          anx_charger_entry_get_charger_id (self->charger), last_sequence, NULL, message);

      anx_finding_set_int (finding, "expected_sequence", (gint64) self->next_sequence);
      anx_finding_set_int (finding, "missing", (gint64) missing);
      g_ptr_array_add (findings, finding);
    }
  return findings;
}
