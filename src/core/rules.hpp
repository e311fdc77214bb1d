// Private to haven_core: the workflow rules of each entity, applied after field validation.
#pragma once

#include "core/core.hpp"

namespace haven {

// Checks the rules that span fields or records and fills in computed fields of `record`.
// `previous` is the stored record on update, nullptr on create.
Status apply_rules(const EntitySpec& spec, Json& record, const Json* previous,
                   WriteContext& context);

}  // namespace haven
