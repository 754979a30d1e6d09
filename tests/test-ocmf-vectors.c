/* test-ocmf-vectors.c: real signed meter records must get their verdict
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>

#include "anx-key-cache.h"
#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-signature.h"

#define EXPECTED_RECORDS 136

static char *
vectors_path (void)
{
  const char *root = g_getenv ("ANXIN_SOURCE_ROOT");

  if (root == NULL)
    return NULL;
  return g_build_filename (root, "..", "shared", "vectors", "ocmf", "transparenzsoftware.jsonl",
                           NULL);
}

static void
test_vectors (void)
{
  g_autofree char *path = vectors_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxKeyCache) cache = anx_key_cache_new (0);
  g_auto(GStrv) lines = NULL;
  guint n_records = 0, n_valid = 0, n_invalid = 0, n_wrong_curve = 0;
  guint64 hits = 0, misses = 0;

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg =
          g_strdup_printf ("shared OCMF vectors not found at %s (set ANXIN_SOURCE_ROOT)",
                           path != NULL ? path : "$ANXIN_SOURCE_ROOT/../shared/vectors/ocmf/");
      g_test_skip (msg);
      return;
    }

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(AnxOcmf) ocmf = NULL;
      g_autoptr(AnxMeterKey) key = NULL;
      g_autoptr(AnxMeterKey) cached = NULL;
      g_autofree char *reason = NULL;
      g_autofree char *reason_text = NULL;
      JsonObject *line;
      const char *ocmf_text, *key_hex, *expected, *sig_alg, *source;
      AnxSignatureResult result, result_text;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      n_records++;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, &error));
      g_assert_no_error (error);
      line = json_node_get_object (json_parser_get_root (parser));
      ocmf_text = json_object_get_string_member (line, "ocmf");
      key_hex = json_object_get_string_member (line, "public_key_der_hex");
      expected = json_object_get_string_member (line, "expected");
      sig_alg = json_object_get_string_member (line, "sig_alg");
      source = json_object_get_string_member (line, "source");
      g_test_message ("line %u: %s", i + 1, source);

      /* Every real record parses, quirks and all. */
      ocmf = anx_ocmf_parse (ocmf_text, -1, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ocmf);
      g_assert_cmpint (anx_ocmf_get_signature_algorithm (ocmf), ==,
                       anx_signature_algorithm_from_ocmf (sig_alg));
      g_assert_cmpuint (anx_ocmf_get_n_readings (ocmf), >, 0);
      g_assert_cmpint (anx_ocmf_get_pagination (ocmf, NULL), !=, ANX_OCMF_PAGINATION_NONE);

      /* The payload is the exact bytes between "OCMF|" and the separator. */
      {
        gsize len;
        const char *payload = anx_ocmf_get_payload (ocmf, &len);

        g_assert_true (payload == anx_ocmf_get_text (ocmf, NULL) + 5);
        g_assert_cmpint (payload[0], ==, '{');
        g_assert_cmpint (payload[len - 1], ==, '}');
        g_assert_cmpint (payload[len], ==, '|');
      }

      key = anx_meter_key_new_from_text (key_hex, &error);
      g_assert_no_error (error);
      cached = anx_key_cache_get (
          cache, anx_ocmf_get_string (ocmf, "GS") != NULL ? anx_ocmf_get_string (ocmf, "GS") : "?",
          key_hex, &error);
      g_assert_no_error (error);
      g_assert_true (anx_meter_key_equal (key, cached));

      result = anx_signature_verify_ocmf (ocmf, cached, &reason);
      result_text = anx_signature_verify_ocmf_text (ocmf_text, -1, key, &reason_text);
      g_test_message ("  -> %s: %s", anx_signature_result_to_string (result), reason);
      g_assert_cmpint (result, ==, result_text);

      if (g_str_equal (expected, "valid"))
        {
          g_assert_cmpstr (anx_signature_result_to_string (result), ==, "valid");
          n_valid++;
        }
      else
        {
          g_assert_cmpstr (expected, ==, "invalid");
          /* A key on another curve than SA names is the one case with a
           * more specific verdict; everything else must be "invalid", not
           * "malformed": these records are well-formed. */
          if (anx_meter_key_get_algorithm (key) != anx_ocmf_get_signature_algorithm (ocmf))
            {
              g_assert_cmpstr (anx_signature_result_to_string (result), ==, "wrong-curve");
              n_wrong_curve++;
            }
          else
            g_assert_cmpstr (anx_signature_result_to_string (result), ==, "invalid");
          n_invalid++;
        }
    }

  g_test_message ("%u records: %u valid, %u invalid (%u of them wrong-curve)", n_records, n_valid,
                  n_invalid, n_wrong_curve);
  g_assert_cmpuint (n_records, ==, EXPECTED_RECORDS);
  g_assert_cmpuint (n_valid + n_invalid, ==, EXPECTED_RECORDS);
  g_assert_cmpuint (n_invalid, >, 0);

  /* Many records share a meter key: the cache parsed each one once. */
  anx_key_cache_get_stats (cache, &hits, &misses);
  g_assert_cmpuint (hits + misses, ==, EXPECTED_RECORDS);
  g_assert_cmpuint (misses, ==, anx_key_cache_get_size (cache));
  g_assert_cmpuint (misses, <, 20);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ocmf/vectors/transparenzsoftware", test_vectors);

  return g_test_run ();
}
