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

/* Index of an upper-case two-letter code, or -1 (codes are unique, so a
 * 26 x 26 table answers the common case without a search). */
static int code_index(char a, char b)
{
    static int8_t table[26][26];
    static bool ready; /* filled once; racing fillers write the same bytes */
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        for (int i = 0; i < 26; i++)
            for (int j = 0; j < 26; j++)
                __atomic_store_n(&table[i][j], (int8_t)-1, __ATOMIC_RELAXED);
        for (int i = 0; i < (int)RIA_ARRAY_LEN(us_states); i++)
            __atomic_store_n(&table[us_states[i].code[0] - 'A'][us_states[i].code[1] - 'A'],
                             (int8_t)i, __ATOMIC_RELAXED);
        __atomic_store_n(&ready, true, __ATOMIC_RELEASE);
    }
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
        return -1;
    return table[a - 'A'][b - 'A'];
}

int ria_us_state_find(const char *p, size_t n, bool *out_by_name)
{
    ria_slice t = ria_trim(p, n);
    if (t.n == 2) {
        int k = code_index((char)toupper((unsigned char)t.p[0]), (char)toupper((unsigned char)t.p[1]));
        if (out_by_name)
            *out_by_name = false;
        return k;
    }
    for (int i = 0; i < (int)RIA_ARRAY_LEN(us_states); i++)
        if (loose_eq(t.p, t.n, us_states[i].name)) {
            if (out_by_name)
                *out_by_name = true;
            return i;
        }
    return -1;
}
