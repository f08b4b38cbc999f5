/* cw-gerror.h: carrying the libraries' CwError into GError, the currency of
 * GTask and the toasts. Owner: workbench. */
#pragma once

#include <glib.h>

#include "cw-error.h"

G_BEGIN_DECLS

#define CW_GERROR (cw_gerror_quark ())

GQuark cw_gerror_quark      (void);
/* The GError code is the CwErrorCode; the message is kept as is. */
void   cw_gerror_set_from_cw (GError **error, const CwError *cw_error);

G_END_DECLS
