/* anx-welcome-page.h: first run: the feed's address and token, tested
 *
 * Copyright 2026 The Anxin authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ANX_TYPE_WELCOME_PAGE (anx_welcome_page_get_type ())

G_DECLARE_FINAL_TYPE (AnxWelcomePage, anx_welcome_page, ANX, WELCOME_PAGE, AdwBin)

void     anx_welcome_page_set_feed_uri (AnxWelcomePage *self,
                                        const char     *uri);
void     anx_welcome_page_connect      (AnxWelcomePage *self);
gboolean anx_welcome_page_get_busy     (AnxWelcomePage *self);
int      anx_welcome_page_get_error    (AnxWelcomePage *self);

G_END_DECLS
