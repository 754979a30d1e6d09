/* anx-evidence-bundle.h: a range of a charger's chain, checkable on its own
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "anx-chain-record.h"
#include "anx-charger-entry.h"

G_BEGIN_DECLS

/* docs/evidence-bundle.md specifies the format */
#define ANX_EVIDENCE_BUNDLE_FORMAT  "anxin-evidence-bundle"
#define ANX_EVIDENCE_BUNDLE_VERSION 1

#define ANX_TYPE_EVIDENCE_BUNDLE (anx_evidence_bundle_get_type ())

typedef struct _AnxEvidenceBundle AnxEvidenceBundle;

GType              anx_evidence_bundle_get_type          (void) G_GNUC_CONST;

AnxEvidenceBundle *anx_evidence_bundle_new               (AnxChargerEntry   *charger,
                                                          GDateTime         *exported_at,
                                                          guint64            from_sequence,
                                                          guint64            to_sequence,
                                                          const guint8      *prev_hash);
AnxEvidenceBundle *anx_evidence_bundle_new_from_chain    (AnxChargerEntry   *charger,
                                                          GDateTime         *exported_at,
                                                          GPtrArray         *chain,
                                                          guint64            from_sequence,
                                                          guint64            to_sequence,
                                                          GError           **error);
AnxEvidenceBundle *anx_evidence_bundle_ref               (AnxEvidenceBundle *self);
void               anx_evidence_bundle_unref             (AnxEvidenceBundle *self);

void               anx_evidence_bundle_add_record        (AnxEvidenceBundle *self,
                                                          AnxChainRecord    *record);

AnxChargerEntry   *anx_evidence_bundle_get_charger       (AnxEvidenceBundle *self);
GDateTime         *anx_evidence_bundle_get_exported_at   (AnxEvidenceBundle *self);
guint64            anx_evidence_bundle_get_from_sequence (AnxEvidenceBundle *self);
guint64            anx_evidence_bundle_get_to_sequence   (AnxEvidenceBundle *self);
const guint8      *anx_evidence_bundle_get_prev_hash     (AnxEvidenceBundle *self);
GPtrArray         *anx_evidence_bundle_get_records       (AnxEvidenceBundle *self);

GPtrArray         *anx_evidence_bundle_verify            (AnxEvidenceBundle *self);

AnxEvidenceBundle *anx_evidence_bundle_new_from_json     (const char        *text,
                                                          gssize             length,
                                                          GError           **error);
AnxEvidenceBundle *anx_evidence_bundle_new_from_file     (const char        *path,
                                                          GError           **error);
char              *anx_evidence_bundle_to_json           (AnxEvidenceBundle *self);
gboolean           anx_evidence_bundle_save              (AnxEvidenceBundle *self,
                                                          const char        *path,
                                                          GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnxEvidenceBundle, anx_evidence_bundle_unref)

G_END_DECLS
