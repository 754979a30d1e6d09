/* anx-evidence-dialog.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_EVIDENCE_DIALOG (anx_evidence_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AnxEvidenceDialog, anx_evidence_dialog, ANX, EVIDENCE_DIALOG, AdwWindow)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxEvidenceDialog *anx_evidence_dialog_new         (GtkWindow         *parent,
                                                    AnxStore          *store,
                                                    const char        *charger);
AnxEvidenceDialog *anx_evidence_dialog_present_for (GtkWindow         *window,
                                                    const char        *charger);
void               anx_evidence_dialog_save_bundle_async  (AnxEvidenceDialog   *self,
                                                           const char          *path,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean           anx_evidence_dialog_save_bundle_finish (AnxEvidenceDialog   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
void               anx_evidence_dialog_save_pdf_async     (AnxEvidenceDialog   *self,
                                                           const char          *path,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean           anx_evidence_dialog_save_pdf_finish    (AnxEvidenceDialog   *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
/* clang-format on */

G_END_DECLS
