/*
 * rules.c — the table of data-quality rules: stable name, outcome and the
 * one-line description used by reports and docs/INGEST.md.
 */
#include "ingest.h"

static const ria_rule_info rules[RIA_RULE_COUNT] = {
    [RIA_RULE_BAD_RECORD] = {"bad_record", RIA_OUTCOME_REJECT,
                             "unterminated quoted field or record longer than the limit"},
    [RIA_RULE_FIELD_COUNT] = {"field_count", RIA_OUTCOME_REJECT,
                              "the record has fewer fields than the header (or extra non-empty ones)"},
    [RIA_RULE_MISSING_ORDER_ID] = {"missing_order_id", RIA_OUTCOME_REJECT, "order id is blank"},
    [RIA_RULE_MISSING_DATE] = {"missing_date", RIA_OUTCOME_REJECT, "order date is blank"},
    [RIA_RULE_BAD_DATE] = {"bad_date", RIA_OUTCOME_REJECT,
                           "order date is unparseable or impossible"},
    [RIA_RULE_BAD_AMOUNT] = {"bad_amount", RIA_OUTCOME_REJECT, "amount is not a number"},
    [RIA_RULE_NEGATIVE_AMOUNT] = {"negative_amount", RIA_OUTCOME_REJECT, "amount is negative"},
    [RIA_RULE_BAD_QUANTITY] = {"bad_quantity", RIA_OUTCOME_REJECT,
                               "quantity is not a whole number"},
    [RIA_RULE_NEGATIVE_QUANTITY] = {"negative_quantity", RIA_OUTCOME_REJECT,
                                    "quantity is negative"},
    [RIA_RULE_BAD_NUMBER] = {"bad_number", RIA_OUTCOME_REJECT,
                             "unit price, cost, profit or discount is not a number"},
    [RIA_RULE_NEGATIVE_PRICE] = {"negative_price", RIA_OUTCOME_REJECT,
                                 "unit price or cost is negative"},
    [RIA_RULE_BAD_DISCOUNT] = {"bad_discount", RIA_OUTCOME_REJECT,
                               "discount is outside 0..1 (or 0..100%)"},
    [RIA_RULE_SHIP_BEFORE_ORDER] = {"ship_before_order", RIA_OUTCOME_REJECT,
                                    "ship date is before the order date"},
    [RIA_RULE_AMOUNT_CEILING] = {"amount_above_ceiling", RIA_OUTCOME_FLAG,
                                 "amount is above the configured ceiling"},
    [RIA_RULE_UNKNOWN_STATE] = {"unknown_state", RIA_OUTCOME_FLAG,
                                "state is not a US state code or name"},
    [RIA_RULE_OLD_DATE] = {"old_date", RIA_OUTCOME_FLAG,
                           "order date is more than 10 years before the latest order date"},
    [RIA_RULE_FUTURE_DATE] = {"future_date", RIA_OUTCOME_FLAG,
                              "order date is after the day of the load"},
    [RIA_RULE_MALFORMED_QUOTES] = {"malformed_quotes", RIA_OUTCOME_FLAG,
                                   "a stray quote was kept as text"},
    [RIA_RULE_MISSING_AMOUNT] = {"missing_amount", RIA_OUTCOME_FLAG,
                                 "amount is blank and cannot be derived; kept as null"},
    [RIA_RULE_FIX_CATEGORY] = {"missing_category", RIA_OUTCOME_FIX,
                               "blank category set to \"Unknown\""},
    [RIA_RULE_FIX_QUANTITY] = {"missing_quantity", RIA_OUTCOME_FIX, "blank quantity set to 1"},
    [RIA_RULE_FIX_AMOUNT] = {"derived_amount", RIA_OUTCOME_FIX,
                             "blank amount derived as quantity x unit price x (1 - discount)"},
    [RIA_RULE_FIX_STATE_NAME] = {"state_name", RIA_OUTCOME_FIX,
                                 "state name replaced by its two-letter code"},
    [RIA_RULE_FIX_DISCOUNT_PCT] = {"discount_percent", RIA_OUTCOME_FIX,
                                   "discount written as a percentage read as a fraction"},
    [RIA_RULE_FIX_SHIP_DATE] = {"bad_ship_date", RIA_OUTCOME_FIX,
                                "unparseable or impossible ship date cleared"},
    [RIA_RULE_FIX_POSTAL_CODE] = {"postal_code", RIA_OUTCOME_FIX,
                                  "postal code or id written as a float (2149.0) repaired"},
    [RIA_RULE_FIX_ENCODING] = {"encoding", RIA_OUTCOME_FIX,
                               "row converted from Windows-1252 to UTF-8"},
    [RIA_RULE_FIX_EXTRA_VALUE] = {"bad_value", RIA_OUTCOME_FIX,
                                  "a value that does not fit its column's type was cleared"},
};

const ria_rule_info *ria_rule_get(ria_rule r)
{
    return (unsigned)r < RIA_RULE_COUNT ? &rules[r] : NULL;
}

const char *ria_outcome_name(ria_outcome o)
{
    return o == RIA_OUTCOME_REJECT ? "reject" : o == RIA_OUTCOME_FLAG ? "flag" : "fix";
}
