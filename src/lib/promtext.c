/* Prometheus text format builder (see promtext.h). */
#include "lib/promtext.h"

#include <math.h> /* isnan, isinf: macros, no libm */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct prom_key {
	uint32_t hash;
	size_t off, len; /* the label part "{...}" inside the family's buffer */
};

struct prom_fam {
	struct prom *p;
	char *name, *help;
	enum prom_type type;
	char *buf; /* the sample lines */
	size_t len, cap;
	struct prom_key *keys; /* open addressing, cap_keys a power of two */
	size_t n_keys, cap_keys;
	bool bare; /* the series without labels is there */
};

struct prom {
	struct prom_fam **fams;
	size_t n_fams, cap_fams;
	size_t n_samples;
	bool failed;
};

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

static bool valid_name(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (const char *c = s; *c; c++)
		if (!name_char(*c, c == s, colon))
			return false;
	return true;
}

bool prom_valid_metric_name(const char *s)
{
	return valid_name(s, true);
}

bool prom_valid_label_name(const char *s)
{
	/* Names starting with "__" are reserved for Prometheus itself. */
	return valid_name(s, false) && strncmp(s, "__", 2) != 0;
}

static size_t escape(const char *s, char *buf, size_t len, bool quote)
{
	size_t n = 0;

	for (; s && *s; s++) {
		char e = 0;

		if (*s == '\\')
			e = '\\';
		else if (*s == '\n')
			e = 'n';
		else if (quote && *s == '"')
			e = '"';
		if (e) {
			if (n + 1 < len)
				buf[n] = '\\';
			n++;
		}
		if (n + 1 < len)
			buf[n] = e ? e : *s;
		n++;
	}
	if (len)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

size_t prom_escape_label(const char *s, char *buf, size_t len)
{
	return escape(s, buf, len, true);
}

size_t prom_escape_help(const char *s, char *buf, size_t len)
{
	return escape(s, buf, len, false);
}

void prom_fmt_double(double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
	} else if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
	} else if (v > -9007199254740992.0 && v < 9007199254740992.0 && v == (double)(int64_t)v) {
		snprintf(buf, len, "%lld", (long long)v);
	} else {
		/* The shortest precision that reads back to the same double. */
		for (int prec = 6; prec <= 17; prec++) {
			snprintf(buf, len, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
	}
}

struct prom *prom_new(void)
{
	return calloc(1, sizeof(struct prom));
}

void prom_free(struct prom *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_fams; i++) {
		free(p->fams[i]->name);
		free(p->fams[i]->help);
		free(p->fams[i]->buf);
		free(p->fams[i]->keys);
		free(p->fams[i]);
	}
	free(p->fams);
	free(p);
}

size_t prom_count(const struct prom *p)
{
	return p ? p->n_samples : 0;
}

struct prom_fam *prom_family(struct prom *p, const char *name, enum prom_type type,
                             const char *help)
{
	struct prom_fam *f;

	if (!p)
		return NULL;
	if (!prom_valid_metric_name(name)) {
		p->failed = true;
		return NULL;
	}
	for (size_t i = 0; i < p->n_fams; i++)
		if (strcmp(p->fams[i]->name, name) == 0)
			return p->fams[i];
	if (p->n_fams == p->cap_fams) {
		size_t nc = p->cap_fams ? p->cap_fams * 2 : 32;
		struct prom_fam **nf = realloc(p->fams, nc * sizeof(*nf));

		if (!nf) {
			p->failed = true;
			return NULL;
		}
		p->fams = nf;
		p->cap_fams = nc;
	}
	f = calloc(1, sizeof(*f));
	if (!f || !(f->name = strdup(name)) || !(f->help = strdup(help ? help : ""))) {
		if (f)
			free(f->name);
		free(f);
		p->failed = true;
		return NULL;
	}
	f->p = p;
	f->type = type;
	p->fams[p->n_fams++] = f;
	return f;
}

static int buf_put(struct prom_fam *f, const char *s, size_t n)
{
	if (f->len + n + 1 > f->cap) {
		size_t nc = f->cap ? f->cap : 256;
		char *nb;

		while (nc < f->len + n + 1)
			nc *= 2;
		nb = realloc(f->buf, nc);
		if (!nb)
			return -1;
		f->buf = nb;
		f->cap = nc;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = '\0';
	return 0;
}

static int buf_escaped(struct prom_fam *f, const char *s)
{
	char small[256];
	size_t need = prom_escape_label(s, small, sizeof(small));
	char *big;
	int rc;

	if (need < sizeof(small))
		return buf_put(f, small, need);
	big = malloc(need + 1);
	if (!big)
		return -1;
	prom_escape_label(s, big, need + 1);
	rc = buf_put(f, big, need);
	free(big);
	return rc;
}

static uint32_t fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int keys_grow(struct prom_fam *f)
{
	size_t nc = f->cap_keys ? f->cap_keys * 2 : 16;
	struct prom_key *nk = calloc(nc, sizeof(*nk));

	if (!nk)
		return -1;
	for (size_t i = 0; i < f->cap_keys; i++) {
		struct prom_key *k = &f->keys[i];
		size_t j;

		if (!k->len)
			continue;
		for (j = k->hash & (nc - 1); nk[j].len; j = (j + 1) & (nc - 1))
			;
		nk[j] = *k;
	}
	free(f->keys);
	f->keys = nk;
	f->cap_keys = nc;
	return 0;
}

/* 1 if the series [off, off+len) is already in the family, else records
 * it and returns 0; -1 out of memory. */
static int key_seen(struct prom_fam *f, size_t off, size_t len)
{
	uint32_t h = fnv1a(f->buf + off, len);
	size_t j;

	if ((f->n_keys + 1) * 2 > f->cap_keys && keys_grow(f) < 0)
		return -1;
	for (j = h & (f->cap_keys - 1); f->keys[j].len; j = (j + 1) & (f->cap_keys - 1)) {
		const struct prom_key *k = &f->keys[j];

		if (k->hash == h && k->len == len &&
		    memcmp(f->buf + k->off, f->buf + off, len) == 0)
			return 1;
	}
	f->keys[j] = (struct prom_key){.hash = h, .off = off, .len = len};
	f->n_keys++;
	return 0;
}

static int add(struct prom_fam *f, const char *value, va_list ap)
{
	size_t start, lab;
	const char *ln;
	bool first = true;
	int seen;

	if (!f)
		return -1;
	if (f->p->failed)
		return -1;
	start = f->len;
	if (buf_put(f, f->name, strlen(f->name)) < 0)
		goto oom;
	lab = f->len;
	/* A series is keyed by its label part "{...}". */
	if (buf_put(f, "{", 1) < 0)
		goto oom;
	while ((ln = va_arg(ap, const char *))) {
		const char *lv = va_arg(ap, const char *);

		if (!prom_valid_label_name(ln)) {
			f->len = start;
			f->p->failed = true;
			return -1;
		}
		if ((!first && buf_put(f, ",", 1) < 0) || buf_put(f, ln, strlen(ln)) < 0 ||
		    buf_put(f, "=\"", 2) < 0 || buf_escaped(f, lv ? lv : "") < 0 ||
		    buf_put(f, "\"", 1) < 0)
			goto oom;
		first = false;
	}
	if (first) { /* no labels: plain "name value" */
		f->len = lab;
		seen = f->bare;
		f->bare = true;
	} else {
		if (buf_put(f, "}", 1) < 0)
			goto oom;
		seen = key_seen(f, lab, f->len - lab);
	}
	if (seen) {
		f->len = start;
		f->buf[start] = '\0';
		if (seen < 0)
			goto oom;
		return 1;
	}
	if (buf_put(f, " ", 1) < 0 || buf_put(f, value, strlen(value)) < 0 ||
	    buf_put(f, "\n", 1) < 0)
		goto oom;
	f->p->n_samples++;
	return 0;
oom:
	f->len = start;
	f->p->failed = true;
	return -1;
}

int prom_addu(struct prom_fam *f, uint64_t v, ...)
{
	char val[32];
	va_list ap;
	int rc;

	snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	va_start(ap, v);
	rc = add(f, val, ap);
	va_end(ap);
	return rc;
}

int prom_addi(struct prom_fam *f, int64_t v, ...)
{
	char val[32];
	va_list ap;
	int rc;

	snprintf(val, sizeof(val), "%lld", (long long)v);
	va_start(ap, v);
	rc = add(f, val, ap);
	va_end(ap);
	return rc;
}

int prom_addd(struct prom_fam *f, double v, ...)
{
	char val[40];
	va_list ap;
	int rc;

	prom_fmt_double(v, val, sizeof(val));
	va_start(ap, v);
	rc = add(f, val, ap);
	va_end(ap);
	return rc;
}

int prom_write(const struct prom *p, FILE *fp)
{
	if (!p || p->failed)
		return -1;
	for (size_t i = 0; i < p->n_fams; i++) {
		const struct prom_fam *f = p->fams[i];
		size_t need;
		char *h;

		if (!f->len)
			continue;
		need = prom_escape_help(f->help, NULL, 0);
		h = malloc(need + 1);
		if (!h)
			return -1;
		prom_escape_help(f->help, h, need + 1);
		fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", f->name, h, f->name,
		        f->type == PROM_COUNTER ? "counter" : "gauge");
		free(h);
		fwrite(f->buf, 1, f->len, fp);
	}
	return ferror(fp) ? -1 : 0;
}
