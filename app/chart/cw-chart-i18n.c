/* cw-chart-i18n.c: the run-time translation hook (see cw-chart-i18n.h). */
#include "cw-chart-i18n.h"

#include <stddef.h>

static CwChartTranslateFunc translate_func;

void
cw_chart_set_translate_func (CwChartTranslateFunc func)
{
  translate_func = func;
}

const char *
cw_chart_translate (const char *msgid)
{
  const char *translated;

  if (msgid == NULL || translate_func == NULL)
    return msgid;
  translated = translate_func (msgid);
  return translated != NULL ? translated : msgid;
}
