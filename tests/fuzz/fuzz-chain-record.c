/* fuzz-chain-record.c: libFuzzer target for the chain record JSON reader
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "anx-chain-record.h"
#include "anx-chain-verifier.h"
#include "anx-evidence-bundle.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Whatever reads must write back to the same record: same hash input after
 * a JSON round trip, and the verifier must take it without crashing. */
static void
exercise_record (AnxChainRecord *record)
{
  g_autofree char *json = anx_chain_record_to_json (record, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxChainRecord) again = anx_chain_record_new_from_json (json, -1, &error);
  g_autoptr(GBytes) input = anx_chain_record_get_hash_input (record);
  g_autoptr(GBytes) input_again = NULL;
  g_autoptr(AnxChargerEntry) charger =
      anx_charger_entry_new (anx_chain_record_get_charger_id (record));
  g_autoptr(AnxChainVerifier) verifier = anx_chain_verifier_new (charger);
  g_autoptr(GPtrArray) findings = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (again);
  input_again = anx_chain_record_get_hash_input (again);
  g_assert_true (g_bytes_equal (input, input_again));

  findings = anx_chain_verifier_add (verifier, record);
  for (guint i = 0; i < findings->len; i++)
    g_assert_nonnull (anx_finding_get_message (g_ptr_array_index (findings, i)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxChainRecord) record = NULL;
  g_autoptr(AnxEvidenceBundle) bundle = NULL;

  record = anx_chain_record_new_from_json ((const char *) data, (gssize) size, &error);
  if (record != NULL)
    exercise_record (record);
  else
    g_assert_true (error != NULL && error->message != NULL);
  g_clear_error (&error);

  bundle = anx_evidence_bundle_new_from_json ((const char *) data, (gssize) size, &error);
  if (bundle != NULL)
    {
      g_autoptr(GPtrArray) findings = anx_evidence_bundle_verify (bundle);
      g_autofree char *json = anx_evidence_bundle_to_json (bundle);

      g_assert_nonnull (findings);
      g_assert_nonnull (json);
    }
  else
    g_assert_true (error != NULL && error->message != NULL);

  return 0;
}
