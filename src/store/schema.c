/*
 * schema.c — names of roles and types, partition naming.  The role table is
 * the single list of canonical column names (SEMANTICS.md).
 */
#include "store.h"

#include <string.h>
#include <strings.h>

static const char *const role_names[RIA_ROLE_COUNT] = {
    [RIA_ROLE_NONE] = "",
    [RIA_ROLE_ORDER_ID] = "order_id",
    [RIA_ROLE_LINE_ID] = "line_id",
    [RIA_ROLE_ORDER_DATE] = "order_date",
    [RIA_ROLE_SHIP_DATE] = "ship_date",
    [RIA_ROLE_STATUS] = "status",
    [RIA_ROLE_CHANNEL] = "channel",
    [RIA_ROLE_CATEGORY] = "category",
    [RIA_ROLE_SUB_CATEGORY] = "sub_category",
    [RIA_ROLE_SKU] = "sku",
    [RIA_ROLE_PRODUCT_NAME] = "product_name",
    [RIA_ROLE_QUANTITY] = "quantity",
    [RIA_ROLE_UNIT_PRICE] = "unit_price",
    [RIA_ROLE_DISCOUNT] = "discount",
    [RIA_ROLE_AMOUNT] = "amount",
    [RIA_ROLE_COST] = "cost",
    [RIA_ROLE_PROFIT] = "profit",
    [RIA_ROLE_CUSTOMER_ID] = "customer_id",
    [RIA_ROLE_SEGMENT] = "segment",
    [RIA_ROLE_CITY] = "city",
    [RIA_ROLE_STATE] = "state",
    [RIA_ROLE_POSTAL_CODE] = "postal_code",
    [RIA_ROLE_REGION] = "region",
    [RIA_ROLE_COUNTRY] = "country",
    [RIA_ROLE_CURRENCY] = "currency",
};

const char *ria_role_name(ria_role role)
{
    return (unsigned)role < RIA_ROLE_COUNT ? role_names[role] : "";
}

ria_role ria_role_by_name(const char *name)
{
    for (int r = 1; r < RIA_ROLE_COUNT; r++)
        if (strcmp(role_names[r], name) == 0)
            return (ria_role)r;
    return RIA_ROLE_NONE;
}

static const char *const type_names[] = {
    [RIA_T_TEXT] = "text",       [RIA_T_INT] = "int",
    [RIA_T_DECIMAL] = "decimal", [RIA_T_DATE] = "date",
    [RIA_T_TIMESTAMP] = "timestamp",
};

const char *ria_type_name(ria_type t)
{
    return t >= RIA_T_TEXT && t <= RIA_T_TIMESTAMP ? type_names[t] : "?";
}

ria_type ria_type_by_name(const char *name)
{
    for (int t = RIA_T_TEXT; t <= RIA_T_TIMESTAMP; t++)
        if (strcasecmp(type_names[t], name) == 0)
            return (ria_type)t;
    return (ria_type)0;
}

void ria_partition_name(int partition, char out[8])
{
    int y = partition / 12, m = partition % 12 + 1;
    if (y < 0 || y > 9999)
        y = 0;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = 0;
}

int64_t ria_partition_start(int partition)
{
    return ria_days_from_civil(partition / 12, partition % 12 + 1, 1) * RIA_SECS_PER_DAY;
}

int64_t ria_partition_end(int partition)
{
    return ria_partition_start(partition + 1);
}
