/* cw-gerror.c: CwError -> GError. Owner: workbench. */
#include "cw-gerror.h"

G_DEFINE_QUARK (cw-gerror-quark, cw_gerror)

void
cw_gerror_set_from_cw (GError **error, const CwError *cw_error)
{
  const char *message = cw_error->message[0] != '\0' ? cw_error->message : "unknown error";

  g_set_error_literal (error, CW_GERROR, (int) cw_error->code, message);
}
