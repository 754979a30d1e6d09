/* anx-inspections-page.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-outbox.h"
#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_INSPECTIONS_PAGE (anx_inspections_page_get_type ())

G_DECLARE_FINAL_TYPE (AnxInspectionsPage, anx_inspections_page, ANX, INSPECTIONS_PAGE, AdwBin)

void        anx_inspections_page_set_store (AnxInspectionsPage *self,
                                            AnxStore           *store,
                                            AnxOutbox          *outbox);
GListModel *anx_inspections_page_get_rows  (AnxInspectionsPage *self);
GListModel *anx_inspections_page_get_worklist (AnxInspectionsPage *self);
void        anx_inspections_page_reload    (AnxInspectionsPage *self);
gboolean    anx_inspections_page_export_worklist (AnxInspectionsPage *self,
                                                  const char         *path,
                                                  GError            **error);
gboolean    anx_inspections_page_export_history  (AnxInspectionsPage *self,
                                                  const char         *path,
                                                  GError            **error);

G_END_DECLS
