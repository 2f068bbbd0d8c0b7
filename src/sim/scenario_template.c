/* Ranges and templates (scenario_template.h): a small recursive-descent
 * evaluator of integer expressions,
 *
 *     expr   = term { ("+" | "-") term }
 *     term   = unary { ("*" | "/" | "%") unary }
 *     unary  = "-" unary | atom
 *     atom   = NUMBER | "i" | "(" expr ")"
 *
 * in 64-bit integers with overflow and division by zero reported, as C
 * divides (toward zero). */
#include "sim/scenario_template.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct eval {
    const char *p;
    long long i;
    const char *error;
};

static void skip_space(struct eval *e)
{
    while (*e->p == ' ' || *e->p == '\t')
        e->p++;
}

static bool expr(struct eval *e, long long *out);

static bool atom(struct eval *e, long long *out)
{
    skip_space(e);
    if (*e->p == '(') {
        e->p++;
        if (!expr(e, out))
            return false;
        skip_space(e);
        if (*e->p != ')') {
            e->error = "a '(' without its ')'";
            return false;
        }
        e->p++;
        return true;
    }
    if (*e->p == 'i' && !isalnum((unsigned char)e->p[1]) && e->p[1] != '_') {
        e->p++;
        *out = e->i;
        return true;
    }
    if (isdigit((unsigned char)*e->p)) {
        long long v = 0;
        while (isdigit((unsigned char)*e->p)) {
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *e->p - '0', &v)) {
                e->error = "a number too large";
                return false;
            }
            e->p++;
        }
        *out = v;
        return true;
    }
    e->error = *e->p ? "want a number, i or '('" : "an expression that stops short";
    return false;
}

static bool unary(struct eval *e, long long *out)
{
    skip_space(e);
    if (*e->p == '-') {
        e->p++;
        long long v;
        if (!unary(e, &v))
            return false;
        if (__builtin_sub_overflow(0LL, v, out)) {
            e->error = "an overflow";
            return false;
        }
        return true;
    }
    return atom(e, out);
}

static bool term(struct eval *e, long long *out)
{
    if (!unary(e, out))
        return false;
    for (;;) {
        skip_space(e);
        char op = *e->p;
        if (op != '*' && op != '/' && op != '%')
            return true;
        e->p++;
        long long v;
        if (!unary(e, &v))
            return false;
        if (op == '*') {
            if (__builtin_mul_overflow(*out, v, out)) {
                e->error = "an overflow";
                return false;
            }
            continue;
        }
        if (v == 0) {
            e->error = "a division by zero";
            return false;
        }
        if (*out == INT64_MIN && v == -1) {
            e->error = "an overflow";
            return false;
        }
        *out = op == '/' ? *out / v : *out % v;
    }
}

static bool expr(struct eval *e, long long *out)
{
    if (!term(e, out))
        return false;
    for (;;) {
        skip_space(e);
        char op = *e->p;
        if (op != '+' && op != '-')
            return true;
        e->p++;
        long long v;
        if (!term(e, &v))
            return false;
        if (op == '+' ? __builtin_add_overflow(*out, v, out) : __builtin_sub_overflow(*out, v, out)) {
            e->error = "an overflow";
            return false;
        }
    }
}

bool sc_template_has(const char *text)
{
    return strchr(text, '{') != NULL || strchr(text, '}') != NULL;
}

bool sc_template_expand(const char *text, long long i, char *out, size_t cap, char *why, size_t why_cap)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        if (*p == '}') {
            snprintf(why, why_cap, "a '}' without its '{'");
            return false;
        }
        if (*p != '{') {
            if (n + 1 >= cap)
                goto too_long;
            out[n++] = *p++;
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close) {
            snprintf(why, why_cap, "a '{' without its '}'");
            return false;
        }
        char inner[128];
        size_t len = (size_t)(close - p - 1);
        if (len >= sizeof inner) {
            snprintf(why, why_cap, "an expression too long");
            return false;
        }
        memcpy(inner, p + 1, len);
        inner[len] = '\0';
        bool hex = false;
        char *colon = strchr(inner, ':');
        if (colon) {
            if (strcmp(colon, ":x") != 0) {
                snprintf(why, why_cap, "'{%s}': the only format is ':x' (hexadecimal)", inner);
                return false;
            }
            *colon = '\0';
            hex = true;
        }
        struct eval e = { .p = inner, .i = i };
        long long v;
        bool ok = expr(&e, &v);
        skip_space(&e);
        if (ok && *e.p) {
            ok = false;
            e.error = "something after the expression";
        }
        if (!ok) {
            snprintf(why, why_cap, "bad expression '{%s}': %s", inner, e.error);
            return false;
        }
        if (hex && v < 0) {
            snprintf(why, why_cap, "'{%s:x}' is %lld: a negative number has no hexadecimal form here", inner, v);
            return false;
        }
        int w = hex ? snprintf(out + n, cap - n, "%llx", (unsigned long long)v) : snprintf(out + n, cap - n, "%lld", v);
        if (w < 0 || (size_t)w >= cap - n)
            goto too_long;
        n += (size_t)w;
        p = close + 1;
    }
    out[n] = '\0';
    return true;
too_long:
    snprintf(why, why_cap, "the value grows too long");
    return false;
}

/* Digits at the end of s, from *start; false if there are none. */
static bool trailing_number(const char *s, size_t len, size_t *start, long long *value)
{
    size_t k = len;
    while (k > 0 && isdigit((unsigned char)s[k - 1]))
        k--;
    if (k == len || len - k > 9)
        return false;
    long long v = 0;
    for (size_t j = k; j < len; j++)
        v = v * 10 + (s[j] - '0');
    *start = k;
    *value = v;
    return true;
}

int sc_range_parse(const char *text, char *prefix, size_t prefix_cap, long long *first, long long *last,
                   char *why, size_t why_cap)
{
    const char *dots = strstr(text, "..");
    if (!dots)
        return 0;
    size_t left_len = (size_t)(dots - text);
    const char *right = dots + 2;
    size_t start;
    if (!trailing_number(text, left_len, &start, first)) {
        snprintf(why, why_cap, "a range is NAME1..NAME9, numbered at the end (as h1..h1000)");
        return -1;
    }
    /* No leading zeros: h01 and h1 would be one name and another. */
    if (text[start] == '0' && start + 1 < left_len) {
        snprintf(why, why_cap, "a range's numbers have no leading zeros");
        return -1;
    }
    size_t right_len = strlen(right), rstart;
    if (!trailing_number(right, right_len, &rstart, last)) {
        snprintf(why, why_cap, "a range is NAME1..NAME9, numbered at the end (as h1..h1000)");
        return -1;
    }
    if ((rstart != 0 && (rstart != start || strncmp(text, right, start) != 0)) ||
        (right[rstart] == '0' && rstart + 1 < right_len)) {
        snprintf(why, why_cap, "both ends of a range are one name with another number (as h1..h1000)");
        return -1;
    }
    if (*last < *first) {
        snprintf(why, why_cap, "the range runs backwards (%lld..%lld)", *first, *last);
        return -1;
    }
    if (start >= prefix_cap) {
        snprintf(why, why_cap, "the name is too long");
        return -1;
    }
    memcpy(prefix, text, start);
    prefix[start] = '\0';
    return 1;
}
