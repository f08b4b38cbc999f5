/* cw-planner.h: the planner's public API in one include. */
#pragma once

#include "cw-error.h"
#include "cw-bytes.h"
#include "cw-dtype.h"
#include "cw-config.h"
#include "cw-data.h"
#include "cw-preset.h"
#include "cw-engine.h"
#include "cw-gpu.h"
#include "cw-profile.h"
#include "cw-plan.h"
#include "cw-cliff.h"
#include "cw-index-cache.h"
#include "cw-index-cache-setup.h"
#include "cw-parse.h"
#include "cw-seconds.h"
#include "cw-sq-range.h"
