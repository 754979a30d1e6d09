/* test-chain-verifier.c: real signed chains, then every kind of tampering
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "anx-test-chain.h"

typedef struct
{
  AnxTestChain *chain;
  AnxTestMeter *a;
  AnxTestMeter *b;
} Fixture;

/* 0 charge(a), 1 charge(a), 2 seal applied, 3 charge(a), 4 inspection pass,
 * 5 meter exchange a → b, 6 charge(b), 7 charge(b). Meter b signs with
 * SM2, so both signature families are exercised. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->chain = anx_test_chain_new ("330106-0042-DC02");
  f->a = anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  f->b = anx_test_meter_new ("AXM-2026-000107", ANX_SIGNATURE_ALGORITHM_SM2_SM3);
  anx_test_chain_register (f->chain, f->a, "1", 0, 5);
  if (data == NULL)
    anx_test_chain_register (f->chain, f->b, "1", 6, G_MAXUINT64);

  anx_test_chain_add_charge (f->chain, f->a, NULL);
  anx_test_chain_add_charge (f->chain, f->a, NULL);
  anx_test_chain_add_seal (f->chain, ANX_SEAL_ACTION_APPLIED);
  anx_test_chain_add_charge (f->chain, f->a, NULL);
  anx_test_chain_add_inspection (f->chain, ANX_INSPECTION_RESULT_PASS);
  anx_test_chain_add_meter_exchange (f->chain, f->a, f->b);
  anx_test_chain_add_charge (f->chain, f->b, NULL);
  anx_test_chain_add_charge (f->chain, f->b, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  anx_test_chain_free (f->chain);
  anx_test_meter_free (f->a);
  anx_test_meter_free (f->b);
}

static AnxChainRecord *
record_at (Fixture *f,
           guint    index)
{
  return g_ptr_array_index (f->chain->records, index);
}

static void
assert_codes (Fixture    *f,
              const char *expected)
{
  g_autoptr(GPtrArray) findings = anx_test_verify (f->chain->entry, f->chain->records);
  g_autofree char *codes = anx_test_finding_codes (findings);

  for (guint i = 0; i < findings->len; i++)
    g_test_message ("%s", anx_finding_get_message (g_ptr_array_index (findings, i)));
  g_assert_cmpstr (codes, ==, expected);
}

/* A chain with one charge record built from @spec after a plain one */
static AnxTestChain *
single_charge_chain (AnxTestMeter        *meter,
                     const char          *accuracy_class,
                     const AnxTestCharge *spec)
{
  AnxTestChain *chain = anx_test_chain_new ("330106-0042-DC02");

  anx_test_chain_register (chain, meter, accuracy_class, 0, G_MAXUINT64);
  anx_test_chain_add_charge (chain, meter, NULL);
  anx_test_chain_add_charge (chain, meter, spec);
  return chain;
}

static char *
codes_for_charge (const char           *accuracy_class,
                  const AnxTestCharge  *spec,
                  GPtrArray           **findings_out)
{
  AnxTestMeter *meter =
      anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  AnxTestChain *chain = single_charge_chain (meter, accuracy_class, spec);
  g_autoptr(GPtrArray) findings = anx_test_verify (chain->entry, chain->records);
  char *codes = anx_test_finding_codes (findings);

  for (guint i = 0; i < findings->len; i++)
    g_test_message ("%s", anx_finding_get_message (g_ptr_array_index (findings, i)));
  if (findings_out != NULL)
    *findings_out = g_ptr_array_ref (findings);
  anx_test_chain_free (chain);
  anx_test_meter_free (meter);
  return codes;
}

static void
test_clean (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (f->chain->entry);

  assert_codes (f, "");

  for (guint i = 0; i < f->chain->records->len; i++)
    {
      g_autoptr(GPtrArray) findings = anx_chain_verifier_add (verifier, record_at (f, i));

      g_assert_cmpuint (findings->len, ==, 0);
    }
  g_assert_cmpuint (anx_chain_verifier_get_n_verified (verifier), ==, 8);
  g_assert_cmpuint (anx_chain_verifier_get_next_sequence (verifier), ==, 8);
  g_assert_cmpmem (anx_chain_verifier_get_head_hash (verifier), ANX_CHAIN_HASH_SIZE,
                   anx_chain_record_get_hash (record_at (f, 7)), ANX_CHAIN_HASH_SIZE);
}

static void
test_edit (Fixture       *f,
           gconstpointer  data)
{
  AnxChainRecord *record = record_at (f, 3);

  /* the session identifier changes, the stated hash stays */
  anx_chain_record_set_charge (record, "S-EDITED", anx_chain_record_get_ocmf (record),
                               anx_chain_record_get_billed_wh (record),
                               anx_chain_record_get_amount_fen (record));
  assert_codes (f, "3:chain-hash-mismatch");
}

static void
test_edit_and_rehash (Fixture       *f,
                      gconstpointer  data)
{
  AnxChainRecord *record = record_at (f, 3);
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  anx_chain_record_set_charge (record, "S-EDITED", anx_chain_record_get_ocmf (record),
                               anx_chain_record_get_billed_wh (record),
                               anx_chain_record_get_amount_fen (record));
  anx_chain_record_compute_hash (record, hash);
  anx_chain_record_set_stated_hash (record, hash);
  assert_codes (f, "4:chain-link-broken");
}

static void
test_genesis_link (Fixture       *f,
                   gconstpointer  data)
{
  guint8 other[ANX_CHAIN_HASH_SIZE];
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  /* record 0 links elsewhere, with a consistent hash and the rest relinked */
  memset (other, 7, sizeof other);
  anx_chain_record_set_prev_hash (record_at (f, 0), other);
  anx_chain_record_compute_hash (record_at (f, 0), hash);
  anx_chain_record_set_stated_hash (record_at (f, 0), hash);
  anx_test_chain_relink (f->chain, 1);
  assert_codes (f, "0:chain-link-broken");
}

static void
test_remove_seal (Fixture       *f,
                  gconstpointer  data)
{
  g_ptr_array_remove_index (f->chain->records, 2);
  assert_codes (f, "3:chain-sequence-gap");
}

static void
test_remove_charge (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) findings = NULL;
  gint64 missing = 0;

  g_ptr_array_remove_index (f->chain->records, 1);
  /* the meter's own counter shows the missing session too */
  assert_codes (f, "2:chain-sequence-gap,3:counter-gap");

  findings = anx_test_verify (f->chain->entry, f->chain->records);
  g_assert_true (anx_finding_lookup_int (g_ptr_array_index (findings, 0), "missing", &missing));
  g_assert_cmpint (missing, ==, 1);
}

static void
test_fork (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(AnxChainRecord) fork = anx_chain_record_copy (record_at (f, 3));
  guint8 hash[ANX_CHAIN_HASH_SIZE];

  anx_chain_record_set_charge (fork, "S-OTHER", anx_chain_record_get_ocmf (fork),
                               anx_chain_record_get_billed_wh (fork),
                               anx_chain_record_get_amount_fen (fork));
  anx_chain_record_compute_hash (fork, hash);
  anx_chain_record_set_stated_hash (fork, hash);
  g_ptr_array_insert (f->chain->records, 4, anx_chain_record_ref (fork));
  assert_codes (f, "3:chain-fork");
}

static void
test_duplicate (Fixture       *f,
                gconstpointer  data)
{
  g_ptr_array_insert (f->chain->records, 4, anx_chain_record_copy (record_at (f, 3)));
  assert_codes (f, "3:chain-sequence-duplicate");
}

static void
test_exchange_unregistered (Fixture       *f,
                            gconstpointer  data)
{
  /* set up without meter b in the registry */
  assert_codes (f, "5:meter-exchange-unregistered,6:unknown-meter-key,7:unknown-meter-key");
}

static void
test_old_meter_after_exchange (Fixture       *f,
                               gconstpointer  data)
{
  /* meter a's key is valid up to record 5 only */
  g_ptr_array_set_size (f->chain->records, 6);
  anx_test_chain_add_charge (f->chain, f->a, NULL);
  assert_codes (f, "6:unknown-meter-key");
}

static void
test_seal_opened_and_failed_inspection (void)
{
  AnxTestChain *chain = anx_test_chain_new ("C9");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *codes = NULL;

  anx_test_chain_add_seal (chain, ANX_SEAL_ACTION_OPENED);
  anx_test_chain_add_inspection (chain, ANX_INSPECTION_RESULT_FAIL);
  anx_test_chain_add_inspection (chain, ANX_INSPECTION_RESULT_SEALED);
  anx_test_chain_add_seal (chain, ANX_SEAL_ACTION_CLOSED);
  anx_test_chain_add_inspection (chain, ANX_INSPECTION_RESULT_SUSPENDED);
  findings = anx_test_verify (chain->entry, chain->records);
  codes = anx_test_finding_codes (findings);
  g_assert_cmpstr (codes, ==, "0:seal-opened,1:inspection-failed,4:inspection-failed");
  g_assert_cmpint (anx_finding_get_severity (g_ptr_array_index (findings, 0)), ==,
                   ANX_FINDING_SEVERITY_CRITICAL);
  anx_test_chain_free (chain);
}

static void
test_over_billing (void)
{
  /* 5 % over on a class 1 meter */
  AnxTestCharge spec = { .energy_wh = 31200, .billed_delta_wh = 1560 };
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *codes = codes_for_charge ("1", &spec, &findings);
  AnxFinding *finding = g_ptr_array_index (findings, 0);
  g_autofree char *hash_hex = NULL;
  gint64 billed = 0;
  double metered = 0, deviation = 0, tolerance = 0;

  g_assert_cmpstr (codes, ==, "1:energy-mismatch");
  g_assert_true (anx_finding_lookup_int (finding, "billed_wh", &billed));
  g_assert_true (anx_finding_lookup_double (finding, "metered_wh", &metered));
  g_assert_true (anx_finding_lookup_double (finding, "deviation_percent", &deviation));
  g_assert_true (anx_finding_lookup_double (finding, "tolerance_percent", &tolerance));
  g_assert_cmpint (billed, ==, 32760);
  g_assert_cmpfloat_with_epsilon (metered, 31200.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (deviation, 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (tolerance, 1.0, 1e-9);
  g_assert_cmpstr (anx_finding_get_charger_id (finding), ==, "330106-0042-DC02");
  g_assert_nonnull (anx_finding_get_record_hash (finding));
  g_assert_nonnull (strstr (anx_finding_get_message (finding), "32.760"));
  g_assert_nonnull (strstr (anx_finding_get_message (finding), "31.200"));
  g_assert_nonnull (strstr (anx_finding_get_message (finding), "+5.0"));
  g_assert_nonnull (strstr (anx_finding_get_message (finding), "1.0"));
  g_assert_cmpint (anx_finding_get_severity (finding), ==, ANX_FINDING_SEVERITY_CRITICAL);
}

static void
test_energy_tolerance (void)
{
  static const struct
  {
    const char *accuracy_class;
    gint64 energy_wh;
    gint64 delta_wh;
    gboolean flagged;
  } cases[] = {
    { "1", 10000, 100, FALSE }, /* exactly 1.0 % */
    { "1", 10000, 101, TRUE },   { "1", 10000, -100, FALSE },
    { "1", 10000, -101, TRUE }, /* under-billing is a mismatch too */
    { "2", 10000, 200, FALSE },  { "2", 10000, 201, TRUE },
    { "0.5", 10000, 50, FALSE }, { "0.5", 10000, 51, TRUE },
    { "1", 50, 1, FALSE }, /* 2 %, but within the 1 Wh floor */
    { "1", 50, 2, TRUE },        { "1", 100000, 1000, FALSE },
    { "1", 100000, 1001, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      AnxTestCharge spec = { .energy_wh = cases[i].energy_wh,
                             .billed_delta_wh = cases[i].delta_wh };
      g_autofree char *codes = codes_for_charge (cases[i].accuracy_class, &spec, NULL);

      g_test_message ("class %s, %" G_GINT64_FORMAT " Wh %+" G_GINT64_FORMAT " Wh",
                      cases[i].accuracy_class, cases[i].energy_wh, cases[i].delta_wh);
      g_assert_cmpstr (codes, ==, cases[i].flagged ? "1:energy-mismatch" : "");
    }
}

static void
test_charge_tampering (void)
{
  static const struct
  {
    const char *name;
    AnxTestCharge spec;
    const char *expected;
  } cases[] = {
    { "amount", { .amount_delta_fen = 1 }, "1:amount-mismatch" },
    { "amount down", { .amount_delta_fen = -300 }, "1:amount-mismatch" },
    { "forged", { .forge = TRUE }, "1:signature-invalid" },
    { "status M", { .status = "M" }, "1:meter-status" },
    { "status X", { .status = "X" }, "1:meter-status" },
    { "clock U", { .clock = 'U' }, "1:clock-unsynchronised" },
    { "clock I", { .clock = 'I' }, "1:clock-unsynchronised" },
    { "clock R", { .clock = 'R' }, "1:clock-unsynchronised" },
    { "counter", { .counter_skip = 1 }, "1:counter-gap" },
    { "register", { .register_back_wh = 100 }, "1:register-regression" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *codes = NULL;

      g_test_message ("case %s", cases[i].name);
      codes = codes_for_charge ("1", &cases[i].spec, NULL);
      g_assert_cmpstr (codes, ==, cases[i].expected);
    }
}

static void
test_unknown_and_wrong_key (void)
{
  AnxTestMeter *meter =
      anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  AnxTestMeter *stranger =
      anx_test_meter_new ("AXM-9999-000001", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  AnxTestMeter *impostor =
      anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  AnxTestChain *chain = anx_test_chain_new ("C1");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *codes = NULL;

  anx_test_chain_register (chain, meter, "1", 0, G_MAXUINT64);
  anx_test_chain_add_charge (chain, meter, NULL);
  anx_test_chain_add_charge (chain, stranger, NULL);
  impostor->counter = meter->counter;
  impostor->register_wh = meter->register_wh;
  anx_test_chain_add_charge (chain, impostor, NULL);

  findings = anx_test_verify (chain->entry, chain->records);
  codes = anx_test_finding_codes (findings);
  g_assert_cmpstr (codes, ==, "1:unknown-meter-key,2:signature-invalid");

  anx_test_chain_free (chain);
  anx_test_meter_free (meter);
  anx_test_meter_free (stranger);
  anx_test_meter_free (impostor);
}

static void
test_tariff_and_malformed_ocmf (void)
{
  AnxTestChain *chain = anx_test_chain_new ("C1");
  g_autoptr(GDateTime) at = anx_test_chain_time (chain, 0);
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *codes = NULL;
  AnxChainRecord *record;

  /* billed 1000 Wh, but the periods add up to 900 Wh (and the amount follows them) */
  record = anx_chain_record_new (ANX_CHAIN_RECORD_KIND_CHARGE, "C1", 0, NULL, at);
  anx_chain_record_set_charge (record, NULL, "OCMF|{\"FV\":\"1.0\"", 1000, 77);
  anx_chain_record_add_tariff_segment (record, "峰", 400, 121340);
  anx_chain_record_add_tariff_segment (record, "谷", 500, 56000);
  anx_test_chain_append (chain, record);

  findings = anx_test_verify (chain->entry, chain->records);
  codes = anx_test_finding_codes (findings);
  /* 400 × 121340 + 500 × 56000 = 76.536 fen → 77 */
  g_assert_cmpstr (codes, ==, "0:ocmf-malformed,0:tariff-inconsistent");
  anx_test_chain_free (chain);
}

static void
test_charger_mismatch (void)
{
  AnxTestChain *chain = anx_test_chain_new ("C1");
  AnxTestChain *other = anx_test_chain_new ("C2");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *codes = NULL;

  anx_test_chain_add_seal (other, ANX_SEAL_ACTION_CLOSED);
  findings = anx_test_verify (chain->entry, other->records);
  codes = anx_test_finding_codes (findings);
  g_assert_cmpstr (codes, ==, "0:charger-mismatch");
  anx_test_chain_free (chain);
  anx_test_chain_free (other);
}

/* The console verifies one record at a time and resumes after a restart */
static void
test_incremental (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(AnxChainVerifier) resumed = anx_chain_verifier_new (f->chain->entry);
  g_autoptr(AnxChainVerifier) ranged = anx_chain_verifier_new (f->chain->entry);
  g_autoptr(AnxChainRecord) late = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) end = NULL;

  /* resume after record 3 (the last charge of meter a, and the head) */
  anx_chain_verifier_seed (resumed, record_at (f, 3));
  for (guint i = 4; i < 8; i++)
    {
      g_autoptr(GPtrArray) step = anx_chain_verifier_add (resumed, record_at (f, i));

      g_assert_cmpuint (step->len, ==, 0);
    }

  /* a new charge of meter b that goes back on its register */
  {
    AnxTestCharge spec = { .register_back_wh = 5 };

    late = anx_chain_record_ref (anx_test_chain_add_charge (f->chain, f->b, &spec));
  }
  findings = anx_chain_verifier_add (resumed, late);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_cmpstr (anx_finding_get_code (g_ptr_array_index (findings, 0)), ==,
                   ANX_FINDING_REGISTER_REGRESSION);
  g_assert_cmpmem (anx_finding_get_record_hash (g_ptr_array_index (findings, 0)),
                   ANX_CHAIN_HASH_SIZE, anx_chain_record_get_hash (late), ANX_CHAIN_HASH_SIZE);

  /* a range verified on its own, from the hash before it */
  anx_chain_verifier_start_at (ranged, 2, anx_chain_record_get_hash (record_at (f, 1)));
  for (guint i = 2; i < 6; i++)
    {
      g_autoptr(GPtrArray) step = anx_chain_verifier_add (ranged, record_at (f, i));

      g_assert_cmpuint (step->len, ==, 0);
    }
  end = anx_chain_verifier_finish (ranged, 7);
  g_assert_cmpuint (end->len, ==, 1);
  g_assert_cmpstr (anx_finding_get_code (g_ptr_array_index (end, 0)), ==,
                   ANX_FINDING_CHAIN_SEQUENCE_GAP);
  g_clear_pointer (&end, g_ptr_array_unref);
  end = anx_chain_verifier_finish (ranged, 5);
  g_assert_cmpuint (end->len, ==, 0);
}

static const char *
first_code (GPtrArray *findings)
{
  return findings->len > 0 ? anx_finding_get_code (g_ptr_array_index (findings, 0)) : "";
}

/* A window: within it a record sent twice is told from a fork (and a fork
 * names the record it departs from); behind it the verifier no longer
 * knows the hash, so the same record is a fork without it. */
static void
test_window (void)
{
  AnxTestMeter *meter =
      anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  AnxTestChain *chain = anx_test_chain_new ("330106-0042-DC02");
  g_autoptr(AnxChainVerifier) windowed = NULL;
  g_autoptr(AnxChainVerifier) whole = NULL;
  const guint window = 4;

  anx_test_chain_register (chain, meter, "1", 0, G_MAXUINT64);
  for (guint i = 0; i < 40; i++)
    anx_test_chain_add_charge (chain, meter, NULL);
  windowed = anx_chain_verifier_new (chain->entry);
  whole = anx_chain_verifier_new (chain->entry);
  anx_chain_verifier_set_window (windowed, window);
  for (guint i = 0; i < chain->records->len; i++)
    {
      g_autoptr(GPtrArray) a = anx_chain_verifier_add (windowed, chain->records->pdata[i]);
      g_autoptr(GPtrArray) b = anx_chain_verifier_add (whole, chain->records->pdata[i]);

      g_assert_cmpuint (a->len, ==, 0);
      g_assert_cmpuint (b->len, ==, 0);
    }

  /* Within the window: the same as remembering everything. */
  {
    AnxChainRecord *recent = chain->records->pdata[38];
    g_autoptr(GPtrArray) again = anx_chain_verifier_add (windowed, recent);
    g_autoptr(AnxChainRecord) fork = anx_chain_record_copy (recent);
    g_autoptr(GPtrArray) forked = NULL;
    guint8 hash[ANX_CHAIN_HASH_SIZE];

    g_assert_cmpstr (first_code (again), ==, ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE);
    anx_chain_record_set_charge (fork, "S-OTHER", anx_chain_record_get_ocmf (fork),
                                 anx_chain_record_get_billed_wh (fork),
                                 anx_chain_record_get_amount_fen (fork));
    anx_chain_record_compute_hash (fork, hash);
    anx_chain_record_set_stated_hash (fork, hash);
    forked = anx_chain_verifier_add (windowed, fork);
    g_assert_cmpstr (first_code (forked), ==, ANX_FINDING_CHAIN_FORK);
    g_assert_nonnull (anx_finding_lookup (g_ptr_array_index (forked, 0), "existing_hash"));
  }

  /* Far behind: forgotten by the windowed verifier only. */
  {
    AnxChainRecord *old = chain->records->pdata[3];
    g_autoptr(GPtrArray) from_windowed = anx_chain_verifier_add (windowed, old);
    g_autoptr(GPtrArray) from_whole = anx_chain_verifier_add (whole, old);

    g_assert_cmpstr (first_code (from_whole), ==, ANX_FINDING_CHAIN_SEQUENCE_DUPLICATE);
    g_assert_cmpstr (first_code (from_windowed), ==, ANX_FINDING_CHAIN_FORK);
    g_assert_null (anx_finding_lookup (g_ptr_array_index (from_windowed, 0), "existing_hash"));
  }

  anx_test_chain_free (chain);
  anx_test_meter_free (meter);
}

/* What could be checked, so that "verified" and "not verifiable" differ */
static void
test_performed (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (f->chain->entry);
  const AnxChainChecks all_charge = ANX_CHAIN_CHECK_HASH | ANX_CHAIN_CHECK_LINK |
                                    ANX_CHAIN_CHECK_SIGNATURE | ANX_CHAIN_CHECK_METER_STATUS |
                                    ANX_CHAIN_CHECK_COUNTER | ANX_CHAIN_CHECK_REGISTER |
                                    ANX_CHAIN_CHECK_ENERGY | ANX_CHAIN_CHECK_AMOUNT;
  const AnxChainChecks expected[] = {
    /* the first charge of a meter has nothing to continue from */
    all_charge & ~(ANX_CHAIN_CHECK_COUNTER | ANX_CHAIN_CHECK_REGISTER),
    all_charge,
    ANX_CHAIN_CHECK_HASH | ANX_CHAIN_CHECK_LINK,
    all_charge,
    ANX_CHAIN_CHECK_HASH | ANX_CHAIN_CHECK_LINK,
    ANX_CHAIN_CHECK_HASH | ANX_CHAIN_CHECK_LINK | ANX_CHAIN_CHECK_REGISTRY,
    all_charge & ~(ANX_CHAIN_CHECK_COUNTER | ANX_CHAIN_CHECK_REGISTER),
    all_charge,
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      AnxChainChecks performed = 0;
      g_autoptr(GPtrArray) findings =
          anx_chain_verifier_add_full (verifier, record_at (f, i), &performed);

      g_test_message ("record %u", i);
      g_assert_cmpuint (findings->len, ==, 0);
      g_assert_cmphex (performed, ==, expected[i]);
    }

  /* across a gap the link cannot be checked; without a stated hash, nor the hash */
  {
    g_autoptr(AnxChainVerifier) gap = anx_chain_verifier_new (f->chain->entry);
    g_autoptr(AnxChainRecord) copy = anx_chain_record_copy (record_at (f, 2));
    g_autoptr(GPtrArray) findings = NULL;
    AnxChainChecks performed = 0;

    anx_chain_record_set_stated_hash (copy, NULL);
    findings = anx_chain_verifier_add_full (gap, copy, &performed);
    g_assert_cmpuint (findings->len, ==, 1);
    g_assert_cmphex (performed, ==, 0);
  }
}

static void
test_finding_json (void)
{
  guint8 hash[ANX_CHAIN_HASH_SIZE] = { 0xab };
  g_autoptr(AnxFinding) finding = anx_finding_new (
      ANX_FINDING_AMOUNT_MISMATCH, ANX_FINDING_SEVERITY_CRITICAL, "C1", 12, hash, "Billed ¥1.00");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GVariant) details = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  anx_finding_set_int (finding, "amount_fen", 100);
  anx_finding_set_double (finding, "ratio", 0.5);
  anx_finding_set_string (finding, "note", "注");
  anx_finding_set_int (finding, "amount_fen", 101);

  node = anx_finding_to_json_node (finding);
  text = json_to_string (node, FALSE);
  object = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (object, "code"), ==, "amount-mismatch");
  g_assert_cmpstr (json_object_get_string_member (object, "severity"), ==, "critical");
  g_assert_cmpint (json_object_get_int_member (object, "sequence"), ==, 12);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "record_hash"), "ab00"));
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (object, "details"), "amount_fen"),
      ==, 101);
  g_assert_nonnull (strstr (text, "\"amount_fen\":101,\"ratio\":0.5,\"note\":\"注\""));

  details = anx_finding_get_details (finding);
  g_assert_cmpuint (g_variant_n_children (details), ==, 3);
  g_assert_cmpstr (anx_finding_severity_to_string (ANX_FINDING_SEVERITY_WARNING), ==, "warning");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/chain-verifier/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("clean", test_clean, NULL);
  ADD ("edit", test_edit, NULL);
  ADD ("edit-and-rehash", test_edit_and_rehash, NULL);
  ADD ("genesis-link", test_genesis_link, NULL);
  ADD ("remove-seal", test_remove_seal, NULL);
  ADD ("remove-charge", test_remove_charge, NULL);
  ADD ("fork", test_fork, NULL);
  ADD ("duplicate", test_duplicate, NULL);
  ADD ("exchange-unregistered", test_exchange_unregistered, "no meter b");
  ADD ("old-meter-after-exchange", test_old_meter_after_exchange, NULL);
  ADD ("incremental", test_incremental, NULL);
  ADD ("performed", test_performed, NULL);
#undef ADD
  g_test_add_func ("/chain-verifier/seal-opened-and-failed-inspection",
                   test_seal_opened_and_failed_inspection);
  g_test_add_func ("/chain-verifier/over-billing", test_over_billing);
  g_test_add_func ("/chain-verifier/energy-tolerance", test_energy_tolerance);
  g_test_add_func ("/chain-verifier/charge-tampering", test_charge_tampering);
  g_test_add_func ("/chain-verifier/unknown-and-wrong-key", test_unknown_and_wrong_key);
  g_test_add_func ("/chain-verifier/tariff-and-malformed-ocmf", test_tariff_and_malformed_ocmf);
  g_test_add_func ("/chain-verifier/charger-mismatch", test_charger_mismatch);
  g_test_add_func ("/chain-verifier/finding-json", test_finding_json);
  g_test_add_func ("/chain-verifier/window", test_window);

  return g_test_run ();
}
