/* anx-sessions-page.h
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "anx-store.h"

G_BEGIN_DECLS

#define ANX_TYPE_SESSIONS_PAGE (anx_sessions_page_get_type ())

G_DECLARE_FINAL_TYPE (AnxSessionsPage, anx_sessions_page, ANX, SESSIONS_PAGE, AdwBin)

void        anx_sessions_page_set_store (AnxSessionsPage *self,
                                         AnxStore        *store);
const char *anx_sessions_page_get_selected_key (AnxSessionsPage *self);
guint       anx_sessions_page_get_n_ticking    (AnxSessionsPage *self);
GListModel *anx_sessions_page_get_rows  (AnxSessionsPage *self);

G_END_DECLS
