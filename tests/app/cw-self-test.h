/* cw-self-test.h: `cliffwatch --self-test DIR`, the driver the Xvfb test
 * uses to walk a real window through every page. Owner: workbench. */
#pragma once

#include "cw-window.h"

G_BEGIN_DECLS

void     cw_self_test_start  (CwWindow   *window,
                              const char *output_dir);
gboolean cw_self_test_failed (void);

G_END_DECLS
