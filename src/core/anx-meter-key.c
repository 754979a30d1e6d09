/* anx-meter-key.c: a meter's public (and, for simulators, private) key
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "anx-meter-key"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "anx-meter-key-private.h"

/* Contexts kept per key beyond this are freed instead of pooled. */
#define MAX_POOLED_CONTEXTS 256

struct _AnxMeterKey
{
  gatomicrefcount ref_count;

  EVP_PKEY *pkey;
  EVP_MD *md; /* SHA-256 for ECDSA, SM3 for SM2 */
  gboolean has_private;
  AnxSignatureAlgorithm algorithm;
  char *curve;
  GBytes *der;
  char fingerprint[65];
  char *sm2_id;

  GMutex pool_lock;
  GPtrArray *pool; /* of AnxVerifyContext */
};

G_DEFINE_QUARK (anx-meter-key-error-quark, anx_meter_key_error)
G_DEFINE_BOXED_TYPE (AnxMeterKey, anx_meter_key, anx_meter_key_ref, anx_meter_key_unref)

/* OpenSSL group names and the algorithm each curve belongs to. */
static const struct
{
  const char *group;
  AnxSignatureAlgorithm algorithm;
} curves[] = {
  { "secp192k1", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192K1_SHA256 },
  { "secp256k1", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256 },
  { "prime192v1", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192R1_SHA256 },
  { "prime256v1", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256 },
  { "brainpoolP256r1", ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL256R1_SHA256 },
  { "secp384r1", ANX_SIGNATURE_ALGORITHM_ECDSA_SECP384R1_SHA256 },
  { "brainpoolP384r1", ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL384R1_SHA256 },
  { "SM2", ANX_SIGNATURE_ALGORITHM_SM2_SM3 },
};

static void
verify_context_free (gpointer data)
{
  AnxVerifyContext *context = data;

  EVP_PKEY_CTX_free (context->pkey_ctx);
  EVP_MD_CTX_free (context->md_ctx);
  g_free (context);
}

static char *
openssl_reason (void)
{
  unsigned long code = ERR_get_error ();
  char buf[256];

  ERR_clear_error ();
  if (code == 0)
    return g_strdup (_("unknown OpenSSL error"));
  ERR_error_string_n (code, buf, sizeof buf);
  return g_strdup (buf);
}

/* Takes ownership of @pkey. @der is its SubjectPublicKeyInfo exactly as
 * i2d_PUBKEY() writes it, or %NULL to have it encoded. */
static AnxMeterKey *
meter_key_new_take (EVP_PKEY  *pkey,
                    GBytes    *der_given,
                    gboolean   has_private,
                    GError   **error)
{
  g_autoptr(AnxMeterKey) key = NULL;
  char group[64] = "";
  size_t group_len = 0;
  unsigned char *der = NULL;
  int der_len;
  guint8 digest[32];
  unsigned int digest_len = 0;

  key = g_new0 (AnxMeterKey, 1);
  g_atomic_ref_count_init (&key->ref_count);
  g_mutex_init (&key->pool_lock);
  key->pool = g_ptr_array_new_with_free_func (verify_context_free);
  key->pkey = pkey;
  key->has_private = has_private;
  key->sm2_id = g_strdup (ANX_SM2_DEFAULT_ID);

  if (!EVP_PKEY_is_a (pkey, "EC") && !EVP_PKEY_is_a (pkey, "SM2"))
    {
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE,
                   _("The meter key is not an elliptic-curve key (it is %s)"),
                   EVP_PKEY_get0_type_name (pkey) ? EVP_PKEY_get0_type_name (pkey) : "?");
      return NULL;
    }

  if (!EVP_PKEY_get_group_name (pkey, group, sizeof group, &group_len))
    {
      ERR_clear_error ();
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE,
                           _("The meter key does not use a named curve"));
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (curves); i++)
    if (g_ascii_strcasecmp (group, curves[i].group) == 0)
      {
        key->algorithm = curves[i].algorithm;
        key->curve = g_strdup (curves[i].group);
      }
  if (key->algorithm == ANX_SIGNATURE_ALGORITHM_UNKNOWN)
    {
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE,
                   _("The meter key uses curve %s, which no supported algorithm uses"), group);
      return NULL;
    }

  /* A registry key is checked once here, so verification can trust it: on
   * the curve and not the point at infinity. Every supported curve has
   * cofactor 1, so the full check's n·Q = O multiplication proves nothing
   * more, and it was a tenth of an initial sync. */
  {
    EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey (NULL, pkey, NULL);
    int ok = check != NULL && EVP_PKEY_public_check_quick (check) == 1;

    EVP_PKEY_CTX_free (check);
    if (!ok)
      {
        g_autofree char *reason = openssl_reason ();
        g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_INVALID,
                     _("The meter key is not a valid point on %s: %s"), group, reason);
        return NULL;
      }
  }

  if (der_given != NULL)
    key->der = g_bytes_ref (der_given);
  else
    {
      der_len = i2d_PUBKEY (pkey, &der);
      if (der_len <= 0)
        {
          g_autofree char *reason = openssl_reason ();
          g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                       _("Could not encode the meter key: %s"), reason);
          return NULL;
        }
      key->der = g_bytes_new (der, (gsize) der_len);
      OPENSSL_free (der);
    }

  if (!EVP_Digest (g_bytes_get_data (key->der, NULL), g_bytes_get_size (key->der), digest,
                   &digest_len, EVP_sha256 (), NULL))
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                   _("Could not hash the meter key: %s"), reason);
      return NULL;
    }
  for (guint i = 0; i < digest_len && i < 32; i++)
    g_snprintf (key->fingerprint + 2 * i, 3, "%02x", digest[i]);

  key->md = EVP_MD_fetch (
      NULL, key->algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3 ? "SM3" : "SHA256", NULL);
  if (key->md == NULL)
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                   _("The digest for this key is not available: %s"), reason);
      return NULL;
    }

  return g_steal_pointer (&key);
}

/* The SubjectPublicKeyInfo of an uncompressed point on a named curve, as
 * OpenSSL writes it: SEQUENCE { SEQUENCE { id-ecPublicKey, curve OID },
 * BIT STRING 04‖X‖Y }. These are read here and loaded with
 * EVP_PKEY_fromdata(): OpenSSL 3.0's decoder and encoder (d2i_PUBKEY(),
 * i2d_PUBKEY()) cost about 250 µs a key, and loading 12,258 registry keys
 * was a seventh of an initial sync. Anything else goes to d2i_PUBKEY().
 * test-signature checks every entry against what OpenSSL writes. */
static const guint8 id_ec_public_key[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };

static const struct
{
  const char *group;
  const char *key_type;
  guint8 oid[11]; /* the curve's OBJECT IDENTIFIER, tag and length included */
  guint oid_len;
  guint point_len; /* 04‖X‖Y */
} spki_curves[] = {
  { "prime256v1", "EC", { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }, 10, 65 },
  { "secp256k1", "EC", { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a }, 7, 65 },
  { "secp384r1", "EC", { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 }, 7, 97 },
  { "secp192k1", "EC", { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x1f }, 7, 49 },
  { "prime192v1", "EC", { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01 }, 10, 49 },
  { "brainpoolP256r1", "EC",
    { 0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 }, 11, 65 },
  { "brainpoolP384r1", "EC",
    { 0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b }, 11, 97 },
  { "SM2", "SM2", { 0x06, 0x08, 0x2a, 0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d }, 10, 65 },
};

/* The key in @der if it has exactly that form and its point is on the
 * curve; %NULL otherwise (d2i_PUBKEY() then says what is wrong). */
EVP_PKEY *
anx_meter_key_read_named_curve_spki (const guint8 *der,
                                     gsize         der_len)
{
  for (guint i = 0; i < G_N_ELEMENTS (spki_curves); i++)
    {
      gsize algorithm_len = sizeof id_ec_public_key + spki_curves[i].oid_len;
      gsize bits_len = 1 + spki_curves[i].point_len;
      gsize total = 2 + algorithm_len + 2 + bits_len;
      const guint8 *point = der + 2 + 2 + algorithm_len + 3;
      EVP_PKEY_CTX *ctx = NULL;
      EVP_PKEY *pkey = NULL;
      OSSL_PARAM params[3];

      if (der_len != 2 + total || der[0] != 0x30 || der[1] != total || der[2] != 0x30 ||
          der[3] != algorithm_len ||
          memcmp (der + 4, id_ec_public_key, sizeof id_ec_public_key) != 0 ||
          memcmp (der + 4 + sizeof id_ec_public_key, spki_curves[i].oid,
                  spki_curves[i].oid_len) != 0 ||
          der[4 + algorithm_len] != 0x03 || der[5 + algorithm_len] != bits_len ||
          der[6 + algorithm_len] != 0x00 || point[0] != 0x04)
        continue;

      params[0] = OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME,
                                                    (char *) spki_curves[i].group, 0);
      params[1] = OSSL_PARAM_construct_octet_string (OSSL_PKEY_PARAM_PUB_KEY, (void *) point,
                                                     spki_curves[i].point_len);
      params[2] = OSSL_PARAM_construct_end ();
      ctx = EVP_PKEY_CTX_new_from_name (NULL, spki_curves[i].key_type, NULL);
      if (ctx == NULL || EVP_PKEY_fromdata_init (ctx) != 1 ||
          EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        {
          ERR_clear_error ();
          pkey = NULL;
        }
      EVP_PKEY_CTX_free (ctx);
      return pkey;
    }
  return NULL;
}

/**
 * anx_meter_key_new_from_der:
 * @der: a DER SubjectPublicKeyInfo
 * @der_len: its length
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Loads an elliptic-curve public key on one of the curves of
 * #AnxSignatureAlgorithm; the point is validated.
 *
 * Returns: (transfer full): the key, or %NULL with @error set
 */
AnxMeterKey *
anx_meter_key_new_from_der (const guint8  *der,
                            gsize          der_len,
                            GError       **error)
{
  const unsigned char *p = der;
  EVP_PKEY *pkey;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (der == NULL || der_len == 0)
    {
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_EMPTY,
                           _("The meter key is empty"));
      return NULL;
    }
  if (der_len > G_MAXINT)
    {
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_INVALID,
                           _("The meter key is too large"));
      return NULL;
    }

  pkey = anx_meter_key_read_named_curve_spki (der, der_len);
  if (pkey != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (der, der_len);

      return meter_key_new_take (pkey, bytes, FALSE, error);
    }

  pkey = d2i_PUBKEY (NULL, &p, (long) der_len);
  if (pkey == NULL)
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_INVALID,
                   _("The meter key is not a DER SubjectPublicKeyInfo: %s"), reason);
      return NULL;
    }
  if ((gsize) (p - der) != der_len)
    {
      EVP_PKEY_free (pkey);
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_INVALID,
                   _("The meter key has %lu extra bytes after its DER encoding"),
                   (gulong) (der_len - (gsize) (p - der)));
      return NULL;
    }

  return meter_key_new_take (pkey, NULL, FALSE, error);
}

static gboolean
decode_hex (const char *text,
            GByteArray *out)
{
  int hi = -1;

  for (const char *p = text; *p != '\0'; p++)
    {
      int v;

      if (g_ascii_isspace (*p) || *p == ':')
        continue;
      v = g_ascii_xdigit_value (*p);
      if (v < 0)
        return FALSE;
      if (hi < 0)
        hi = v;
      else
        {
          guint8 byte = (guint8) ((hi << 4) | v);
          g_byte_array_append (out, &byte, 1);
          hi = -1;
        }
    }
  return hi < 0 && out->len > 0;
}

static gboolean
decode_base64 (const char *text,
               GByteArray *out)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  guchar *bytes;
  gsize len = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
        return FALSE;
      g_string_append_c (clean, *p);
    }
  if (clean->len == 0 || clean->len % 4 != 0)
    return FALSE;
  bytes = g_base64_decode (clean->str, &len);
  g_byte_array_append (out, bytes, (guint) len);
  g_free (bytes);
  return len > 0;
}

/**
 * anx_meter_key_new_from_text:
 * @text: a public key: DER SubjectPublicKeyInfo as hex (upper or lower case,
 *   spaces and colons ignored) or base64, or a PEM `PUBLIC KEY` block
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Text made only of hex digits is read as hex (a base64 DER key always
 * starts with `M`, so the two cannot be confused).
 *
 * Returns: (transfer full): the key, or %NULL with @error set
 */
AnxMeterKey *
anx_meter_key_new_from_text (const char  *text,
                             GError     **error)
{
  g_autoptr(GByteArray) der = g_byte_array_new ();
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (*stripped == '\0')
    {
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_EMPTY,
                           _("The meter key is empty"));
      return NULL;
    }

  if (g_str_has_prefix (stripped, "-----BEGIN"))
    {
      BIO *bio = BIO_new_mem_buf (stripped, -1);
      char *name = NULL, *header = NULL;
      unsigned char *data = NULL;
      long len = 0;
      AnxMeterKey *key = NULL;

      if (bio != NULL && PEM_read_bio (bio, &name, &header, &data, &len) == 1)
        {
          if (g_str_equal (name, "PUBLIC KEY"))
            key = anx_meter_key_new_from_der (data, (gsize) len, error);
          else
            g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING,
                         _("Expected a PEM “PUBLIC KEY” block, not “%s”"), name);
        }
      else
        {
          ERR_clear_error ();
          g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING,
                               _("The meter key is not valid PEM"));
        }
      OPENSSL_free (name);
      OPENSSL_free (header);
      OPENSSL_free (data);
      BIO_free (bio);
      return key;
    }

  if (!decode_hex (stripped, der))
    {
      g_byte_array_set_size (der, 0);
      if (!decode_base64 (stripped, der))
        {
          g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING,
                               _("The meter key is neither hex, base64 nor PEM"));
          return NULL;
        }
    }

  return anx_meter_key_new_from_der (der->data, der->len, error);
}

/**
 * anx_meter_key_new_from_private_pem:
 * @pem: a PEM `PRIVATE KEY` (PKCS#8) block, as anx_meter_key_export_private_pem() writes
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * For the simulator and tests, which sign records.
 *
 * Returns: (transfer full): the key with its private half, or %NULL
 */
AnxMeterKey *
anx_meter_key_new_from_private_pem (const char  *pem,
                                    GError     **error)
{
  BIO *bio;
  EVP_PKEY *pkey;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (pem == NULL || *pem == '\0')
    {
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_EMPTY,
                           _("The meter key is empty"));
      return NULL;
    }

  bio = BIO_new_mem_buf (pem, -1);
  pkey = bio != NULL ? PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL) : NULL;
  BIO_free (bio);
  if (pkey == NULL)
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_ENCODING,
                   _("The private key is not valid PEM: %s"), reason);
      return NULL;
    }

  return meter_key_new_take (pkey, NULL, TRUE, error);
}

/**
 * anx_meter_key_generate:
 * @algorithm: the algorithm whose curve the key is on
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Makes a fresh key pair, for tests and the simulator.
 *
 * Returns: (transfer full): the key with its private half, or %NULL
 */
AnxMeterKey *
anx_meter_key_generate (AnxSignatureAlgorithm   algorithm,
                        GError                **error)
{
  const char *group = anx_signature_algorithm_get_curve (algorithm);
  EVP_PKEY *pkey;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (group == NULL)
    {
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE,
                   _("Unknown signature algorithm %d"), (int) algorithm);
      return NULL;
    }

  if (algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3)
    pkey = EVP_PKEY_Q_keygen (NULL, NULL, "SM2");
  else
    pkey = EVP_PKEY_Q_keygen (NULL, NULL, "EC", group);

  if (pkey == NULL)
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                   _("Could not generate a key on %s: %s"), group, reason);
      return NULL;
    }

  return meter_key_new_take (pkey, NULL, TRUE, error);
}

/**
 * anx_meter_key_new_from_private_scalar:
 * @algorithm: the algorithm whose curve the key is on
 * @scalar: (array length=scalar_len): the private scalar, big-endian
 * @scalar_len: its length in bytes
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Makes the key pair whose private half is @scalar, for simulators that
 * derive their meters' keys from a seed: the same scalar always gives the
 * same key. The scalar must lie in [1, n − 2] for the curve's order n (SM2
 * excludes n − 1).
 *
 * Returns: (transfer full): the key with its private half, or %NULL
 */
AnxMeterKey *
anx_meter_key_new_from_private_scalar (AnxSignatureAlgorithm   algorithm,
                                       const guint8           *scalar,
                                       gsize                   scalar_len,
                                       GError                **error)
{
  const char *group_name = anx_signature_algorithm_get_curve (algorithm);
  gboolean sm2 = algorithm == ANX_SIGNATURE_ALGORITHM_SM2_SM3;
  EC_GROUP *group = NULL;
  EC_POINT *point = NULL;
  BIGNUM *priv = NULL;
  BIGNUM *limit = NULL;
  BN_CTX *bn_ctx = NULL;
  OSSL_PARAM_BLD *bld = NULL;
  OSSL_PARAM *params = NULL;
  EVP_PKEY_CTX *ctx = NULL;
  EVP_PKEY *pkey = NULL;
  unsigned char *pub = NULL;
  size_t pub_len;
  int nid;
  gboolean in_range;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (group_name == NULL)
    {
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE,
                   _("Unknown signature algorithm %d"), (int) algorithm);
      return NULL;
    }
  if (scalar == NULL || scalar_len == 0 || scalar_len > 128)
    {
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_EMPTY,
                           _("The private scalar is empty or too long"));
      return NULL;
    }

  nid = sm2 ? NID_sm2 : OBJ_sn2nid (group_name);
  group = nid != NID_undef ? EC_GROUP_new_by_curve_name (nid) : NULL;
  priv = BN_bin2bn (scalar, (int) scalar_len, NULL);
  limit = group != NULL ? BN_dup (EC_GROUP_get0_order (group)) : NULL;
  bn_ctx = BN_CTX_new ();
  if (group == NULL || priv == NULL || limit == NULL || bn_ctx == NULL ||
      !BN_sub_word (limit, 1))
    goto failed;

  /* 1 ≤ d ≤ n − 2 */
  in_range = !BN_is_zero (priv) && !BN_is_negative (priv) && BN_cmp (priv, limit) < 0;
  if (!in_range)
    {
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_INVALID,
                   _("The private scalar is out of range for %s"), group_name);
      goto out;
    }

  point = EC_POINT_new (group);
  if (point == NULL || EC_POINT_mul (group, point, priv, NULL, NULL, bn_ctx) != 1)
    goto failed;
  pub_len = EC_POINT_point2buf (group, point, POINT_CONVERSION_UNCOMPRESSED, &pub, bn_ctx);
  if (pub_len == 0)
    goto failed;

  bld = OSSL_PARAM_BLD_new ();
  if (bld == NULL ||
      OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, sm2 ? "SM2" : group_name,
                                       0) != 1 ||
      OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
      OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) != 1)
    goto failed;
  params = OSSL_PARAM_BLD_to_param (bld);
  ctx = EVP_PKEY_CTX_new_from_name (NULL, sm2 ? "SM2" : "EC", NULL);
  if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init (ctx) != 1 ||
      EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
    goto failed;
  goto out;

failed:
  {
    g_autofree char *reason = openssl_reason ();
    g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                 _("Could not make a key on %s: %s"), group_name, reason);
  }
out:
  OPENSSL_free (pub);
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (bld);
  EC_POINT_free (point);
  BN_CTX_free (bn_ctx);
  BN_clear_free (priv);
  BN_free (limit);
  EC_GROUP_free (group);

  if (pkey == NULL)
    return NULL;
  return meter_key_new_take (pkey, NULL, TRUE, error);
}

/**
 * anx_meter_key_ref:
 * @key: a key
 *
 * Returns: (transfer full): @key
 */
AnxMeterKey *
anx_meter_key_ref (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  g_atomic_ref_count_inc (&key->ref_count);
  return key;
}

/**
 * anx_meter_key_unref:
 * @key: (transfer full): a key
 *
 * Drops a reference; the last one frees the key.
 */
void
anx_meter_key_unref (AnxMeterKey *key)
{
  g_return_if_fail (key != NULL);

  if (!g_atomic_ref_count_dec (&key->ref_count))
    return;

  g_ptr_array_unref (key->pool);
  g_mutex_clear (&key->pool_lock);
  EVP_MD_free (key->md);
  EVP_PKEY_free (key->pkey);
  g_clear_pointer (&key->der, g_bytes_unref);
  g_free (key->curve);
  g_free (key->sm2_id);
  g_free (key);
}

/**
 * anx_meter_key_get_algorithm:
 * @key: a key
 *
 * Returns: the algorithm of the key's curve
 */
AnxSignatureAlgorithm
anx_meter_key_get_algorithm (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, ANX_SIGNATURE_ALGORITHM_UNKNOWN);

  return key->algorithm;
}

/**
 * anx_meter_key_get_curve:
 * @key: a key
 *
 * Returns: the OpenSSL name of the key's curve ("prime256v1", "secp256k1",
 *   "brainpoolP256r1", "SM2", ...)
 */
const char *
anx_meter_key_get_curve (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->curve;
}

/**
 * anx_meter_key_get_der:
 * @key: a key
 *
 * Returns: (transfer none): the public key as DER SubjectPublicKeyInfo
 */
GBytes *
anx_meter_key_get_der (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->der;
}

/**
 * anx_meter_key_get_fingerprint:
 * @key: a key
 *
 * Returns: SHA-256 of the DER SubjectPublicKeyInfo, 64 lower-case hex digits
 */
const char *
anx_meter_key_get_fingerprint (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->fingerprint;
}

/**
 * anx_meter_key_has_private:
 * @key: a key
 *
 * Returns: whether the key can sign
 */
gboolean
anx_meter_key_has_private (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, FALSE);

  return key->has_private;
}

/**
 * anx_meter_key_equal:
 * @a: a key
 * @b: another key
 *
 * Returns: whether both are the same public key (same DER)
 */
gboolean
anx_meter_key_equal (AnxMeterKey *a,
                     AnxMeterKey *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_bytes_equal (a->der, b->der) && g_strcmp0 (a->sm2_id, b->sm2_id) == 0;
}

/**
 * anx_meter_key_new_with_sm2_id:
 * @key: an SM2 key
 * @sm2_id: the distinguishing ID registered for the meter
 *
 * Keys are immutable; this makes a new key object sharing the same key
 * material, with another SM2 ID (the default is %ANX_SM2_DEFAULT_ID).
 *
 * Returns: (transfer full): the new key
 */
AnxMeterKey *
anx_meter_key_new_with_sm2_id (AnxMeterKey *key,
                               const char  *sm2_id)
{
  g_autoptr(AnxMeterKey) copy = NULL;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (sm2_id != NULL, NULL);

  if (!EVP_PKEY_up_ref (key->pkey))
    return NULL;
  copy = meter_key_new_take (key->pkey, key->der, key->has_private, NULL);
  if (copy == NULL)
    return NULL;
  g_free (copy->sm2_id);
  copy->sm2_id = g_strdup (sm2_id);
  return g_steal_pointer (&copy);
}

/**
 * anx_meter_key_get_sm2_id:
 * @key: a key
 *
 * Returns: the SM2 distinguishing ID used with this key
 */
const char *
anx_meter_key_get_sm2_id (AnxMeterKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->sm2_id;
}

/**
 * anx_meter_key_export_public_hex:
 * @key: a key
 *
 * Returns: (transfer full): the DER SubjectPublicKeyInfo as upper-case hex,
 *   the way OCMF tooling shows keys
 */
char *
anx_meter_key_export_public_hex (AnxMeterKey *key)
{
  const guint8 *data;
  gsize len;
  GString *hex;

  g_return_val_if_fail (key != NULL, NULL);

  data = g_bytes_get_data (key->der, &len);
  hex = g_string_sized_new (len * 2);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02X", data[i]);
  return g_string_free (hex, FALSE);
}

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, (gsize) MAX (len, 0));
}

/**
 * anx_meter_key_export_public_pem:
 * @key: a key
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Returns: (transfer full): a PEM `PUBLIC KEY` block, or %NULL
 */
char *
anx_meter_key_export_public_pem (AnxMeterKey  *key,
                                 GError      **error)
{
  BIO *bio;
  char *pem = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  bio = BIO_new (BIO_s_mem ());
  if (bio != NULL && PEM_write_bio_PUBKEY (bio, key->pkey) == 1)
    pem = bio_to_string (bio);
  else
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                   _("Could not export the key: %s"), reason);
    }
  BIO_free (bio);
  return pem;
}

/**
 * anx_meter_key_export_private_pem:
 * @key: a key with a private half
 * @error: return location for an #ANX_METER_KEY_ERROR
 *
 * Returns: (transfer full): an unencrypted PKCS#8 PEM `PRIVATE KEY` block,
 *   or %NULL
 */
char *
anx_meter_key_export_private_pem (AnxMeterKey  *key,
                                  GError      **error)
{
  BIO *bio;
  char *pem = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  if (!key->has_private)
    {
      g_set_error_literal (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_NO_PRIVATE_KEY,
                           _("This meter key has no private half"));
      return NULL;
    }

  bio = BIO_new (BIO_s_mem ());
  if (bio != NULL && PEM_write_bio_PrivateKey (bio, key->pkey, NULL, NULL, 0, NULL, NULL) == 1)
    pem = bio_to_string (bio);
  else
    {
      g_autofree char *reason = openssl_reason ();
      g_set_error (error, ANX_METER_KEY_ERROR, ANX_METER_KEY_ERROR_FAILED,
                   _("Could not export the key: %s"), reason);
    }
  BIO_free (bio);
  return pem;
}

/* --- Private, for anx-signature.c ------------------------------------- */

EVP_PKEY *
anx_meter_key_get_pkey (AnxMeterKey *key)
{
  return key->pkey;
}

const EVP_MD *
anx_meter_key_get_md (AnxMeterKey *key)
{
  return key->md;
}

/* Returns a context ready for EVP_PKEY_verify() of an ECDSA key, from the
 * pool or new; %NULL if OpenSSL fails. */
AnxVerifyContext *
anx_meter_key_acquire_context (AnxMeterKey *key)
{
  AnxVerifyContext *context = NULL;

  g_mutex_lock (&key->pool_lock);
  if (key->pool->len > 0)
    context = g_ptr_array_steal_index_fast (key->pool, key->pool->len - 1);
  g_mutex_unlock (&key->pool_lock);

  if (context != NULL)
    return context;

  context = g_new0 (AnxVerifyContext, 1);
  context->md_ctx = EVP_MD_CTX_new ();
  context->pkey_ctx = EVP_PKEY_CTX_new_from_pkey (NULL, key->pkey, NULL);
  if (context->md_ctx == NULL || context->pkey_ctx == NULL ||
      EVP_PKEY_verify_init (context->pkey_ctx) != 1)
    {
      ERR_clear_error ();
      verify_context_free (context);
      return NULL;
    }
  return context;
}

void
anx_meter_key_release_context (AnxMeterKey      *key,
                               AnxVerifyContext *context)
{
  g_mutex_lock (&key->pool_lock);
  if (key->pool->len < MAX_POOLED_CONTEXTS)
    {
      g_ptr_array_add (key->pool, context);
      context = NULL;
    }
  g_mutex_unlock (&key->pool_lock);

  if (context != NULL)
    verify_context_free (context);
}
