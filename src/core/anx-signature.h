/* anx-signature.h: meter signature algorithms and verification (ECDSA, SM2)
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */

/* Forward declarations; the full types live in their own headers. */
typedef struct _AnxMeterKey AnxMeterKey;
typedef struct _AnxOcmf     AnxOcmf;

#define ANX_SIGNATURE_ERROR (anx_signature_error_quark ())

/**
 * AnxSignatureError:
 * @ANX_SIGNATURE_ERROR_UNSUPPORTED_ALGORITHM: the algorithm is not one we know
 * @ANX_SIGNATURE_ERROR_WRONG_CURVE: the key's curve does not match the algorithm
 * @ANX_SIGNATURE_ERROR_NO_PRIVATE_KEY: signing needs a private key
 * @ANX_SIGNATURE_ERROR_FAILED: OpenSSL refused the operation
 * @ANX_SIGNATURE_ERROR_INVALID_PAYLOAD: the payload to sign is not a JSON object
 *
 * Errors raised when *making* signatures (verification reports an
 * #AnxSignatureResult instead). The values are stable.
 */
typedef enum
{
  ANX_SIGNATURE_ERROR_UNSUPPORTED_ALGORITHM = 1,
  ANX_SIGNATURE_ERROR_WRONG_CURVE = 2,
  ANX_SIGNATURE_ERROR_NO_PRIVATE_KEY = 3,
  ANX_SIGNATURE_ERROR_FAILED = 4,
  ANX_SIGNATURE_ERROR_INVALID_PAYLOAD = 5,
} AnxSignatureError;

/**
 * AnxSignatureAlgorithm:
 * @ANX_SIGNATURE_ALGORITHM_UNKNOWN: an `SA` we do not support
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192K1_SHA256: `ECDSA-secp192k1-SHA256`
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256: `ECDSA-secp256k1-SHA256`
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192R1_SHA256: `ECDSA-secp192r1-SHA256`
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256: `ECDSA-secp256r1-SHA256`,
 *   the OCMF default when `SA` is absent
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL256R1_SHA256: `ECDSA-brainpool256r1-SHA256`
 *   (also accepted spelled `ECDSA-brainpoolP256r1-SHA256`)
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_SECP384R1_SHA256: `ECDSA-secp384r1-SHA256`
 * @ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL384R1_SHA256: `ECDSA-brainpool384r1-SHA256`
 *   (also accepted spelled `ECDSA-brainpoolP384r1-SHA256`)
 * @ANX_SIGNATURE_ALGORITHM_SM2_SM3: `SM2-SM3`: SM2 (GB/T 32918) with SM3
 *   (GB/T 32905) and a distinguishing ID, see docs/signed-meter-data.md
 *
 * Each algorithm fixes one curve, so a key's curve names its algorithm.
 * The numeric values are stable (they may be stored).
 */
typedef enum
{
  ANX_SIGNATURE_ALGORITHM_UNKNOWN = 0,
  ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192K1_SHA256 = 1,
  ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256K1_SHA256 = 2,
  ANX_SIGNATURE_ALGORITHM_ECDSA_SECP192R1_SHA256 = 3,
  ANX_SIGNATURE_ALGORITHM_ECDSA_SECP256R1_SHA256 = 4,
  ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL256R1_SHA256 = 5,
  ANX_SIGNATURE_ALGORITHM_ECDSA_SECP384R1_SHA256 = 6,
  ANX_SIGNATURE_ALGORITHM_ECDSA_BRAINPOOL384R1_SHA256 = 7,
  ANX_SIGNATURE_ALGORITHM_SM2_SM3 = 8,
} AnxSignatureAlgorithm;

/* One past the last valid algorithm, for loops over all of them. */
#define ANX_SIGNATURE_ALGORITHM_LAST (ANX_SIGNATURE_ALGORITHM_SM2_SM3 + 1)

/**
 * AnxSignatureResult:
 * @ANX_SIGNATURE_VALID: the signature verifies over the exact payload bytes
 * @ANX_SIGNATURE_INVALID: well-formed, but does not verify with this key
 * @ANX_SIGNATURE_UNKNOWN_KEY: no key is registered for the meter
 * @ANX_SIGNATURE_WRONG_CURVE: the key is on a different curve than `SA` names
 * @ANX_SIGNATURE_MALFORMED: the record or signature cannot be checked at all
 *   (parse error, unsupported algorithm, signature that is not DER)
 *
 * The verdict of a verification. The values are stable.
 */
typedef enum
{
  ANX_SIGNATURE_VALID = 0,
  ANX_SIGNATURE_INVALID = 1,
  ANX_SIGNATURE_UNKNOWN_KEY = 2,
  ANX_SIGNATURE_WRONG_CURVE = 3,
  ANX_SIGNATURE_MALFORMED = 4,
} AnxSignatureResult;

/* The SM2 distinguishing ID used when neither key nor record names one
 * (GB/T 35276-2017, 5.3). */
#define ANX_SM2_DEFAULT_ID "1234567812345678"

GQuark                anx_signature_error_quark            (void);

AnxSignatureAlgorithm anx_signature_algorithm_from_ocmf    (const char            *sa);
const char           *anx_signature_algorithm_to_ocmf      (AnxSignatureAlgorithm  algorithm);
const char           *anx_signature_algorithm_get_curve    (AnxSignatureAlgorithm  algorithm);
guint                 anx_signature_algorithm_get_bits     (AnxSignatureAlgorithm  algorithm);

const char           *anx_signature_result_to_string       (AnxSignatureResult     result);

AnxSignatureResult    anx_signature_verify                 (AnxMeterKey           *key,
                                                            AnxSignatureAlgorithm  algorithm,
                                                            const char            *sm2_id,
                                                            const guint8          *data,
                                                            gsize                  data_len,
                                                            const guint8          *signature,
                                                            gsize                  signature_len,
                                                            char                 **reason);
AnxSignatureResult    anx_signature_verify_ocmf            (AnxOcmf               *ocmf,
                                                            AnxMeterKey           *key,
                                                            char                 **reason);
AnxSignatureResult    anx_signature_verify_ocmf_text       (const char            *text,
                                                            gssize                 length,
                                                            AnxMeterKey           *key,
                                                            char                 **reason);

GBytes               *anx_signature_sign                   (AnxMeterKey           *key,
                                                            const guint8          *data,
                                                            gsize                  data_len,
                                                            GError               **error);
char                 *anx_signature_sign_ocmf              (AnxMeterKey           *key,
                                                            const char            *payload,
                                                            gboolean               base64,
                                                            GError               **error);

/* clang-format on */

G_END_DECLS
