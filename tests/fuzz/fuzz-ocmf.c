/* fuzz-ocmf.c: libFuzzer target for the OCMF parser and the verifier
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-signature.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* One key per algorithm, made once: verification then runs down every
 * path (wrong curve, malformed DER, ECDSA and SM2 maths). */
static AnxMeterKey **
fuzz_keys (void)
{
  static AnxMeterKey *keys[ANX_SIGNATURE_ALGORITHM_LAST];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
        {
          keys[a] = anx_meter_key_generate (a, NULL);
          g_assert (keys[a] != NULL);
        }
      g_once_init_leave (&initialized, 1);
    }
  return keys;
}

static void
exercise_record (AnxOcmf *ocmf)
{
  AnxMeterKey **keys = fuzz_keys ();
  AnxSignatureAlgorithm algorithm = anx_ocmf_get_signature_algorithm (ocmf);
  const char *const *flags;
  double start, stop, wh;
  guint64 number;
  gsize len;
  char *reason = NULL;

  /* Every getter must cope with whatever parsed */
  g_assert (anx_ocmf_get_payload (ocmf, &len) != NULL);
  g_assert (len >= 2);
  (void) anx_ocmf_get_format_version (ocmf);
  (void) anx_ocmf_get_pagination (ocmf, &number);
  (void) anx_ocmf_get_identification_status (ocmf, NULL);
  flags = anx_ocmf_get_identification_flags (ocmf);
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    g_assert (g_utf8_validate (flags[i], -1, NULL));
  (void) anx_ocmf_get_loss_compensation (ocmf);
  (void) anx_ocmf_get_string (ocmf, "TT");
  for (guint i = 0; i < anx_ocmf_get_n_readings (ocmf); i++)
    {
      const AnxOcmfReading *r = anx_ocmf_get_reading (ocmf, i);

      g_assert (r->value_text != NULL);
      (void) anx_ocmf_reading_get_wh (r, &wh);
    }
  (void) anx_ocmf_get_transaction_energy (ocmf, &start, &stop, NULL);

  if (algorithm != ANX_SIGNATURE_ALGORITHM_UNKNOWN)
    {
      AnxSignatureResult result = anx_signature_verify_ocmf (ocmf, keys[algorithm], &reason);

      /* Nobody can sign for our fresh keys */
      g_assert (result != ANX_SIGNATURE_VALID);
      g_assert (reason != NULL);
      g_free (reason);
    }
  (void) anx_signature_verify_ocmf (ocmf, keys[ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256],
                                    NULL);
  (void) anx_signature_verify_ocmf (ocmf, NULL, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  AnxMeterKey **keys = fuzz_keys ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxOcmf) ocmf = NULL;

  ocmf = anx_ocmf_parse ((const char *) data, (gssize) size, &error);
  if (ocmf != NULL)
    {
      g_assert (error == NULL);
      exercise_record (ocmf);
    }
  else
    {
      g_assert (error != NULL && error->domain == ANX_OCMF_ERROR);
      g_assert (g_utf8_validate (error->message, -1, NULL));
    }

  /* The raw bytes as a DER signature, for the DER checker */
  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a += 3)
    (void) anx_signature_verify (keys[a], a, NULL, (const guint8 *) "{}", 2, data, size, NULL);

  /* ...and as key text */
  if (size < 1024)
    {
      g_autofree char *text = g_strndup ((const char *) data, size);
      g_autoptr(GError) key_error = NULL;
      g_autoptr(AnxMeterKey) key = anx_meter_key_new_from_text (text, &key_error);

      g_assert ((key == NULL) == (key_error != NULL));
    }

  return 0;
}
