/* anx-chain-json.h: strict JSON reading shared by records and bundles
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to anxin-core. Every reader names the offending member by its
 * path ("charge.tariff[0].energy_wh") in the ANX_CHAIN_RECORD_ERROR it sets.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

gboolean    anx_chain_json_hex_decode       (const char        *hex,
                                             guint8            *out,
                                             gsize              out_len);
char       *anx_chain_json_member_path      (const char        *path,
                                             const char        *name);
gboolean    anx_chain_json_check_members    (JsonObject        *object,
                                             const char        *path,
                                             const char *const *allowed,
                                             GError           **error);
JsonNode   *anx_chain_json_get_member       (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             gboolean           required,
                                             GError           **error);
void        anx_chain_json_wrong_type       (GError           **error,
                                             const char        *path,
                                             const char        *name,
                                             const char        *expected);
gboolean    anx_chain_json_read_string      (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             gboolean           required,
                                             gboolean           allow_empty,
                                             char             **out,
                                             GError           **error);
gboolean    anx_chain_json_read_integer     (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             gint64             min,
                                             gint64             max,
                                             gint64            *out,
                                             GError           **error);
GDateTime  *anx_chain_json_read_time        (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             GError           **error);
gboolean    anx_chain_json_read_hash        (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             gboolean           required,
                                             guint8            *hash,
                                             gboolean          *present,
                                             GError           **error);
GBytes     *anx_chain_json_read_hex_bytes   (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             gboolean           required,
                                             GError           **error);
JsonObject *anx_chain_json_read_object      (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             GError           **error);
gboolean    anx_chain_json_read_string_list (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             GPtrArray         *out,
                                             GError           **error);
int         anx_chain_json_name_lookup      (const char *const *names,
                                             const char        *name);
int         anx_chain_json_read_enum        (JsonObject        *object,
                                             const char        *path,
                                             const char        *name,
                                             const char *const *names,
                                             GError           **error);
char       *anx_chain_json_hex_encode       (GBytes            *bytes);

G_END_DECLS
