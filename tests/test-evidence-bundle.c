/* test-evidence-bundle.c: exporting a chain range and checking it alone
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "anx-evidence-bundle.h"
#include "anx-test-chain.h"

typedef struct
{
  AnxTestChain *chain;
  AnxTestMeter *a;
  AnxTestMeter *b;
  GDateTime *exported_at;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->chain = anx_test_chain_new ("330106-0042-DC02");
  f->a = anx_test_meter_new ("AXM-2026-000042", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  f->b = anx_test_meter_new ("AXM-2026-000107", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP384R1_SHA256);
  anx_test_chain_register (f->chain, f->a, "1", 0, 4);
  anx_test_chain_register (f->chain, f->b, "2", 5, G_MAXUINT64);
  anx_test_chain_add_charge (f->chain, f->a, NULL);
  anx_test_chain_add_charge (f->chain, f->a, NULL);
  anx_test_chain_add_seal (f->chain, ANX_SEAL_ACTION_APPLIED);
  anx_test_chain_add_inspection (f->chain, ANX_INSPECTION_RESULT_PASS);
  anx_test_chain_add_meter_exchange (f->chain, f->a, f->b);
  anx_test_chain_add_charge (f->chain, f->b, NULL);
  anx_test_chain_add_charge (f->chain, f->b, NULL);
  f->exported_at = g_date_time_new_from_iso8601 ("2026-04-01T10:00:00+08:00", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  anx_test_chain_free (f->chain);
  anx_test_meter_free (f->a);
  anx_test_meter_free (f->b);
  g_date_time_unref (f->exported_at);
}

static AnxEvidenceBundle *export(Fixture *f, guint64 from, guint64 to)
{
  g_autoptr(GError) error = NULL;
  AnxEvidenceBundle *bundle = anx_evidence_bundle_new_from_chain (
      f->chain->entry, f->exported_at, f->chain->records, from, to, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bundle);
  return bundle;
}

static char *
verify_codes (AnxEvidenceBundle *bundle)
{
  g_autoptr(GPtrArray) findings = anx_evidence_bundle_verify (bundle);

  for (guint i = 0; i < findings->len; i++)
    g_test_message ("%s", anx_finding_get_message (g_ptr_array_index (findings, i)));
  return anx_test_finding_codes (findings);
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(AnxEvidenceBundle) bundle = export(f, 0, G_MAXUINT64);
  g_autoptr(AnxEvidenceBundle) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = anx_evidence_bundle_to_json (bundle);
  g_autofree char *json2 = NULL;
  g_autofree char *codes = NULL;
  AnxChargerEntry *charger;
  const AnxMeterEntry *meter;

  g_assert_cmpuint (anx_evidence_bundle_get_to_sequence (bundle), ==, 6);
  back = anx_evidence_bundle_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  json2 = anx_evidence_bundle_to_json (back);
  g_assert_cmpstr (json, ==, json2);

  charger = anx_evidence_bundle_get_charger (back);
  g_assert_cmpstr (anx_charger_entry_get_charger_id (charger), ==, "330106-0042-DC02");
  g_assert_cmpstr (anx_charger_entry_get_station_name (charger), ==, "西湖区文三路充电站");
  g_assert_cmpstr (anx_charger_entry_get_operator_name (charger), ==, "杭州安心充电运营有限公司");
  g_assert_cmpuint (anx_charger_entry_get_n_meters (charger), ==, 2);
  meter = anx_charger_entry_get_meter (charger, 0);
  g_assert_cmpuint (meter->to_sequence, ==, 4);
  g_assert_cmpuint (meter->tolerance_bp, ==, 100);
  meter = anx_charger_entry_get_meter (charger, 1);
  g_assert_cmpuint (meter->to_sequence, ==, G_MAXUINT64);
  g_assert_cmpstr (meter->algorithm, ==, "ECDSA-secp384r1-SHA256");
  g_assert_cmpuint (meter->tolerance_bp, ==, 200);
  g_assert_cmpuint (anx_evidence_bundle_get_records (back)->len, ==, 7);
  g_assert_cmpmem (anx_evidence_bundle_get_prev_hash (back), ANX_CHAIN_HASH_SIZE,
                   anx_chain_genesis_hash (), ANX_CHAIN_HASH_SIZE);
  g_assert_true (g_date_time_equal (anx_evidence_bundle_get_exported_at (back), f->exported_at));

  codes = verify_codes (back);
  g_assert_cmpstr (codes, ==, "");
}

static void
test_range (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(AnxEvidenceBundle) bundle = export(f, 3, 5);
  g_autofree char *json = anx_evidence_bundle_to_json (bundle);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxEvidenceBundle) back = anx_evidence_bundle_new_from_json (json, -1, &error);
  g_autofree char *codes = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (anx_evidence_bundle_get_records (back)->len, ==, 3);
  g_assert_cmpmem (anx_evidence_bundle_get_prev_hash (back), ANX_CHAIN_HASH_SIZE,
                   anx_chain_record_get_hash (g_ptr_array_index (f->chain->records, 2)),
                   ANX_CHAIN_HASH_SIZE);
  codes = verify_codes (back);
  g_assert_cmpstr (codes, ==, "");

  /* a range needs the record before it */
  {
    g_autoptr(GPtrArray) partial = g_ptr_array_new ();
    g_autoptr(AnxEvidenceBundle) none = NULL;

    g_ptr_array_add (partial, g_ptr_array_index (f->chain->records, 4));
    none =
        anx_evidence_bundle_new_from_chain (f->chain->entry, f->exported_at, partial, 4, 4, &error);
    g_assert_null (none);
    g_assert_error (error, ANX_CHAIN_RECORD_ERROR, ANX_CHAIN_RECORD_ERROR_INVALID_VALUE);
  }
}

static void
test_tampered (Fixture       *f,
               gconstpointer  data)
{
  /* a record missing inside, one missing at the end, a wrong link value */
  {
    g_autoptr(AnxEvidenceBundle) bundle = export(f, 0, 6);
    g_autofree char *codes = NULL;

    g_ptr_array_remove_index (anx_evidence_bundle_get_records (bundle), 2);
    g_ptr_array_remove_index (anx_evidence_bundle_get_records (bundle), 5);
    codes = verify_codes (bundle);
    g_assert_cmpstr (codes, ==, "3:chain-sequence-gap,6:chain-sequence-gap");
  }
  {
    guint8 wrong[ANX_CHAIN_HASH_SIZE] = { 1 };
    g_autoptr(AnxEvidenceBundle) bundle =
        anx_evidence_bundle_new (f->chain->entry, f->exported_at, 2, 3, wrong);
    g_autofree char *codes = NULL;

    anx_evidence_bundle_add_record (bundle, g_ptr_array_index (f->chain->records, 2));
    anx_evidence_bundle_add_record (bundle, g_ptr_array_index (f->chain->records, 3));
    codes = verify_codes (bundle);
    g_assert_cmpstr (codes, ==, "2:chain-link-broken");
  }
  /* the billed energy edited in the file */
  {
    g_autoptr(AnxEvidenceBundle) bundle = export(f, 0, 6);
    g_autofree char *json = anx_evidence_bundle_to_json (bundle);
    g_autoptr(GString) edited = g_string_new (json);
    g_autoptr(GError) error = NULL;
    g_autoptr(AnxEvidenceBundle) back = NULL;
    g_autofree char *codes = NULL;

    g_assert_cmpuint (
        g_string_replace (edited, "\"billed_wh\" : 31200", "\"billed_wh\" : 29000", 1), ==, 1);
    back = anx_evidence_bundle_new_from_json (edited->str, -1, &error);
    g_assert_no_error (error);
    codes = verify_codes (back);
    /* the amount still matches the (unedited) tariff period */
    g_assert_cmpstr (codes, ==, "0:chain-hash-mismatch,0:energy-mismatch,0:tariff-inconsistent");
  }
}

static void
test_malformed (void)
{
  static const struct
  {
    const char *json;
    const char *mentions;
  } cases[] = {
    { "{\"format\":\"anxin-evidence-bundle\",\n\"version\":1,\n\"exported_at\":}", "3:" },
    { "{\"format\":\"zip\",\"version\":1}", "format" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":9}", "version" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":1,\"exported_at\":\"2026-04-01\"}",
      "exported_at" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":1,\"exported_at\":"
      "\"2026-04-01T10:00:00Z\",\"charger\":{\"charger_id\":\"C\",\"meters\":[{\"serial\":\"M\","
      "\"accuracy_class\":\"3\",\"algorithm\":\"x\",\"public_key\":\"30\",\"from_sequence\":0}]}}",
      "charger: meters[0].accuracy_class" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":1,\"exported_at\":"
      "\"2026-04-01T10:00:00Z\",\"charger\":{\"charger_id\":\"C\",\"meters\":[]},\"range\":"
      "{\"from_sequence\":2,\"to_sequence\":1,\"prev_hash\":"
      "\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c\"},\"records\":[]}",
      "range" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":1,\"exported_at\":"
      "\"2026-04-01T10:00:00Z\",\"charger\":{\"charger_id\":\"C\",\"meters\":[]},\"range\":"
      "{\"from_sequence\":0,\"to_sequence\":1,\"prev_hash\":"
      "\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c\"},\"records\":"
      "[{\"version\":1,\"charger_id\":\"C\",\"sequence\":0,\"kind\":\"seal\",\"recorded_at\":"
      "\"2026-04-01T10:00:00Z\",\"prev_hash\":"
      "\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c\",\"seal\":"
      "{\"seal_id\":\"S\",\"action\":\"shut\",\"event_time\":\"2026-04-01T10:00:00Z\"}}]}",
      "records[0].seal.action" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":1,\"exported_at\":"
      "\"2026-04-01T10:00:00Z\",\"charger\":{\"charger_id\":\"C\",\"meters\":[]},\"range\":"
      "{\"from_sequence\":1,\"to_sequence\":1,\"prev_hash\":"
      "\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c\"},\"records\":"
      "[{\"version\":1,\"charger_id\":\"C\",\"sequence\":0,\"kind\":\"seal\",\"recorded_at\":"
      "\"2026-04-01T10:00:00Z\",\"prev_hash\":"
      "\"5e41bf1fe13b03ff8ae3d18dfcb5e7a8cfabbe2dbe7b4a59513706360495190c\",\"seal\":"
      "{\"seal_id\":\"S\",\"action\":\"opened\",\"event_time\":\"2026-04-01T10:00:00Z\"}}]}",
      "records[0].sequence" },
    { "{\"format\":\"anxin-evidence-bundle\",\"version\":1,\"exported_at\":"
      "\"2026-04-01T10:00:00Z\",\"signature\":\"\"}",
      "signature" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AnxEvidenceBundle) bundle =
          anx_evidence_bundle_new_from_json (cases[i].json, -1, &error);

      g_test_message ("case %u", i);
      g_assert_null (bundle);
      g_assert_nonnull (error);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].mentions));
    }
}

static void
test_file (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(AnxEvidenceBundle) bundle = export(f, 0, 6);
  g_autoptr(AnxEvidenceBundle) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anxin-bundle-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *bad = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "bundle.json", NULL);
  g_assert_true (anx_evidence_bundle_save (bundle, path, &error));
  g_assert_no_error (error);
  back = anx_evidence_bundle_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (anx_evidence_bundle_get_records (back)->len, ==, 7);

  bad = g_build_filename (dir, "bad.json", NULL);
  g_assert_true (
      g_file_set_contents (bad, "{\n  \"format\": \"anxin-evidence-bundle\",\n  !\n}", -1, &error));
  g_clear_pointer (&back, anx_evidence_bundle_unref);
  back = anx_evidence_bundle_new_from_file (bad, &error);
  g_assert_null (back);
  g_assert_true (g_str_has_prefix (error->message, bad));
  /* "PATH: LINE:COLUMN: what" */
  g_assert_true (g_regex_match_simple ("^.*bad\\.json: [0-9]+:[0-9]+: ", error->message, 0, 0));

  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/evidence-bundle/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_round_trip);
  ADD ("range", test_range);
  ADD ("tampered", test_tampered);
  ADD ("file", test_file);
#undef ADD
  g_test_add_func ("/evidence-bundle/malformed", test_malformed);

  return g_test_run ();
}
