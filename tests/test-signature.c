/* test-signature.c: meter keys, signing and verification (ECDSA, SM2)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "anx-key-cache.h"
#include "anx-meter-key-private.h"
#include "anx-meter-key.h"
#include "anx-ocmf.h"
#include "anx-signature.h"

static const char payload_template[] =
    "{\"FV\":\"1.0\",\"GI\":\"ANXIN SIM\",\"GS\":\"HZ-000123\",\"PG\":\"T%u\",\"MV\":\"Anxin\","
    "\"MS\":\"M-%u\",\"IS\":true,\"IL\":\"VERIFIED\",\"IF\":[\"RFID_PLAIN\"],\"IT\":\"ISO14443\","
    "\"ID\":\"04A1B2C3\",\"TT\":\"峰 1.20 元/kWh | 谷 0.40 元/kWh\",\"RD\":[{\"TM\":"
    "\"2026-11-21T09:00:00,000+0800 S\",\"TX\":\"B\",\"RV\":%u.125,\"RI\":\"1-0:1.8.0\","
    "\"RU\":\"kWh\",\"RT\":\"DC\",\"EF\":\"\",\"ST\":\"G\"},{\"TM\":\"2026-11-21T09:40:00,000+0800 "
    "S\","
    "\"TX\":\"E\",\"RV\":%u.500,\"RI\":\"1-0:1.8.0\",\"RU\":\"kWh\",\"RT\":\"DC\",\"EF\":\"\","
    "\"ST\":\"G\"}]}";

static char *
make_payload (guint n)
{
  return g_strdup_printf (payload_template, n, n, 1000 + n, 1030 + n);
}

static AnxMeterKey *
generate (AnxSignatureAlgorithm algorithm)
{
  g_autoptr(GError) error = NULL;
  AnxMeterKey *key = anx_meter_key_generate (algorithm, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_true (anx_meter_key_has_private (key));
  g_assert_cmpint (anx_meter_key_get_algorithm (key), ==, algorithm);
  return key;
}

/* The public half only, as the registry would give it. */
static AnxMeterKey *
public_only (AnxMeterKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hex = anx_meter_key_export_public_hex (key);
  AnxMeterKey *pub = anx_meter_key_new_from_text (hex, &error);

  g_assert_no_error (error);
  g_assert_false (anx_meter_key_has_private (pub));
  return pub;
}

static char *
sign_record (AnxMeterKey *key,
             const char  *payload,
             gboolean     base64)
{
  g_autoptr(GError) error = NULL;
  char *record = anx_signature_sign_ocmf (key, payload, base64, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static AnxSignatureResult
verify_text (const char  *record,
             AnxMeterKey *key)
{
  g_autofree char *reason = NULL;
  AnxSignatureResult result = anx_signature_verify_ocmf_text (record, -1, key, &reason);

  g_assert_nonnull (reason);
  g_test_message ("%s: %s", anx_signature_result_to_string (result), reason);
  return result;
}

static void
test_algorithm_names (void)
{
  g_assert_cmpint (anx_signature_algorithm_from_ocmf (NULL), ==,
                   ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  g_assert_cmpint (anx_signature_algorithm_from_ocmf ("ecdsa-SECP256K1-sha256"), ==,
                   ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256);
  g_assert_cmpint (anx_signature_algorithm_from_ocmf ("ECDSA-secp256r1-SHA512"), ==,
                   ANX_SIGNATURE_ALGORITHM_UNKNOWN);
  g_assert_cmpint (anx_signature_algorithm_from_ocmf ("sm2-sm3"), ==,
                   ANX_SIGNATURE_ALGORITHM_SM2_SM3);

  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    {
      const char *sa = anx_signature_algorithm_to_ocmf (a);

      g_assert_nonnull (sa);
      g_assert_cmpint (anx_signature_algorithm_from_ocmf (sa), ==, a);
      g_assert_nonnull (anx_signature_algorithm_get_curve (a));
      g_assert_cmpuint (anx_signature_algorithm_get_bits (a), >=, 192);
    }
  g_assert_null (anx_signature_algorithm_to_ocmf (ANX_SIGNATURE_ALGORITHM_UNKNOWN));
  g_assert_null (anx_signature_algorithm_get_curve (ANX_SIGNATURE_ALGORITHM_UNKNOWN));
  g_assert_cmpuint (anx_signature_algorithm_get_bits (ANX_SIGNATURE_ALGORITHM_UNKNOWN), ==, 0);
  g_assert_cmpuint (
      anx_signature_algorithm_get_bits (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP384R1_SHA256), ==, 384);

  g_assert_cmpstr (anx_signature_result_to_string (ANX_SIGNATURE_VALID), ==, "valid");
  g_assert_cmpstr (anx_signature_result_to_string (ANX_SIGNATURE_INVALID), ==, "invalid");
  g_assert_cmpstr (anx_signature_result_to_string (ANX_SIGNATURE_UNKNOWN_KEY), ==, "unknown-key");
  g_assert_cmpstr (anx_signature_result_to_string (ANX_SIGNATURE_WRONG_CURVE), ==, "wrong-curve");
  g_assert_cmpstr (anx_signature_result_to_string (ANX_SIGNATURE_MALFORMED), ==, "malformed");
}

/* Every curve: sign, verify, tamper with payload and signature, encodings. */
static void
test_all_algorithms (void)
{
  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    {
      g_autoptr(AnxMeterKey) key = generate (a);
      g_autoptr(AnxMeterKey) pub = public_only (key);
      g_autofree char *payload = make_payload ((guint) a);

      g_test_message ("algorithm %s on %s", anx_signature_algorithm_to_ocmf (a),
                      anx_meter_key_get_curve (key));
      g_assert_cmpstr (anx_meter_key_get_curve (key), ==, anx_signature_algorithm_get_curve (a));
      g_assert_cmpstr (anx_meter_key_get_fingerprint (key), ==,
                       anx_meter_key_get_fingerprint (pub));
      g_assert_cmpuint (strlen (anx_meter_key_get_fingerprint (key)), ==, 64);
      g_assert_true (anx_meter_key_equal (key, pub));

      for (int base64 = 0; base64 <= 1; base64++)
        {
          g_autofree char *record = sign_record (key, payload, base64);
          g_autoptr(AnxOcmf) ocmf = anx_ocmf_parse (record, -1, NULL);
          g_autofree char *tampered = g_strdup (record);
          char *digit;

          g_assert_nonnull (ocmf);
          g_assert_cmpint (anx_ocmf_get_signature_algorithm (ocmf), ==, a);
          g_assert_cmpint (verify_text (record, pub), ==, ANX_SIGNATURE_VALID);
          g_assert_cmpint (verify_text (record, key), ==, ANX_SIGNATURE_VALID);
          g_assert_cmpint (anx_signature_verify_ocmf (ocmf, pub, NULL), ==, ANX_SIGNATURE_VALID);
          g_assert_cmpint (verify_text (record, NULL), ==, ANX_SIGNATURE_UNKNOWN_KEY);

          /* One digit of the start reading changed: 1001.125 -> 1001.126 */
          digit = strstr (tampered, ".125");
          g_assert_nonnull (digit);
          digit[3] = '6';
          g_assert_cmpint (verify_text (tampered, pub), ==, ANX_SIGNATURE_INVALID);

          /* Whitespace added to the payload: still valid JSON, not the signed bytes */
          {
            g_autoptr(GString) spaced = g_string_new (record);
            g_string_insert_c (spaced, 6, ' ');
            g_assert_cmpint (verify_text (spaced->str, pub), ==, ANX_SIGNATURE_INVALID);
          }
        }

      /* Tampered signature: flip one bit in the middle of r */
      {
        g_autoptr(GBytes) sig =
            anx_signature_sign (key, (const guint8 *) payload, strlen (payload), NULL);
        gsize len;
        g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (sig, &len), g_bytes_get_size (sig));
        char *reason = NULL;

        g_assert_cmpint (anx_signature_verify (pub, a, NULL, (const guint8 *) payload,
                                               strlen (payload), bad, len, NULL),
                         ==, ANX_SIGNATURE_VALID);
        bad[8] ^= 0x10;
        g_assert_cmpint (anx_signature_verify (pub, a, NULL, (const guint8 *) payload,
                                               strlen (payload), bad, len, &reason),
                         ==, ANX_SIGNATURE_INVALID);
        g_assert_nonnull (reason);
        g_free (reason);
        bad[8] ^= 0x10;

        /* Truncated DER, at every length */
        for (gsize n = 0; n < len; n++)
          g_assert_cmpint (anx_signature_verify (pub, a, NULL, (const guint8 *) payload,
                                                 strlen (payload), bad, n, NULL),
                           ==, ANX_SIGNATURE_MALFORMED);
      }

      /* Encodings of the key */
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *pem = anx_meter_key_export_public_pem (key, &error);
        g_autofree char *hex = anx_meter_key_export_public_hex (key);
        g_autofree char *lower = g_ascii_strdown (hex, -1);
        GBytes *der = anx_meter_key_get_der (key);
        g_autofree char *b64 =
            g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
        g_autofree char *private_pem = anx_meter_key_export_private_pem (key, &error);
        const char *texts[4];

        g_assert_no_error (error);
        g_assert_true (g_str_has_prefix (pem, "-----BEGIN PUBLIC KEY-----"));
        g_assert_true (g_str_has_prefix (private_pem, "-----BEGIN PRIVATE KEY-----"));
        texts[0] = pem;
        texts[1] = hex;
        texts[2] = lower;
        texts[3] = b64;
        for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
          {
            g_autoptr(AnxMeterKey) loaded = anx_meter_key_new_from_text (texts[i], &error);

            g_assert_no_error (error);
            g_assert_true (anx_meter_key_equal (loaded, key));
            g_assert_cmpint (anx_meter_key_get_algorithm (loaded), ==, a);
          }

        /* The private key survives a PEM round trip and signs for the public one */
        {
          g_autoptr(AnxMeterKey) loaded = anx_meter_key_new_from_private_pem (private_pem, &error);
          g_autofree char *record = NULL;

          g_assert_no_error (error);
          g_assert_true (anx_meter_key_has_private (loaded));
          record = sign_record (loaded, payload, FALSE);
          g_assert_cmpint (verify_text (record, pub), ==, ANX_SIGNATURE_VALID);
        }

        /* A public key cannot sign or export a private key */
        g_assert_null (anx_meter_key_export_private_pem (pub, &error));
        g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_NO_PRIVATE_KEY);
        g_clear_error (&error);
        g_assert_null (anx_signature_sign (pub, (const guint8 *) "x", 1, &error));
        g_assert_error (error, ANX_SIGNATURE_ERROR, ANX_SIGNATURE_ERROR_NO_PRIVATE_KEY);
      }
    }
}

/* A key on another curve than SA names is "wrong-curve", for every pair. */
static void
test_wrong_curve (void)
{
  AnxMeterKey *keys[ANX_SIGNATURE_ALGORITHM_LAST] = { NULL };
  char *records[ANX_SIGNATURE_ALGORITHM_LAST] = { NULL };
  g_autofree char *payload = make_payload (77);

  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    {
      keys[a] = generate (a);
      records[a] = sign_record (keys[a], payload, FALSE);
    }

  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    for (int b = 1; b < ANX_SIGNATURE_ALGORITHM_LAST; b++)
      g_assert_cmpint (verify_text (records[a], keys[b]), ==,
                       a == b ? ANX_SIGNATURE_VALID : ANX_SIGNATURE_WRONG_CURVE);

  /* Same curve, other meter: invalid */
  {
    g_autoptr(AnxMeterKey) other = generate (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
    g_assert_cmpint (verify_text (records[ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256], other),
                     ==, ANX_SIGNATURE_INVALID);
  }

  /* No SA means secp256r1: a secp256k1 key is then on the wrong curve */
  {
    g_autoptr(GBytes) sig =
        anx_signature_sign (keys[ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256],
                            (const guint8 *) payload, strlen (payload), NULL);
    g_autoptr(GString) record = g_string_new ("OCMF|");
    gsize len;
    const guint8 *bytes = g_bytes_get_data (sig, &len);

    g_string_append_printf (record, "%s|{\"SD\":\"", payload);
    for (gsize i = 0; i < len; i++)
      g_string_append_printf (record, "%02x", bytes[i]);
    g_string_append (record, "\"}");
    g_assert_cmpint (
        verify_text (record->str, keys[ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256]), ==,
        ANX_SIGNATURE_WRONG_CURVE);

    /* ...and the same signature with SA is valid */
    g_string_truncate (record, 0);
    g_string_append_printf (record, "OCMF|%s|{\"SA\":\"ECDSA-secp256k1-SHA256\",\"SD\":\"",
                            payload);
    for (gsize i = 0; i < len; i++)
      g_string_append_printf (record, "%02x", bytes[i]);
    g_string_append (record, "\"}");
    g_assert_cmpint (
        verify_text (record->str, keys[ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256]), ==,
        ANX_SIGNATURE_VALID);
  }

  /* Unsupported SA is malformed, whatever the key */
  {
    g_autofree char *text = g_strdup_printf (
        "OCMF|%s|{\"SA\":\"RSA-PSS-SHA256\",\"SD\":\"3006020101020101\"}", payload);
    g_assert_cmpint (verify_text (text, keys[1]), ==, ANX_SIGNATURE_MALFORMED);
  }

  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    {
      anx_meter_key_unref (keys[a]);
      g_free (records[a]);
    }
}

/* Splits a DER ECDSA signature into r and s (test-side parser). */
static void
split_der (const guint8  *sig,
           gsize          len,
           const guint8 **r,
           gsize         *r_len,
           const guint8 **s,
           gsize         *s_len)
{
  gsize pos = sig[1] == 0x81 ? 3 : 2;

  g_assert_cmpuint (sig[0], ==, 0x30);
  g_assert_cmpuint (sig[pos], ==, 0x02);
  *r_len = sig[pos + 1];
  *r = sig + pos + 2;
  pos += 2 + *r_len;
  g_assert_cmpuint (sig[pos], ==, 0x02);
  *s_len = sig[pos + 1];
  *s = sig + pos + 2;
  g_assert_cmpuint (pos + 2 + *s_len, ==, len);
}

/* Builds SEQUENCE { INTEGER r, INTEGER s } from raw integer contents. */
static GBytes *
build_der (const guint8 *r,
           gsize         r_len,
           const guint8 *s,
           gsize         s_len)
{
  GByteArray *der = g_byte_array_new ();
  gsize body = 2 + r_len + 2 + s_len;
  guint8 hdr[3];

  hdr[0] = 0x30;
  if (body < 0x80)
    {
      hdr[1] = (guint8) body;
      g_byte_array_append (der, hdr, 2);
    }
  else
    {
      hdr[1] = 0x81;
      hdr[2] = (guint8) body;
      g_byte_array_append (der, hdr, 3);
    }
  hdr[0] = 0x02;
  hdr[1] = (guint8) r_len;
  g_byte_array_append (der, hdr, 2);
  g_byte_array_append (der, r, (guint) r_len);
  hdr[1] = (guint8) s_len;
  g_byte_array_append (der, hdr, 2);
  g_byte_array_append (der, s, (guint) s_len);
  return g_byte_array_free_to_bytes (der);
}

static AnxSignatureResult
verify_bytes (AnxMeterKey *key,
              const char  *payload,
              GBytes      *sig)
{
  return anx_signature_verify (key, anx_meter_key_get_algorithm (key), NULL,
                               (const guint8 *) payload, strlen (payload),
                               g_bytes_get_data (sig, NULL), g_bytes_get_size (sig), NULL);
}

/* r and s are minimal DER integers: a leading 0x00 when the top bit is set,
 * fewer bytes than the curve size when the value is small. Both are valid;
 * anything non-minimal or negative is not DER. */
static void
test_der_edge_cases (void)
{
  static const AnxSignatureAlgorithm algorithms[] = {
    ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256,
    ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192K1_SHA256,
    ANX_SIGNATURE_ALGORITHM_SM2_SM3,
  };

  for (guint k = 0; k < G_N_ELEMENTS (algorithms); k++)
    {
      g_autoptr(AnxMeterKey) key = generate (algorithms[k]);
      g_autoptr(AnxMeterKey) pub = public_only (key);
      gsize size = anx_signature_algorithm_get_bits (algorithms[k]) / 8;
      gboolean seen_leading_zero = FALSE, seen_short = FALSE;
      guint tries;

      /* Short r or s happens with probability about 2/256 per signature */
      for (tries = 0; tries < 20000 && !(seen_leading_zero && seen_short); tries++)
        {
          g_autofree char *payload = make_payload (tries);
          g_autoptr(GBytes) sig =
              anx_signature_sign (key, (const guint8 *) payload, strlen (payload), NULL);
          const guint8 *r, *s;
          gsize r_len, s_len;
          gboolean leading_zero, is_short;

          split_der (g_bytes_get_data (sig, NULL), g_bytes_get_size (sig), &r, &r_len, &s, &s_len);
          leading_zero = (r_len == size + 1 && r[0] == 0) || (s_len == size + 1 && s[0] == 0);
          is_short = r_len < size || s_len < size;
          if ((leading_zero && !seen_leading_zero) || (is_short && !seen_short))
            {
              g_test_message ("%s: r %" G_GSIZE_FORMAT " bytes, s %" G_GSIZE_FORMAT " bytes",
                              anx_signature_algorithm_to_ocmf (algorithms[k]), r_len, s_len);
              g_assert_cmpint (verify_bytes (pub, payload, sig), ==, ANX_SIGNATURE_VALID);
              seen_leading_zero |= leading_zero;
              seen_short |= is_short;
            }

          if (tries == 0)
            {
              /* Constructed non-DER variants of a good signature */
              guint8 padded[80];
              g_autoptr(GBytes) v = NULL;

              /* a superfluous leading zero on s */
              padded[0] = 0x00;
              memcpy (padded + 1, s, s_len);
              if (s[0] & 0x80)
                {
                  padded[1] = 0x00;
                  memcpy (padded + 2, s, s_len);
                  v = build_der (r, r_len, padded + 1, s_len + 1);
                  g_clear_pointer (&v, g_bytes_unref);
                  v = build_der (r, r_len, padded, s_len + 2);
                }
              else
                v = build_der (r, r_len, padded, s_len + 1);
              g_assert_cmpint (verify_bytes (pub, payload, v), ==, ANX_SIGNATURE_MALFORMED);
              g_clear_pointer (&v, g_bytes_unref);

              /* r with its top bit set and no zero in front: negative */
              memcpy (padded, r, r_len);
              if (r[0] == 0)
                v = build_der (r + 1, r_len - 1, s, s_len);
              else
                {
                  padded[0] |= 0x80;
                  v = build_der (padded, r_len, s, s_len);
                }
              g_assert_cmpint (verify_bytes (pub, payload, v), ==, ANX_SIGNATURE_MALFORMED);
              g_clear_pointer (&v, g_bytes_unref);

              /* r = 0 and s = 1 are DER, but out of range: invalid */
              padded[0] = 0x00;
              v = build_der (padded, 1, s, s_len);
              g_assert_cmpint (verify_bytes (pub, payload, v), ==, ANX_SIGNATURE_INVALID);
              g_clear_pointer (&v, g_bytes_unref);
              padded[0] = 0x01;
              v = build_der (r, r_len, padded, 1);
              g_assert_cmpint (verify_bytes (pub, payload, v), ==, ANX_SIGNATURE_INVALID);
              g_clear_pointer (&v, g_bytes_unref);

              /* A byte after the SEQUENCE; a byte inside it after s */
              {
                GByteArray *a = g_byte_array_new ();
                g_autoptr(GBytes) good = build_der (r, r_len, s, s_len);
                g_autoptr(GBytes) extra = NULL;
                guint8 zero = 0;

                g_byte_array_append (a, g_bytes_get_data (good, NULL),
                                     (guint) g_bytes_get_size (good));
                g_byte_array_append (a, &zero, 1);
                extra = g_byte_array_free_to_bytes (a);
                g_assert_cmpint (verify_bytes (pub, payload, good), ==, ANX_SIGNATURE_VALID);
                g_assert_cmpint (verify_bytes (pub, payload, extra), ==, ANX_SIGNATURE_MALFORMED);
              }
            }
        }
      g_test_message ("%u signatures made", tries);
      g_assert_true (seen_leading_zero);
      g_assert_true (seen_short);
    }

  /* Garbage of every kind */
  {
    g_autoptr(AnxMeterKey) key = generate (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
    static const struct
    {
      const char *bytes;
      gsize len;
    } garbage[] = {
      { "", 0 },
      { "hello world, not a signature", 28 },
      { "\x30\x06\x02\x01\x01\x02\x01", 7 },
      { "\x30\x80\x02\x01\x01\x02\x01\x01\x00\x00", 10 },     /* indefinite length */
      { "\x30\x81\x06\x02\x01\x01\x02\x01\x01", 9 },          /* long form for 6 */
      { "\x30\x06\x02\x00\x02\x02\x01\x01", 8 },              /* empty INTEGER */
      { "\x30\x07\x02\x01\x01\x02\x02\x00\x01", 9 },          /* 00 01: not minimal */
      { "\x30\x06\x04\x01\x01\x02\x01\x01", 8 },              /* OCTET STRING */
      { "\x31\x06\x02\x01\x01\x02\x01\x01", 8 },              /* SET */
      { "\x30\x09\x02\x01\x01\x02\x01\x01\x02\x01\x01", 11 }, /* three INTEGERs */
      { "\x30\x07\x02\x01\x01\x02\x01\x01", 8 },              /* length past end */
      { "\x30\x07\x02\x81\x01\x01\x02\x01\x01", 9 },          /* long-form INTEGER */
    };

    for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
      {
        g_autofree char *reason = NULL;

        g_assert_cmpint (anx_signature_verify (key, ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256,
                                               NULL, (const guint8 *) "{}", 2,
                                               (const guint8 *) garbage[i].bytes, garbage[i].len,
                                               &reason),
                         ==, ANX_SIGNATURE_MALFORMED);
        g_test_message ("garbage %u: %s", i, reason);
      }
    g_assert_cmpint (anx_signature_verify (key, ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256,
                                           NULL, (const guint8 *) "{}", 2, NULL, 0, NULL),
                     ==, ANX_SIGNATURE_MALFORMED);
    g_assert_cmpint (
        anx_signature_verify (key, ANX_SIGNATURE_ALGORITHM_UNKNOWN, NULL, (const guint8 *) "{}", 2,
                              (const guint8 *) "\x30\x06\x02\x01\x01\x02\x01\x01", 8, NULL),
        ==, ANX_SIGNATURE_MALFORMED);
  }
}

/* SM2 curve constants (GB/T 32918.5), for computing Z independently. */
static const char sm2_a[] = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC";
static const char sm2_b[] = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93";
static const char sm2_gx[] = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7";
static const char sm2_gy[] = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0";

static void
append_hex (EVP_MD_CTX *md,
            const char *hex)
{
  guint8 bytes[32];

  for (guint i = 0; i < 32; i++)
    bytes[i] =
        (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  g_assert_cmpint (EVP_DigestUpdate (md, bytes, 32), ==, 1);
}

/* e = SM3(Z || M), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA),
 * computed here by hand and checked with the raw SM2 verify of OpenSSL:
 * proves the ID is used the way GB/T 32918.2 says. */
static gboolean
sm2_verify_by_hand (AnxMeterKey *pub,
                    const char  *id,
                    const char  *message,
                    GBytes      *sig)
{
  GBytes *der = anx_meter_key_get_der (pub);
  gsize der_len;
  const guint8 *der_bytes = g_bytes_get_data (der, &der_len);
  const guint8 *point = der_bytes + der_len - 64; /* x || y after the 0x04 */
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  guint8 z[32], e[32];
  unsigned int len = 0;
  guint8 entl[2];
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *ctx;
  const unsigned char *p = der_bytes;
  int ok;

  g_assert_cmpuint (der_bytes[der_len - 65], ==, 0x04);
  entl[0] = (guint8) ((strlen (id) * 8) >> 8);
  entl[1] = (guint8) (strlen (id) * 8);

  g_assert_cmpint (EVP_DigestInit_ex2 (md, EVP_get_digestbyname ("SM3"), NULL), ==, 1);
  EVP_DigestUpdate (md, entl, 2);
  EVP_DigestUpdate (md, id, strlen (id));
  append_hex (md, sm2_a);
  append_hex (md, sm2_b);
  append_hex (md, sm2_gx);
  append_hex (md, sm2_gy);
  EVP_DigestUpdate (md, point, 64);
  g_assert_cmpint (EVP_DigestFinal_ex (md, z, &len), ==, 1);

  g_assert_cmpint (EVP_DigestInit_ex2 (md, EVP_get_digestbyname ("SM3"), NULL), ==, 1);
  EVP_DigestUpdate (md, z, 32);
  EVP_DigestUpdate (md, message, strlen (message));
  g_assert_cmpint (EVP_DigestFinal_ex (md, e, &len), ==, 1);
  EVP_MD_CTX_free (md);

  pkey = d2i_PUBKEY (NULL, &p, (long) der_len);
  g_assert_nonnull (pkey);
  ctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  g_assert_cmpint (EVP_PKEY_verify_init (ctx), ==, 1);
  ok = EVP_PKEY_verify (ctx, g_bytes_get_data (sig, NULL), g_bytes_get_size (sig), e, 32);
  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (pkey);
  return ok == 1;
}

static void
test_sm2 (void)
{
  g_autoptr(AnxMeterKey) key = generate (ANX_SIGNATURE_ALGORITHM_SM2_SM3);
  g_autoptr(AnxMeterKey) pub = public_only (key);
  g_autoptr(AnxMeterKey) key_id = anx_meter_key_new_with_sm2_id (key, "HZ-METER-0001");
  g_autoptr(AnxMeterKey) pub_id = anx_meter_key_new_with_sm2_id (pub, "HZ-METER-0001");
  g_autofree char *payload = make_payload (2);
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GBytes) sig_id = NULL;

  g_assert_cmpstr (anx_meter_key_get_curve (key), ==, "SM2");
  g_assert_cmpstr (anx_meter_key_get_sm2_id (pub), ==, ANX_SM2_DEFAULT_ID);
  g_assert_cmpstr (anx_meter_key_get_sm2_id (pub_id), ==, "HZ-METER-0001");
  g_assert_cmpstr (anx_meter_key_get_fingerprint (pub), ==, anx_meter_key_get_fingerprint (pub_id));
  g_assert_false (anx_meter_key_equal (pub, pub_id));
  g_assert_true (anx_meter_key_has_private (key_id));
  g_assert_false (anx_meter_key_has_private (pub_id));

  /* Default ID: the signature is over SM3(Z || M) with Z from "1234567812345678" */
  sig = anx_signature_sign (key, (const guint8 *) payload, strlen (payload), NULL);
  g_assert_nonnull (sig);
  g_assert_true (sm2_verify_by_hand (pub, ANX_SM2_DEFAULT_ID, payload, sig));
  g_assert_false (sm2_verify_by_hand (pub, "HZ-METER-0001", payload, sig));
  g_assert_cmpint (verify_bytes (pub, payload, sig), ==, ANX_SIGNATURE_VALID);
  g_assert_cmpint (verify_bytes (pub_id, payload, sig), ==, ANX_SIGNATURE_INVALID);
  g_assert_cmpint (anx_signature_verify (pub_id, ANX_SIGNATURE_ALGORITHM_SM2_SM3,
                                         ANX_SM2_DEFAULT_ID, (const guint8 *) payload,
                                         strlen (payload), g_bytes_get_data (sig, NULL),
                                         g_bytes_get_size (sig), NULL),
                   ==, ANX_SIGNATURE_VALID);

  /* Registered ID */
  sig_id = anx_signature_sign (key_id, (const guint8 *) payload, strlen (payload), NULL);
  g_assert_true (sm2_verify_by_hand (pub, "HZ-METER-0001", payload, sig_id));
  g_assert_cmpint (verify_bytes (pub_id, payload, sig_id), ==, ANX_SIGNATURE_VALID);
  g_assert_cmpint (verify_bytes (pub, payload, sig_id), ==, ANX_SIGNATURE_INVALID);

  /* Records: SI is written for a non-default ID and must match the registry */
  {
    g_autofree char *record = sign_record (key_id, payload, FALSE);
    g_autofree char *plain = sign_record (key, payload, TRUE);
    g_autoptr(AnxOcmf) ocmf = anx_ocmf_parse (record, -1, NULL);

    g_assert_nonnull (strstr (record, "\"SA\":\"SM2-SM3\""));
    g_assert_cmpstr (anx_ocmf_get_sm2_id (ocmf), ==, "HZ-METER-0001");
    g_assert_null (strstr (plain, "\"SI\""));
    g_assert_cmpint (verify_text (record, pub_id), ==, ANX_SIGNATURE_VALID);
    g_assert_cmpint (verify_text (record, pub), ==, ANX_SIGNATURE_INVALID);
    g_assert_cmpint (verify_text (plain, pub), ==, ANX_SIGNATURE_VALID);
    g_assert_cmpint (verify_text (plain, pub_id), ==, ANX_SIGNATURE_INVALID);

    /* Claiming the registered ID does not make a default-ID signature pass */
    {
      g_autoptr(GString) s = g_string_new (plain);
      const char *sig_part = strstr (plain, "|{") + 2;
      g_string_truncate (s, (gsize) (sig_part - plain));
      g_string_append (s, "\"SI\":\"HZ-METER-0001\",");
      g_string_append (s, sig_part);
      g_assert_cmpint (verify_text (s->str, pub_id), ==, ANX_SIGNATURE_INVALID);
    }
  }

  /* An SM2 key with an ECDSA SA, and the reverse, are wrong-curve */
  {
    g_autoptr(AnxMeterKey) p256 = generate (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
    g_assert_cmpint (anx_signature_verify (pub, ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256,
                                           NULL, (const guint8 *) payload, strlen (payload),
                                           g_bytes_get_data (sig, NULL), g_bytes_get_size (sig),
                                           NULL),
                     ==, ANX_SIGNATURE_WRONG_CURVE);
    g_assert_cmpint (anx_signature_verify (p256, ANX_SIGNATURE_ALGORITHM_SM2_SM3, NULL,
                                           (const guint8 *) payload, strlen (payload),
                                           g_bytes_get_data (sig, NULL), g_bytes_get_size (sig),
                                           NULL),
                     ==, ANX_SIGNATURE_WRONG_CURVE);
  }
}

static void
test_key_errors (void)
{
  static const struct
  {
    const char *text;
    AnxMeterKeyError code;
  } cases[] = {
    { "", ANX_METER_KEY_ERROR_EMPTY },
    { "   ", ANX_METER_KEY_ERROR_EMPTY },
    { "zz-not-a-key", ANX_METER_KEY_ERROR_ENCODING },
    { "ABC", ANX_METER_KEY_ERROR_ENCODING }, /* odd hex, not base64 either */
    { "3059", ANX_METER_KEY_ERROR_INVALID },
    { "00112233445566778899", ANX_METER_KEY_ERROR_INVALID },
    { "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n",
      ANX_METER_KEY_ERROR_ENCODING },
    { "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
      ANX_METER_KEY_ERROR_ENCODING },
    /* P-256 key with the last byte of y changed: not on the curve */
    { "3059301306072A8648CE3D020106082A8648CE3D03010703420004CE6FD2090A85FDE4A69B58EF00FDE362833AD8"
      "C"
      "70F8E8027CAAC655C0BB02F6B1A44558C78B386FF0BC3A4BBE6C81A4F8133134DB05DAE91E2AA309C07A5128C",
      ANX_METER_KEY_ERROR_INVALID },
    /* The same key with a byte after it */
    { "3059301306072A8648CE3D020106082A8648CE3D03010703420004CE6FD2090A85FDE4A69B58EF00FDE362833AD8"
      "C"
      "70F8E8027CAAC655C0BB02F6B1A44558C78B386FF0BC3A4BBE6C81A4F8133134DB05DAE91E2AA309C07A5128B00",
      ANX_METER_KEY_ERROR_INVALID },
    /* Ed25519: not an EC curve OCMF uses */
    { "302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE },
    /* secp224r1: an EC curve no algorithm of ours uses */
    { "304e301006072a8648ce3d020106052b81040021033a0004350a2f08a292b802ecbc80e3a916b6631ed7852d57c0"
      "175ff7c271d19635be6bd5aa04ab407fd57c2f0f2f7648df97f35aa590bd21ecbcb5",
      ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AnxMeterKey) key = anx_meter_key_new_from_text (cases[i].text, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (key);
      g_assert_error (error, ANX_METER_KEY_ERROR, (int) cases[i].code);
      g_clear_error (&error);
    }

  g_assert_null (anx_meter_key_new_from_der (NULL, 0, &error));
  g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (anx_meter_key_new_from_private_pem ("-----BEGIN PRIVATE KEY-----\n", &error));
  g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING);
  g_clear_error (&error);
  g_assert_null (anx_meter_key_generate (ANX_SIGNATURE_ALGORITHM_UNKNOWN, &error));
  g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE);
  g_clear_error (&error);

  /* A PEM private key is not a registry (public) key */
  {
    g_autoptr(AnxMeterKey) key = generate (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
    g_autofree char *pem = anx_meter_key_export_private_pem (key, NULL);

    g_assert_null (anx_meter_key_new_from_text (pem, &error));
    g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING);
    g_clear_error (&error);
  }

  /* A real key from the field, with the fingerprint of its DER */
  {
    g_autoptr(AnxMeterKey) key = anx_meter_key_new_from_text (
        "3059301306072A8648CE3D020106082A8648CE3D03010703420004CE6FD2090A85FDE4A69B58EF00FDE362833A"
        "D8C"
        "70F8E8027CAAC655C0BB02F6B1A44558C78B386FF0BC3A4BBE6C81A4F8133134DB05DAE91E2AA309C07A5128B",
        &error);
    g_autofree char *expected = NULL;
    GBytes *der;

    g_assert_no_error (error);
    g_assert_cmpstr (anx_meter_key_get_curve (key), ==, "prime256v1");
    der = anx_meter_key_get_der (key);
    g_assert_cmpuint (g_bytes_get_size (der), ==, 91);
    expected = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, der);
    g_assert_cmpstr (anx_meter_key_get_fingerprint (key), ==, expected);
  }
}

/* Registry keys of every curve are read without OpenSSL's decoder: the
 * bytes read must be exactly what OpenSSL writes, the key the same, and a
 * key in any other form (a compressed point) must still load, through
 * d2i_PUBKEY(). */
static void
test_key_fast_path (void)
{
  for (int a = 1; a < ANX_SIGNATURE_ALGORITHM_LAST; a++)
    {
      g_autoptr(AnxMeterKey) key = generate (a);
      g_autoptr(GError) error = NULL;
      GBytes *written = anx_meter_key_get_der (key);
      gsize len = 0;
      const guint8 *der = g_bytes_get_data (written, &len);
      const guint8 *p = der;
      EVP_PKEY *fast = anx_meter_key_read_named_curve_spki (der, len);
      EVP_PKEY *slow = d2i_PUBKEY (NULL, &p, (long) len);
      g_autoptr(AnxMeterKey) loaded = anx_meter_key_new_from_der (der, len, &error);
      g_autofree char *payload = make_payload ((guint) a);
      g_autofree char *record = sign_record (key, payload, FALSE);
      g_autofree char *compressed_hex = NULL;
      g_autoptr(AnxMeterKey) from_compressed = NULL;
      unsigned char *compressed = NULL;
      int compressed_len;
      guint8 *broken;

      g_test_message ("%s", anx_signature_algorithm_to_ocmf (a));
      g_assert_nonnull (fast);
      g_assert_nonnull (slow);
      g_assert_cmpint (EVP_PKEY_eq (fast, slow), ==, 1);
      g_assert_true (EVP_PKEY_is_a (fast, EVP_PKEY_get0_type_name (slow)));
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (anx_meter_key_get_der (loaded), written));
      g_assert_cmpstr (anx_meter_key_get_fingerprint (loaded), ==,
                       anx_meter_key_get_fingerprint (key));
      g_assert_cmpstr (anx_meter_key_get_curve (loaded), ==, anx_meter_key_get_curve (key));
      g_assert_cmpint (anx_meter_key_get_algorithm (loaded), ==, a);
      g_assert_cmpint (verify_text (record, loaded), ==, ANX_SIGNATURE_VALID);

      /* Not on the curve: not read fast, and refused as before */
      broken = g_memdup2 (der, len);
      broken[len - 1] ^= 0x01;
      g_assert_null (anx_meter_key_read_named_curve_spki (broken, len));
      g_assert_null (anx_meter_key_new_from_der (broken, len, &error));
      g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_INVALID);
      g_clear_error (&error);
      /* Truncated, or with a byte after it */
      g_assert_null (anx_meter_key_read_named_curve_spki (der, len - 1));
      broken = g_realloc (broken, len + 1);
      memcpy (broken, der, len);
      broken[len] = 0;
      g_assert_null (anx_meter_key_read_named_curve_spki (broken, len + 1));
      g_free (broken);

      /* A compressed point goes through d2i_PUBKEY() */
      g_assert_cmpint (EVP_PKEY_set_utf8_string_param (
                           slow, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
                       ==, 1);
      compressed_len = i2d_PUBKEY (slow, &compressed);
      g_assert_cmpint (compressed_len, >, 0);
      g_assert_cmpint (compressed_len, <, (int) len);
      g_assert_null (anx_meter_key_read_named_curve_spki (compressed, (gsize) compressed_len));
      compressed_hex = g_strdup ("");
      for (int i = 0; i < compressed_len; i++)
        {
          char *next = g_strdup_printf ("%s%02x", compressed_hex, compressed[i]);

          g_free (compressed_hex);
          compressed_hex = next;
        }
      from_compressed = anx_meter_key_new_from_text (compressed_hex, &error);
      g_assert_no_error (error);
      g_assert_cmpint (verify_text (record, from_compressed), ==, ANX_SIGNATURE_VALID);

      OPENSSL_free (compressed);
      EVP_PKEY_free (fast);
      EVP_PKEY_free (slow);
    }
}

static void
test_key_cache (void)
{
  g_autoptr(AnxKeyCache) cache = anx_key_cache_new (3);
  g_autoptr(AnxMeterKey) k1 = generate (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  g_autoptr(AnxMeterKey) k2 = generate (ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256);
  g_autofree char *hex1 = anx_meter_key_export_public_hex (k1);
  g_autofree char *hex2 = anx_meter_key_export_public_hex (k2);
  g_autoptr(GError) error = NULL;
  guint64 hits = 0, misses = 0;
  AnxMeterKey *a, *b, *c, *latest;

  a = anx_key_cache_get (cache, "meter-1", hex1, &error);
  g_assert_no_error (error);
  b = anx_key_cache_get (cache, "meter-1", hex1, &error);
  g_assert_no_error (error);
  g_assert_true (a == b); /* parsed once, shared */
  g_assert_true (anx_meter_key_equal (a, k1));
  anx_key_cache_get_stats (cache, &hits, &misses);
  g_assert_cmpuint (hits, ==, 1);
  g_assert_cmpuint (misses, ==, 1);

  /* Same key bytes, other meter: a separate entry */
  c = anx_key_cache_get (cache, "meter-2", hex1, &error);
  g_assert_true (c != a);
  g_assert_true (anx_meter_key_equal (c, a));
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 2);
  anx_meter_key_unref (c);

  /* Meter exchange: meter-1 gets key 2; lookup returns the new key */
  c = anx_key_cache_get (cache, "meter-1", hex2, &error);
  latest = anx_key_cache_lookup (cache, "meter-1");
  g_assert_true (latest == c);
  g_assert_true (anx_meter_key_equal (latest, k2));
  anx_meter_key_unref (latest);
  anx_meter_key_unref (c);
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 3);
  g_assert_null (anx_key_cache_lookup (cache, "meter-9"));

  /* DER lookups, and eviction of the least recently used: meter-1's old key */
  {
    GBytes *der = anx_meter_key_get_der (k2);
    AnxMeterKey *d = anx_key_cache_get_der (cache, "meter-3", g_bytes_get_data (der, NULL),
                                            g_bytes_get_size (der), &error);
    g_assert_no_error (error);
    g_assert_true (anx_meter_key_equal (d, k2));
    anx_meter_key_unref (d);
  }
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 3);
  latest = anx_key_cache_lookup (cache, "meter-3");
  g_assert_nonnull (latest);
  anx_meter_key_unref (latest);
  latest = anx_key_cache_lookup (cache, "meter-2");
  g_assert_nonnull (latest);
  anx_meter_key_unref (latest);
  anx_key_cache_get_stats (cache, &hits, &misses);
  c = anx_key_cache_get (cache, "meter-1", hex1, &error); /* parsed again: it was evicted */
  g_assert_true (c != a);
  anx_meter_key_unref (c);
  {
    guint64 misses_after = 0;
    anx_key_cache_get_stats (cache, NULL, &misses_after);
    g_assert_cmpuint (misses_after, ==, misses + 1);
  }
  /* that evicted meter-2, the least recently used now; meter-1's current
   * key is the one passed last */
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 3);
  g_assert_null (anx_key_cache_lookup (cache, "meter-2"));
  latest = anx_key_cache_lookup (cache, "meter-1");
  g_assert_true (anx_meter_key_equal (latest, k1));
  anx_meter_key_unref (latest);

  /* Bad keys are reported, not cached */
  g_assert_null (anx_key_cache_get (cache, "meter-4", "nonsense!", &error));
  g_assert_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING);
  g_clear_error (&error);
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 3);

  /* Removing a meter forgets all its keys; keys handed out stay usable */
  anx_key_cache_remove_meter (cache, "meter-1");
  g_assert_null (anx_key_cache_lookup (cache, "meter-1"));
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 1);
  g_assert_true (anx_meter_key_equal (a, k1));
  anx_key_cache_clear (cache);
  g_assert_cmpuint (anx_key_cache_get_size (cache), ==, 0);
  g_assert_null (anx_key_cache_lookup (cache, "meter-3"));

  anx_meter_key_unref (a);
  anx_meter_key_unref (b);
}

/* Several threads verify records of several meters through one cache. */
typedef struct
{
  AnxKeyCache *cache;
  char **hex;
  char **records;  /* valid */
  char **tampered; /* invalid */
  guint n_meters;
  guint rounds;
  gint failures;
} ThreadData;

static gpointer
verify_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint round = 0; round < data->rounds; round++)
    for (guint m = 0; m < data->n_meters; m++)
      {
        g_autofree char *meter = g_strdup_printf ("meter-%u", m);
        g_autoptr(AnxMeterKey) key = anx_key_cache_get (data->cache, meter, data->hex[m], NULL);
        /* meter m's record with meter (m + 1)'s key must fail */
        g_autofree char *other_meter = g_strdup_printf ("meter-%u", (m + 1) % data->n_meters);
        g_autoptr(AnxMeterKey) other =
            anx_key_cache_get (data->cache, other_meter, data->hex[(m + 1) % data->n_meters], NULL);

        if (key == NULL || other == NULL ||
            anx_signature_verify_ocmf_text (data->records[m], -1, key, NULL) !=
                ANX_SIGNATURE_VALID ||
            anx_signature_verify_ocmf_text (data->tampered[m], -1, key, NULL) !=
                ANX_SIGNATURE_INVALID ||
            anx_signature_verify_ocmf_text (data->records[m], -1, other, NULL) ==
                ANX_SIGNATURE_VALID)
          g_atomic_int_inc (&data->failures);
      }
  return NULL;
}

static void
test_concurrency (void)
{
  static const AnxSignatureAlgorithm algorithms[] = {
    ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256,
    ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256,
    ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256,
    ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL256R1_SHA256,
    ANX_SIGNATURE_ALGORITHM_SM2_SM3,
  };
  guint n = G_N_ELEMENTS (algorithms);
  ThreadData data = { 0 };
  GThread *threads[6];
  guint64 hits = 0, misses = 0;

  data.cache = anx_key_cache_new (0);
  data.hex = g_new0 (char *, n + 1);
  data.records = g_new0 (char *, n + 1);
  data.tampered = g_new0 (char *, n + 1);
  data.n_meters = n;
  data.rounds = 30;

  for (guint m = 0; m < n; m++)
    {
      g_autoptr(AnxMeterKey) key = generate (algorithms[m]);
      g_autofree char *payload = make_payload (m);
      char *digit;

      data.hex[m] = anx_meter_key_export_public_hex (key);
      data.records[m] = sign_record (key, payload, m % 2 == 0);
      data.tampered[m] = g_strdup (data.records[m]);
      digit = strstr (data.tampered[m], ".500");
      digit[3] = '1';
    }

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("verify", verify_thread, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpint (data.failures, ==, 0);
  g_assert_cmpuint (anx_key_cache_get_size (data.cache), ==, n);
  anx_key_cache_get_stats (data.cache, &hits, &misses);
  g_assert_cmpuint (hits + misses, ==, G_N_ELEMENTS (threads) * data.rounds * n * 2);
  /* Racing first look-ups may parse a key twice, never more than once per thread */
  g_assert_cmpuint (misses, <=, n * G_N_ELEMENTS (threads));

  anx_key_cache_unref (data.cache);
  g_strfreev (data.hex);
  g_strfreev (data.records);
  g_strfreev (data.tampered);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/signature/algorithm-names", test_algorithm_names);
  g_test_add_func ("/signature/all-algorithms", test_all_algorithms);
  g_test_add_func ("/signature/wrong-curve", test_wrong_curve);
  g_test_add_func ("/signature/der-edge-cases", test_der_edge_cases);
  g_test_add_func ("/signature/sm2", test_sm2);
  g_test_add_func ("/signature/key-errors", test_key_errors);
  g_test_add_func ("/signature/key-fast-path", test_key_fast_path);
  g_test_add_func ("/signature/key-cache", test_key_cache);
  g_test_add_func ("/signature/concurrency", test_concurrency);

  return g_test_run ();
}
