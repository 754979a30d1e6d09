/* anx-meter-key.h: a meter's public (and, for simulators, private) key
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "anx-signature.h"

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */

#define ANX_TYPE_METER_KEY  (anx_meter_key_get_type ())
#define ANX_METER_KEY_ERROR (anx_meter_key_error_quark ())

/**
 * AnxMeterKeyError:
 * @ANX_METER_KEY_ERROR_EMPTY: no key text or bytes were given
 * @ANX_METER_KEY_ERROR_ENCODING: the text is neither hex, base64 nor PEM
 * @ANX_METER_KEY_ERROR_INVALID: the bytes are not a DER SubjectPublicKeyInfo
 *   of an elliptic-curve key (or the point is not on the curve)
 * @ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE: an EC key on a curve no OCMF or
 *   SM2 algorithm uses
 * @ANX_METER_KEY_ERROR_NO_PRIVATE_KEY: the key has no private half
 * @ANX_METER_KEY_ERROR_FAILED: OpenSSL failed (generation, export)
 *
 * The values are stable.
 */
typedef enum
{
  ANX_METER_KEY_ERROR_EMPTY = 1,
  ANX_METER_KEY_ERROR_ENCODING = 2,
  ANX_METER_KEY_ERROR_INVALID = 3,
  ANX_METER_KEY_ERROR_UNSUPPORTED_CURVE = 4,
  ANX_METER_KEY_ERROR_NO_PRIVATE_KEY = 5,
  ANX_METER_KEY_ERROR_FAILED = 6,
} AnxMeterKeyError;

/**
 * AnxMeterKey:
 *
 * An immutable, reference-counted elliptic-curve key of a meter. Public keys
 * come from the registry (DER SubjectPublicKeyInfo as hex or base64, or PEM);
 * keys with a private half are made by anx_meter_key_generate() for tests and
 * the simulator. A key may be used from any number of threads at once.
 */
GType         anx_meter_key_get_type            (void) G_GNUC_CONST;
GQuark        anx_meter_key_error_quark         (void);

AnxMeterKey  *anx_meter_key_new_from_der        (const guint8          *der,
                                                 gsize                  der_len,
                                                 GError               **error);
AnxMeterKey  *anx_meter_key_new_from_text       (const char            *text,
                                                 GError               **error);
AnxMeterKey  *anx_meter_key_new_from_private_pem (const char           *pem,
                                                 GError               **error);
AnxMeterKey  *anx_meter_key_generate            (AnxSignatureAlgorithm  algorithm,
                                                 GError               **error);
AnxMeterKey  *anx_meter_key_new_from_private_scalar (AnxSignatureAlgorithm  algorithm,
                                                    const guint8          *scalar,
                                                    gsize                  scalar_len,
                                                    GError               **error);

AnxMeterKey  *anx_meter_key_ref                 (AnxMeterKey           *key);
void          anx_meter_key_unref               (AnxMeterKey           *key);

AnxSignatureAlgorithm anx_meter_key_get_algorithm (AnxMeterKey         *key);
const char   *anx_meter_key_get_curve           (AnxMeterKey           *key);
GBytes       *anx_meter_key_get_der             (AnxMeterKey           *key);
const char   *anx_meter_key_get_fingerprint     (AnxMeterKey           *key);
gboolean      anx_meter_key_has_private         (AnxMeterKey           *key);
gboolean      anx_meter_key_equal               (AnxMeterKey           *a,
                                                 AnxMeterKey           *b);

AnxMeterKey  *anx_meter_key_new_with_sm2_id     (AnxMeterKey           *key,
                                                 const char            *sm2_id);
const char   *anx_meter_key_get_sm2_id          (AnxMeterKey           *key);

char         *anx_meter_key_export_public_hex   (AnxMeterKey           *key);
char         *anx_meter_key_export_public_pem   (AnxMeterKey           *key,
                                                 GError               **error);
char         *anx_meter_key_export_private_pem  (AnxMeterKey           *key,
                                                 GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxMeterKey, anx_meter_key_unref)

/* clang-format on */

G_END_DECLS
