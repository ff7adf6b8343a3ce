/* test_core.c — dates, decimals, hash maps, buffers, name normalization. */
#include "test.h"
#include "core/core.h"

TEST(core_civil_roundtrip)
{
    for (int64_t d = -719000; d < 2900000; d += 37) {
        int y, m, dd;
        ria_civil_from_days(d, &y, &m, &dd);
        CHECK(ria_date_valid(y, m, dd));
        CHECK_EQ_INT(ria_days_from_civil(y, m, dd), d);
    }
    CHECK_EQ_INT(ria_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(ria_days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ_INT(ria_weekday(ria_days_from_civil(2024, 1, 1)), 0); /* a Monday */
    CHECK_EQ_INT(ria_weekday(ria_days_from_civil(2024, 12, 29)), 6);
}

static int64_t ts(int y, int m, int d, int hh, int mi, int ss)
{
    return ria_days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 + ss;
}

TEST(core_parse_dates)
{
    int64_t v;
    bool ht;
    CHECK_EQ_INT(ria_parse_date("2024-01-05", 10, RIA_DATE_ISO, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2024, 1, 5, 0, 0, 0));
    CHECK(!ht);
    const char *s = "2024-01-05 13:45:12";
    CHECK_EQ_INT(ria_parse_date(s, strlen(s), RIA_DATE_ISO, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2024, 1, 5, 13, 45, 12));
    CHECK(ht);
    s = "2024-01-05T13:45";
    CHECK_EQ_INT(ria_parse_date(s, strlen(s), RIA_DATE_ISO, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2024, 1, 5, 13, 45, 0));
    CHECK_EQ_INT(ria_parse_date("2023-13-45", 10, RIA_DATE_ISO, &v, &ht), 0);
    CHECK_EQ_INT(ria_parse_date("2023-02-29", 10, RIA_DATE_ISO, &v, &ht), 0);
    CHECK_EQ_INT(ria_parse_date("2024-02-29", 10, RIA_DATE_ISO, &v, &ht), 1);
    CHECK_EQ_INT(ria_parse_date("hello", 5, RIA_DATE_ISO, &v, &ht), -1);
    CHECK_EQ_INT(ria_parse_date("11/8/2016", 9, RIA_DATE_MDY_SLASH, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2016, 11, 8, 0, 0, 0));
    CHECK_EQ_INT(ria_parse_date("11/8/2016", 9, RIA_DATE_DMY_SLASH, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2016, 8, 11, 0, 0, 0));
    s = "12/1/2010 8:26";
    CHECK_EQ_INT(ria_parse_date(s, strlen(s), RIA_DATE_MDY_SLASH, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2010, 12, 1, 8, 26, 0));
    CHECK_EQ_INT(ria_parse_date("04-30-22", 8, RIA_DATE_MDY_DASH, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2022, 4, 30, 0, 0, 0));
    CHECK_EQ_INT(ria_parse_date("31.12.2023", 10, RIA_DATE_DMY_DOT, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2023, 12, 31, 0, 0, 0));
    s = "3/4/2024 1:05:09 PM";
    CHECK_EQ_INT(ria_parse_date(s, strlen(s), RIA_DATE_MDY_SLASH, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2024, 3, 4, 13, 5, 9));
    s = "3/4/2024 12:05 AM";
    CHECK_EQ_INT(ria_parse_date(s, strlen(s), RIA_DATE_MDY_SLASH, &v, &ht), 1);
    CHECK_EQ_INT(v, ts(2024, 3, 4, 0, 5, 0));
    CHECK_EQ_INT(ria_parse_date("2024-01-05 25:00", 16, RIA_DATE_ISO, &v, &ht), 0);
    unsigned m = ria_date_formats_matching("13/01/2024", 10);
    CHECK(m & (1u << RIA_DATE_DMY_SLASH));
    CHECK(!(m & (1u << RIA_DATE_MDY_SLASH)));
    char buf[32];
    ria_format_ts(ts(2024, 12, 30, 23, 53, 1), buf);
    CHECK_EQ_STR(buf, "2024-12-30 23:53:01");
}

static int64_t dec(const char *s)
{
    int64_t v = 0;
    if (ria_parse_decimal(s, strlen(s), &v) != RIA_NUM_OK)
        return -999999999;
    return v;
}

TEST(core_parse_decimals)
{
    CHECK_EQ_INT(dec("12.5"), 125000);
    CHECK_EQ_INT(dec("0.1"), 1000);
    CHECK_EQ_INT(dec("-3"), -30000);
    CHECK_EQ_INT(dec(" $1,234.56 "), 12345600);
    CHECK_EQ_INT(dec("1,234,567.8"), 12345678000);
    CHECK_EQ_INT(dec("(12.50)"), -125000);
    CHECK_EQ_INT(dec("\xe2\x82\xac" "9.99"), 99900);
    CHECK_EQ_INT(dec("INR 449.00"), 4490000);
    CHECK_EQ_INT(dec("449.00 USD"), 4490000);
    CHECK_EQ_INT(dec("1.23456"), 12346);
    CHECK_EQ_INT(dec("-1.23455"), -12346);
    CHECK_EQ_INT(dec("1e3"), 10000000);
    CHECK_EQ_INT(dec("2149.0"), 21490000);
    CHECK_EQ_INT(dec("$-5"), -50000);
    int64_t v;
    CHECK_EQ_INT(ria_parse_decimal("", 0, &v), RIA_NUM_EMPTY);
    CHECK_EQ_INT(ria_parse_decimal("  ", 2, &v), RIA_NUM_EMPTY);
    CHECK_EQ_INT(ria_parse_decimal("abc", 3, &v), RIA_NUM_BAD);
    CHECK_EQ_INT(ria_parse_decimal("1,5", 3, &v), RIA_NUM_BAD);
    CHECK_EQ_INT(ria_parse_decimal("12.3x", 5, &v), RIA_NUM_BAD);
    CHECK_EQ_INT(ria_parse_decimal("1,2345", 6, &v), RIA_NUM_BAD);
    CHECK_EQ_INT(ria_parse_decimal("1234,567", 8, &v), RIA_NUM_BAD);
    CHECK_EQ_INT(ria_parse_decimal("99999999999999999999", 20, &v), RIA_NUM_RANGE);
    CHECK_EQ_INT(ria_parse_int("3.0", 3, &v), RIA_NUM_OK);
    CHECK_EQ_INT(v, 3);
    CHECK_EQ_INT(ria_parse_int("2.5", 3, &v), RIA_NUM_BAD);
    CHECK_EQ_INT(ria_parse_int("9223372036854775807", 19, &v), RIA_NUM_OK);
    CHECK_EQ_INT(v, INT64_MAX);
    char buf[64];
    ria_format_decimal(12345600, 2, buf);
    CHECK_EQ_STR(buf, "1234.56");
    ria_format_decimal(-5, 2, buf);
    CHECK_EQ_STR(buf, "0.00");
    ria_format_decimal(-50, 2, buf);
    CHECK_EQ_STR(buf, "-0.01");
    ria_format_decimal(1000, 4, buf);
    CHECK_EQ_STR(buf, "0.1000");
    ria_format_decimal(99995, 2, buf);
    CHECK_EQ_STR(buf, "10.00");
    ria_format_decimal128((__int128)INT64_MAX * 1000, 0, buf);
    CHECK_EQ_STR(buf, "922337203685477581");
}

TEST(core_decimal_roundtrip_random)
{
    uint64_t x = 12345;
    for (int i = 0; i < 100000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t v = (int64_t)(x >> 20) - (int64_t)(1ULL << 43);
        char buf[64];
        ria_format_decimal(v, 4, buf);
        int64_t back;
        CHECK_EQ_INT(ria_parse_decimal(buf, strlen(buf), &back), RIA_NUM_OK);
        CHECK_EQ_INT(back, v);
    }
}

TEST(core_strmap)
{
    ria_strmap m;
    ria_strmap_init(&m);
    char key[32];
    for (uint32_t i = 0; i < 50000; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        uint32_t v;
        CHECK_OK(ria_strmap_put(&m, key, (size_t)n, i, &v));
        CHECK_EQ_INT(v, i);
    }
    for (uint32_t i = 0; i < 50000; i++) {
        int n = snprintf(key, sizeof key, "k%u", i);
        uint32_t v = 0, w = 0;
        CHECK(ria_strmap_get(&m, key, (size_t)n, &v));
        CHECK_EQ_INT(v, i);
        CHECK_OK(ria_strmap_put(&m, key, (size_t)n, 7, &w));
        CHECK_EQ_INT(w, i);
    }
    CHECK(!ria_strmap_get(&m, "nope", 4, NULL));
    CHECK_EQ_INT(ria_strmap_count(&m), 50000);
    CHECK_EQ_STR(ria_strmap_at(&m, 123)->key, "k123");
    ria_strmap_free(&m);
}

TEST(core_buf_cap)
{
    ria_buf b;
    ria_buf_init(&b, 10);
    CHECK_OK(ria_buf_puts(&b, "hello"));
    CHECK_OK(ria_buf_puts(&b, "world"));
    CHECK_EQ_INT(ria_buf_puts(&b, "!"), RIA_ELIMIT);
    CHECK_EQ_STR(b.data, "helloworld");
    ria_buf_free(&b);
}

TEST(core_names)
{
    char out[64];
    ria_normalize_name(" Order-Date ", 12, out, sizeof out);
    CHECK_EQ_STR(out, "orderdate");
    ria_normalize_name("ship.Postal_Code", 16, out, sizeof out);
    CHECK_EQ_STR(out, "shippostalcode");
    ria_snake_name("Ship Mode", 9, out, sizeof out);
    CHECK_EQ_STR(out, "ship_mode");
    ria_snake_name(" 2nd  Field!", 12, out, sizeof out);
    CHECK_EQ_STR(out, "c2nd_field");
    CHECK(ria_utf8_valid("S\xc3\xa3o Paulo", 10));
    CHECK(!ria_utf8_valid("S\xe3o Paulo", 9));
    CHECK(!ria_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
}
