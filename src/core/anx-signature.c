/* anx-signature.c: meter signature algorithms and verification (ECDSA, SM2)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-signature"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "anx-meter-key-private.h"
#include "anx-ocmf.h"
#include "anx-signature.h"

G_DEFINE_QUARK (anx-signature-error-quark, anx_signature_error)

static const struct
{
  AnxSignatureAlgorithm algorithm;
  const char *ocmf;  /* canonical SA */
  const char *alias; /* other spelling seen in the field, or NULL */
  const char *group; /* OpenSSL group name */
  guint bits;
} algorithms[] = {
  { ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192K1_SHA256, "ECDSA-secp192k1-SHA256", NULL, "secp192k1",
    192 },
  { ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256, "ECDSA-secp256k1-SHA256", NULL, "secp256k1",
    256 },
  { ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192R1_SHA256, "ECDSA-secp192r1-SHA256", NULL, "prime192v1",
    192 },
  { ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256, "ECDSA-secp256r1-SHA256", NULL, "prime256v1",
    256 },
  { ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL256R1_SHA256, "ECDSA-brainpool256r1-SHA256",
    "ECDSA-brainpoolP256r1-SHA256", "brainpoolP256r1", 256 },
  { ANX_SIGNATURE_ALGORITHM_ECDSA_SECP384R1_SHA256, "ECDSA-secp384r1-SHA256", NULL, "secp384r1",
    384 },
  { ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL384R1_SHA256, "ECDSA-brainpool384r1-SHA256",
    "ECDSA-brainpoolP384r1-SHA256", "brainpoolP384r1", 384 },
  { ANX_SIGNATURE_ALGORITHM_SM2_SM3, "SM2-SM3", NULL, "SM2", 256 },
};

/**
 * anx_signature_algorithm_from_ocmf:
 * @sa: (nullable): the `SA` of an OCMF signature section
 *
 * Maps `SA` (compared without regard to case; brainpool curves also with
 * a `P`, as some firmware writes them) to an algorithm.
 *
 * Returns: the algorithm; %ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256 for
 *   %NULL (the OCMF default), %ANX_SIGNATURE_ALGORITHM_UNKNOWN if unsupported
 */
AnxSignatureAlgorithm
anx_signature_algorithm_from_ocmf (const char *sa)
{
  if (sa == NULL)
    return ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256;

  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (g_ascii_strcasecmp (sa, algorithms[i].ocmf) == 0 ||
        (algorithms[i].alias != NULL && g_ascii_strcasecmp (sa, algorithms[i].alias) == 0))
      return algorithms[i].algorithm;

  return ANX_SIGNATURE_ALGORITHM_UNKNOWN;
}

/**
 * anx_signature_algorithm_to_ocmf:
 * @algorithm: an algorithm
 *
 * Returns: (nullable): the `SA` to write for @algorithm, or %NULL
 */
const char *
anx_signature_algorithm_to_ocmf (AnxSignatureAlgorithm algorithm)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (algorithms[i].algorithm == algorithm)
      return algorithms[i].ocmf;
  return NULL;
}

/**
 * anx_signature_algorithm_get_curve:
 * @algorithm: an algorithm
 *
 * Returns: (nullable): OpenSSL's name of the curve ("prime256v1", "SM2", ...)
 */
const char *
anx_signature_algorithm_get_curve (AnxSignatureAlgorithm algorithm)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (algorithms[i].algorithm == algorithm)
      return algorithms[i].group;
  return NULL;
}

/**
 * anx_signature_algorithm_get_bits:
 * @algorithm: an algorithm
 *
 * Returns: the size of the curve's order in bits, or 0
 */
guint
anx_signature_algorithm_get_bits (AnxSignatureAlgorithm algorithm)
{
  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (algorithms[i].algorithm == algorithm)
      return algorithms[i].bits;
  return 0;
}

/**
 * anx_signature_result_to_string:
 * @result: a verdict
 *
 * Returns: a stable machine name: "valid", "invalid", "unknown-key",
 *   "wrong-curve" or "malformed"
 */
const char *
anx_signature_result_to_string (AnxSignatureResult result)
{
  switch (result)
    {
    case ANX_SIGNATURE_VALID:
      return "valid";
    case ANX_SIGNATURE_INVALID:
      return "invalid";
    case ANX_SIGNATURE_UNKNOWN_KEY:
      return "unknown-key";
    case ANX_SIGNATURE_WRONG_CURVE:
      return "wrong-curve";
    case ANX_SIGNATURE_MALFORMED:
      return "malformed";
    default:
      return "unknown";
    }
}

static AnxSignatureResult
verdict (AnxSignatureResult   result,
         char               **reason,
         char                *text)
{
  if (reason != NULL)
    *reason = text;
  else
    g_free (text);
  return result;
}

/* One DER INTEGER holding a positive value: minimal length, no sign bit. */
static gboolean
der_integer (const guint8  *p,
             gsize          len,
             gsize         *pos,
             const char   **problem)
{
  gsize n;

  if (*pos + 2 > len || p[*pos] != 0x02)
    {
      *problem = N_("expected an INTEGER");
      return FALSE;
    }
  n = p[*pos + 1];
  if (n == 0 || n >= 0x80)
    {
      *problem = N_("INTEGER length is zero or not in short form");
      return FALSE;
    }
  *pos += 2;
  if (*pos + n > len)
    {
      *problem = N_("INTEGER runs past the end");
      return FALSE;
    }
  if (p[*pos] & 0x80)
    {
      *problem = N_("INTEGER is negative");
      return FALSE;
    }
  if (n > 1 && p[*pos] == 0x00 && !(p[*pos + 1] & 0x80))
    {
      *problem = N_("INTEGER has a superfluous leading zero");
      return FALSE;
    }
  *pos += n;
  return TRUE;
}

/* Checks that @sig is DER: SEQUENCE { INTEGER r, INTEGER s } and nothing
 * else. OpenSSL would refuse the rest too, but could not tell "not a
 * signature at all" from "a signature that does not match". Short r or s
 * (leading zero bytes dropped) and r or s with a 0x00 before a high bit are
 * both what DER requires, so both pass. */
static gboolean
der_check_signature (const guint8  *sig,
                     gsize          len,
                     char         **reason)
{
  const char *problem = NULL;
  gsize pos = 0;
  gsize body;

  if (len < 8)
    problem = N_("too short");
  else if (sig[0] != 0x30)
    problem = N_("not a DER SEQUENCE");
  else
    {
      if (sig[1] < 0x80)
        {
          body = sig[1];
          pos = 2;
        }
      else if (sig[1] == 0x81 && len > 2 && sig[2] >= 0x80)
        {
          body = sig[2];
          pos = 3;
        }
      else
        body = G_MAXSIZE, problem = N_("SEQUENCE length is not minimal DER");

      if (problem == NULL && pos + body != len)
        problem = pos + body > len ? N_("truncated") : N_("bytes after the SEQUENCE");
      if (problem == NULL && der_integer (sig, len, &pos, &problem) &&
          der_integer (sig, len, &pos, &problem) && pos != len)
        problem = N_("extra data inside the SEQUENCE");
    }

  if (problem != NULL)
    {
      if (reason != NULL)
        *reason =
            g_strdup_printf (_("The signature is not a DER ECDSA/SM2 signature: %s"), _(problem));
      return FALSE;
    }
  return TRUE;
}

static AnxSignatureResult
verify_ecdsa (AnxMeterKey   *key,
              const guint8  *data,
              gsize          data_len,
              const guint8  *signature,
              gsize          signature_len,
              char         **reason)
{
  AnxVerifyContext *context;
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  int ok;

  context = anx_meter_key_acquire_context (key);
  if (context == NULL)
    return verdict (ANX_SIGNATURE_MALFORMED, reason,
                    g_strdup (_("OpenSSL could not set up the verification")));

  if (EVP_DigestInit_ex2 (context->md_ctx, anx_meter_key_get_md (key), NULL) != 1 ||
      EVP_DigestUpdate (context->md_ctx, data, data_len) != 1 ||
      EVP_DigestFinal_ex (context->md_ctx, digest, &digest_len) != 1)
    {
      ERR_clear_error ();
      anx_meter_key_release_context (key, context);
      return verdict (ANX_SIGNATURE_MALFORMED, reason, g_strdup (_("OpenSSL could not hash")));
    }

  ok = EVP_PKEY_verify (context->pkey_ctx, signature, signature_len, digest, digest_len);
  anx_meter_key_release_context (key, context);

  if (ok == 1)
    return verdict (ANX_SIGNATURE_VALID, reason,
                    g_strdup_printf (_("The signature is valid (key %.16s…)"),
                                     anx_meter_key_get_fingerprint (key)));

  ERR_clear_error ();
  return verdict (ANX_SIGNATURE_INVALID, reason,
                  g_strdup_printf (_("The signature does not match the data and key %.16s…"),
                                   anx_meter_key_get_fingerprint (key)));
}

static AnxSignatureResult
verify_sm2 (AnxMeterKey   *key,
            const char    *sm2_id,
            const guint8  *data,
            gsize          data_len,
            const guint8  *signature,
            gsize          signature_len,
            char         **reason)
{
  EVP_PKEY *pkey = anx_meter_key_get_pkey (key);
  EVP_MD_CTX *md_ctx = EVP_MD_CTX_new ();
  EVP_PKEY_CTX *pkey_ctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
  int ok = -1;

  /* The ID goes into Z = SM3(ENTL || ID || a || b || G || P), which is
   * hashed in front of the message (GB/T 32918.2, 6.1). */
  if (md_ctx != NULL && pkey_ctx != NULL &&
      EVP_PKEY_CTX_set1_id (pkey_ctx, sm2_id, strlen (sm2_id)) == 1)
    {
      EVP_MD_CTX_set_pkey_ctx (md_ctx, pkey_ctx);
      if (EVP_DigestVerifyInit_ex (md_ctx, NULL, "SM3", NULL, NULL, pkey, NULL) == 1)
        ok = EVP_DigestVerify (md_ctx, signature, signature_len, data, data_len);
    }

  EVP_MD_CTX_free (md_ctx);
  EVP_PKEY_CTX_free (pkey_ctx);
  ERR_clear_error ();

  if (ok == 1)
    return verdict (ANX_SIGNATURE_VALID, reason,
                    g_strdup_printf (_("The SM2 signature is valid (key %.16s…, ID “%s”)"),
                                     anx_meter_key_get_fingerprint (key), sm2_id));
  return verdict (ANX_SIGNATURE_INVALID, reason,
                  g_strdup_printf (_("The SM2 signature does not match the data, key %.16s… "
                                      "and ID “%s”"),
                                   anx_meter_key_get_fingerprint (key), sm2_id));
}

/**
 * anx_signature_verify:
 * @key: (nullable): the meter's registered key, %NULL if there is none
 * @algorithm: the algorithm the record names
 * @sm2_id: (nullable): the SM2 distinguishing ID; %NULL for the key's own
 * @data: the signed bytes (for OCMF, the payload exactly as transmitted)
 * @data_len: their length
 * @signature: the DER signature
 * @signature_len: its length
 * @reason: (out) (optional) (transfer full): a sentence explaining the verdict
 *
 * Verifies with SHA-256 (ECDSA) or SM3 and the distinguishing ID (SM2).
 * Safe to call from many threads at once, also with the same key.
 *
 * Returns: the verdict
 */
AnxSignatureResult
anx_signature_verify (AnxMeterKey            *key,
                      AnxSignatureAlgorithm   algorithm,
                      const char             *sm2_id,
                      const guint8           *data,
                      gsize                   data_len,
                      const guint8           *signature,
                      gsize                   signature_len,
                      char                  **reason)
{
  if (reason != NULL)
    *reason = NULL;

  if (key == NULL)
    return verdict (ANX_SIGNATURE_UNKNOWN_KEY, reason,
                    g_strdup (_("No key is registered for this meter")));

  if (anx_signature_algorithm_to_ocmf (algorithm) == NULL)
    return verdict (ANX_SIGNATURE_MALFORMED, reason,
                    g_strdup (_("The signature algorithm is not supported")));

  if (anx_meter_key_get_algorithm (key) != algorithm)
    return verdict (ANX_SIGNATURE_WRONG_CURVE, reason,
                    g_strdup_printf (_("The record is signed with %s, but the meter's key is "
                                        "on curve %s"),
                                     anx_signature_algorithm_to_ocmf (algorithm),
                                     anx_meter_key_get_curve (key)));

  if (signature == NULL || !der_check_signature (signature, signature_len, reason))
    {
      if (reason != NULL && *reason == NULL)
        *reason = g_strdup (_("The signature is missing"));
      return ANX_SIGNATURE_MALFORMED;
    }

  if (data == NULL && data_len > 0)
    return verdict (ANX_SIGNATURE_MALFORMED, reason, g_strdup (_("The signed data is missing")));

  if (algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3)
    return verify_sm2 (key, sm2_id != NULL ? sm2_id : anx_meter_key_get_sm2_id (key),
                       data != NULL ? data : (const guint8 *) "", data_len, signature,
                       signature_len, reason);

  return verify_ecdsa (key, data != NULL ? data : (const guint8 *) "", data_len, signature,
                       signature_len, reason);
}

/**
 * anx_signature_verify_ocmf:
 * @ocmf: a parsed record
 * @key: (nullable): the meter's registered key, %NULL if there is none
 * @reason: (out) (optional) (transfer full): a sentence explaining the verdict
 *
 * Verifies the record's signature over its payload bytes as transmitted,
 * with the algorithm its `SA` names. For SM2 the ID is the key's (see
 * anx_meter_key_new_with_sm2_id()); a record that names another ID in `SI`
 * is invalid.
 *
 * Returns: the verdict
 */
AnxSignatureResult
anx_signature_verify_ocmf (AnxOcmf      *ocmf,
                           AnxMeterKey  *key,
                           char        **reason)
{
  AnxSignatureAlgorithm algorithm;
  const char *payload;
  gsize payload_len;
  GBytes *signature;

  g_return_val_if_fail (ocmf != NULL, ANX_SIGNATURE_MALFORMED);

  if (reason != NULL)
    *reason = NULL;

  algorithm = anx_ocmf_get_signature_algorithm (ocmf);
  if (algorithm == ANX_SIGNATURE_ALGORITHM_UNKNOWN)
    return verdict (ANX_SIGNATURE_MALFORMED, reason,
                    g_strdup_printf (_("The signature algorithm “%s” is not supported"),
                                     anx_ocmf_get_signature_algorithm_name (ocmf)));

  if (key != NULL && algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3 &&
      anx_meter_key_get_algorithm (key) == algorithm && anx_ocmf_get_sm2_id (ocmf) != NULL &&
      g_strcmp0 (anx_ocmf_get_sm2_id (ocmf), anx_meter_key_get_sm2_id (key)) != 0)
    return verdict (ANX_SIGNATURE_INVALID, reason,
                    g_strdup_printf (_("The record names SM2 ID “%s”, but the meter is "
                                        "registered with ID “%s”"),
                                     anx_ocmf_get_sm2_id (ocmf), anx_meter_key_get_sm2_id (key)));

  payload = anx_ocmf_get_payload (ocmf, &payload_len);
  signature = anx_ocmf_get_signature_data (ocmf);

  return anx_signature_verify (key, algorithm, NULL, (const guint8 *) payload, payload_len,
                               g_bytes_get_data (signature, NULL), g_bytes_get_size (signature),
                               reason);
}

/**
 * anx_signature_verify_ocmf_text:
 * @text: a whole OCMF record
 * @length: its length, or -1 if nul-terminated
 * @key: (nullable): the meter's registered key
 * @reason: (out) (optional) (transfer full): a sentence explaining the verdict
 *
 * Parses and verifies; a record that does not parse is
 * %ANX_SIGNATURE_MALFORMED with the parser's message as @reason.
 *
 * Returns: the verdict
 */
AnxSignatureResult
anx_signature_verify_ocmf_text (const char   *text,
                                gssize        length,
                                AnxMeterKey  *key,
                                char        **reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AnxOcmf) ocmf = NULL;

  if (reason != NULL)
    *reason = NULL;

  ocmf = anx_ocmf_parse (text, length, &error);
  if (ocmf == NULL)
    return verdict (ANX_SIGNATURE_MALFORMED, reason, g_strdup (error->message));

  return anx_signature_verify_ocmf (ocmf, key, reason);
}

/**
 * anx_signature_sign:
 * @key: a key with its private half
 * @data: the bytes to sign
 * @data_len: their length
 * @error: return location for an #ANX_SIGNATURE_ERROR
 *
 * Signs like a meter does: ECDSA with SHA-256 on the key's curve, or SM2
 * with SM3 and the key's distinguishing ID. For tests and the simulator.
 *
 * Returns: (transfer full): the DER signature, or %NULL
 */
GBytes *
anx_signature_sign (AnxMeterKey   *key,
                    const guint8  *data,
                    gsize          data_len,
                    GError       **error)
{
  AnxSignatureAlgorithm algorithm;
  EVP_PKEY *pkey;
  EVP_MD_CTX *md_ctx = NULL;
  EVP_PKEY_CTX *pkey_ctx = NULL;
  guint8 *sig = NULL;
  size_t sig_len = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!anx_meter_key_has_private (key))
    {
      g_set_error_literal (error, ANX_SIGNATURE_ERROR, ANX_SIGNATURE_ERROR_NO_PRIVATE_KEY,
                           _("Signing needs the meter's private key"));
      return NULL;
    }

  algorithm = anx_meter_key_get_algorithm (key);
  pkey = anx_meter_key_get_pkey (key);
  md_ctx = EVP_MD_CTX_new ();
  if (md_ctx == NULL)
    goto out;

  if (algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3)
    {
      const char *id = anx_meter_key_get_sm2_id (key);

      pkey_ctx = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
      if (pkey_ctx == NULL || EVP_PKEY_CTX_set1_id (pkey_ctx, id, strlen (id)) != 1)
        goto out;
      EVP_MD_CTX_set_pkey_ctx (md_ctx, pkey_ctx);
      if (EVP_DigestSignInit_ex (md_ctx, NULL, "SM3", NULL, NULL, pkey, NULL) != 1)
        goto out;
    }
  else if (EVP_DigestSignInit_ex (md_ctx, NULL, "SHA256", NULL, NULL, pkey, NULL) != 1)
    goto out;

  if (EVP_DigestSign (md_ctx, NULL, &sig_len, data, data_len) != 1)
    goto out;
  sig = g_malloc (sig_len);
  if (EVP_DigestSign (md_ctx, sig, &sig_len, data != NULL ? data : (const guint8 *) "", data_len) !=
      1)
    goto out;
  ok = TRUE;

out:
  EVP_MD_CTX_free (md_ctx);
  EVP_PKEY_CTX_free (pkey_ctx);
  if (!ok)
    {
      unsigned long code = ERR_get_error ();
      char buf[256] = "";

      if (code != 0)
        ERR_error_string_n (code, buf, sizeof buf);
      ERR_clear_error ();
      g_free (sig);
      g_set_error (error, ANX_SIGNATURE_ERROR, ANX_SIGNATURE_ERROR_FAILED, _("Could not sign: %s"),
                   buf);
      return NULL;
    }
  return g_bytes_new_take (sig, sig_len);
}

/**
 * anx_signature_sign_ocmf:
 * @key: a key with its private half
 * @payload: the payload JSON object, exactly the bytes to sign
 * @base64: write `SD` in base64 (with `"SE":"base64"`) instead of hex
 * @error: return location for an #ANX_SIGNATURE_ERROR
 *
 * Builds a signed record `OCMF|payload|{"SA":...,"SD":...}` as a meter
 * would; the payload must itself be a valid OCMF payload.
 *
 * Returns: (transfer full): the record, or %NULL
 */
char *
anx_signature_sign_ocmf (AnxMeterKey  *key,
                         const char   *payload,
                         gboolean      base64,
                         GError      **error)
{
  g_autoptr(GBytes) sig = NULL;
  g_autoptr(GString) record = NULL;
  g_autoptr(AnxOcmf) check = NULL;
  g_autoptr(GError) parse_error = NULL;
  const guint8 *bytes;
  gsize len;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (payload != NULL, NULL);

  sig = anx_signature_sign (key, (const guint8 *) payload, strlen (payload), error);
  if (sig == NULL)
    return NULL;

  bytes = g_bytes_get_data (sig, &len);
  record = g_string_new ("OCMF|");
  g_string_append (record, payload);
  g_string_append_printf (record, "|{\"SA\":\"%s\",",
                          anx_signature_algorithm_to_ocmf (anx_meter_key_get_algorithm (key)));
  if (anx_meter_key_get_algorithm (key) == ANX_SIGNATURE_ALGORITHM_SM2_SM3 &&
      g_strcmp0 (anx_meter_key_get_sm2_id (key), ANX_SM2_DEFAULT_ID) != 0)
    {
      /* IDs are printable ASCII by our profile; escape the two JSON specials */
      g_autofree char *escaped = g_strescape (anx_meter_key_get_sm2_id (key), NULL);
      g_string_append_printf (record, "\"SI\":\"%s\",", escaped);
    }
  if (base64)
    {
      g_autofree char *b64 = g_base64_encode (bytes, len);
      g_string_append_printf (record, "\"SE\":\"base64\",\"SD\":\"%s\"}", b64);
    }
  else
    {
      g_string_append (record, "\"SD\":\"");
      for (gsize i = 0; i < len; i++)
        g_string_append_printf (record, "%02X", bytes[i]);
      g_string_append (record, "\"}");
    }

  check = anx_ocmf_parse (record->str, (gssize) record->len, &parse_error);
  if (check == NULL)
    {
      g_set_error (error, ANX_SIGNATURE_ERROR, ANX_SIGNATURE_ERROR_INVALID_PAYLOAD,
                   _("The payload does not make a valid OCMF record: %s"), parse_error->message);
      return NULL;
    }

  return g_string_free (g_steal_pointer (&record), FALSE);
}
