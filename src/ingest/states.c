/*
 * states.c — US states and their Census Bureau regions (SEMANTICS.md), for
 * the state_name fix, the unknown_state flag and derived regions.
 */
#include "ingest.h"

#include <ctype.h>
#include <string.h>

static const struct {
    const char *code, *name, *region;
} us_states[] = {
    {"AL", "Alabama", "South"},         {"AK", "Alaska", "West"},
    {"AZ", "Arizona", "West"},          {"AR", "Arkansas", "South"},
    {"CA", "California", "West"},       {"CO", "Colorado", "West"},
    {"CT", "Connecticut", "Northeast"}, {"DE", "Delaware", "South"},
    {"DC", "District of Columbia", "South"},
    {"FL", "Florida", "South"},         {"GA", "Georgia", "South"},
    {"HI", "Hawaii", "West"},           {"ID", "Idaho", "West"},
    {"IL", "Illinois", "Midwest"},      {"IN", "Indiana", "Midwest"},
    {"IA", "Iowa", "Midwest"},          {"KS", "Kansas", "Midwest"},
    {"KY", "Kentucky", "South"},        {"LA", "Louisiana", "South"},
    {"ME", "Maine", "Northeast"},       {"MD", "Maryland", "South"},
    {"MA", "Massachusetts", "Northeast"}, {"MI", "Michigan", "Midwest"},
    {"MN", "Minnesota", "Midwest"},     {"MS", "Mississippi", "South"},
    {"MO", "Missouri", "Midwest"},      {"MT", "Montana", "West"},
    {"NE", "Nebraska", "Midwest"},      {"NV", "Nevada", "West"},
    {"NH", "New Hampshire", "Northeast"}, {"NJ", "New Jersey", "Northeast"},
    {"NM", "New Mexico", "West"},       {"NY", "New York", "Northeast"},
    {"NC", "North Carolina", "South"},  {"ND", "North Dakota", "Midwest"},
    {"OH", "Ohio", "Midwest"},          {"OK", "Oklahoma", "South"},
    {"OR", "Oregon", "West"},           {"PA", "Pennsylvania", "Northeast"},
    {"RI", "Rhode Island", "Northeast"}, {"SC", "South Carolina", "South"},
    {"SD", "South Dakota", "Midwest"},  {"TN", "Tennessee", "South"},
    {"TX", "Texas", "South"},           {"UT", "Utah", "West"},
    {"VT", "Vermont", "Northeast"},     {"VA", "Virginia", "South"},
    {"WA", "Washington", "West"},       {"WV", "West Virginia", "South"},
    {"WI", "Wisconsin", "Midwest"},     {"WY", "Wyoming", "West"},
};

int ria_us_state_count(void)
{
    return (int)RIA_ARRAY_LEN(us_states);
}

bool ria_us_state_at(int i, const char **code, const char **name, const char **region)
{
    if (i < 0 || i >= (int)RIA_ARRAY_LEN(us_states))
        return false;
    if (code)
        *code = us_states[i].code;
    if (name)
        *name = us_states[i].name;
    if (region)
        *region = us_states[i].region;
    return true;
}

/* Case-insensitive comparison of a slice with a name, treating runs of
 * spaces, '-', '_' and '.' as one space ("new-york" = "New York"). */
static bool loose_eq(const char *p, size_t n, const char *name)
{
    size_t i = 0;
    const char *q = name;
    while (i < n && *q) {
        char a = p[i], b = *q;
        bool sa = a == ' ' || a == '-' || a == '_' || a == '.';
        bool sb = b == ' ';
        if (sa && sb) {
            while (i < n && (p[i] == ' ' || p[i] == '-' || p[i] == '_' || p[i] == '.'))
                i++;
            q++;
            continue;
        }
        if (tolower((unsigned char)a) != tolower((unsigned char)b))
            return false;
        i++;
        q++;
    }
    return i == n && !*q;
}

int ria_us_state_find(const char *p, size_t n, bool *out_by_name)
{
    ria_slice t = ria_trim(p, n);
    if (t.n == 2) {
        char a = (char)toupper((unsigned char)t.p[0]), b = (char)toupper((unsigned char)t.p[1]);
        for (int i = 0; i < (int)RIA_ARRAY_LEN(us_states); i++)
            if (us_states[i].code[0] == a && us_states[i].code[1] == b) {
                if (out_by_name)
                    *out_by_name = false;
                return i;
            }
        return -1;
    }
    for (int i = 0; i < (int)RIA_ARRAY_LEN(us_states); i++)
        if (loose_eq(t.p, t.n, us_states[i].name)) {
            if (out_by_name)
                *out_by_name = true;
            return i;
        }
    return -1;
}
