/* anx-inspection-dialog.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-outbox.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_INSPECTION_DIALOG (anx_inspection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AnxInspectionDialog, anx_inspection_dialog, ANX, INSPECTION_DIALOG, AdwWindow)

/* Hand-aligned the GNOME way, which clang-format cannot do. */
/* clang-format off */
AnxInspectionDialog *anx_inspection_dialog_new      (GtkWindow           *parent,
                                                     AnxStore            *store,
                                                     AnxOutbox           *outbox,
                                                     GSettings           *settings,
                                                     const char          *charger,
                                                     gint64               alarm_id);
void                 anx_inspection_dialog_set_feed (AnxInspectionDialog *self,
                                                     const char          *base_uri,
                                                     const char          *token);
AnxInspectionDialog *anx_inspection_dialog_present_for (GtkWindow        *window,
                                                     const char          *charger,
                                                     gint64               alarm_id);
const char          *anx_inspection_dialog_get_charger (AnxInspectionDialog *self);
const char          *anx_inspection_dialog_get_key  (AnxInspectionDialog *self);
const char          *anx_inspection_dialog_get_state (AnxInspectionDialog *self);
/* clang-format on */

G_END_DECLS
