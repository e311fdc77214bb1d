// Statistics for the evidence layer: the public door of haven_stats. Multiple systems estimation
// (how many victims no agency has found), indicators and survival curves.
#pragma once

#include "stats/mse.hpp"
#include "stats/survival.hpp"
