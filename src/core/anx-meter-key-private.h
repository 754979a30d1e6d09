/* anx-meter-key-private.h: what anx-signature.c needs from a meter key
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <openssl/evp.h>

#include "anx-meter-key.h"

G_BEGIN_DECLS

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */

/* A verification context bound to one key: an EVP_PKEY_CTX already set up
 * for EVP_PKEY_verify() (ECDSA) and a digest context. Set-up is the costly
 * part of a verification, so keys keep a pool of these, one per thread that
 * has used the key concurrently. */
typedef struct
{
  EVP_PKEY_CTX *pkey_ctx;
  EVP_MD_CTX *md_ctx;
} AnxVerifyContext;

EVP_PKEY         *anx_meter_key_get_pkey           (AnxMeterKey      *key);
const EVP_MD     *anx_meter_key_get_md             (AnxMeterKey      *key);
AnxVerifyContext *anx_meter_key_acquire_context    (AnxMeterKey      *key);
void              anx_meter_key_release_context    (AnxMeterKey      *key,
                                                    AnxVerifyContext *context);

/* The fast reading of a named-curve key (uncompressed point) that
 * anx_meter_key_new_from_der() tries before d2i_PUBKEY(); %NULL for any
 * other form. For the test that holds it to OpenSSL's encoding. */
EVP_PKEY         *anx_meter_key_read_named_curve_spki (const guint8 *der,
                                                       gsize         der_len);

/* clang-format on */

G_END_DECLS
