/* Reading a batch back as text: error messages and golden tests
 * (nft_batch.h). */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_int.h"

/* ---- reading a batch back ---- */

static const char *verb_of(uint16_t cmd)
{
	switch (cmd) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_NEWRULE:
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_NEWOBJ:
		return "add";
	case NFT_MSG_DELRULE:
		return "flush";
	case NFT_MSG_DELSETELEM:
		return "del";
	case NFT_MSG_DESTROYSETELEM:
		return "destroy";
	default:
		return "del";
	}
}

static void hex_print(FILE *f, const struct nlattr *data)
{
	const struct nlattr *a;
	const uint8_t *p;
	uint16_t i;

	mnl_attr_for_each_nested(a, data)
	{
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			p = mnl_attr_get_payload(a);
			for (i = 0; i < mnl_attr_get_payload_len(a); i++)
				fprintf(f, "%s%02x", i && i % 4 == 0 ? " " : "", p[i]);
		} else if (mnl_attr_get_type(a) == NFTA_DATA_VERDICT) {
			const struct nlattr *v;

			mnl_attr_for_each_nested(v, a)
			{
				if (mnl_attr_get_type(v) == NFTA_VERDICT_CODE)
					fprintf(f, "verdict %d", (int)ntohl(mnl_attr_get_u32(v)));
				else if (mnl_attr_get_type(v) == NFTA_VERDICT_CHAIN)
					fprintf(f, " %s", mnl_attr_get_str(v));
			}
		}
	}
}

/* "\telement KEY [: DATA] [flags N] [obj NAME]" per element; returns the
 * set name (pointing into the message) or NULL. */
static const char *elems_print(const struct nlmsghdr *nlh, char *out, size_t outlen)
{
	const struct nlattr *a, *el, *f;
	const char *set = NULL;
	FILE *fp = fmemopen(out, outlen, "w");

	if (!fp)
		return NULL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_SET)
			set = mnl_attr_get_str(a);
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
		{
			fprintf(fp, "\telement");
			mnl_attr_for_each_nested(f, el)
			{
				switch (mnl_attr_get_type(f)) {
				case NFTA_SET_ELEM_KEY:
					fprintf(fp, " ");
					hex_print(fp, f);
					break;
				case NFTA_SET_ELEM_DATA:
					fprintf(fp, " : ");
					hex_print(fp, f);
					break;
				case NFTA_SET_ELEM_FLAGS:
					fprintf(fp, " flags %u", ntohl(mnl_attr_get_u32(f)));
					break;
				case NFTA_SET_ELEM_OBJREF:
					fprintf(fp, " obj %s", mnl_attr_get_str(f));
					break;
				default:
					fprintf(fp, " attr %u", mnl_attr_get_type(f));
				}
			}
			fprintf(fp, "\n");
		}
	}
	if (fclose(fp) != 0)
		return NULL;
	return set;
}

/* The n-th objref's counter name of a rule message, as sent (the
 * attribute's own length); false when there is none. */
static bool objref_name(const struct nlmsghdr *nlh, unsigned n, char *buf, size_t len)
{
	const struct nlattr *a, *el, *f, *o;
	bool objref;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		mnl_attr_for_each_nested(el, a)
		{
			objref = false;
			mnl_attr_for_each_nested(f, el)
			{
				if (mnl_attr_get_type(f) == NFTA_EXPR_NAME)
					objref = !strcmp(mnl_attr_get_str(f), "objref");
				if (!objref || mnl_attr_get_type(f) != NFTA_EXPR_DATA)
					continue;
				mnl_attr_for_each_nested(o, f)
				{
					if (mnl_attr_get_type(o) != NFTA_OBJREF_IMM_NAME || n--)
						continue;
					snprintf(buf, len, "%.*s",
					         (int)strnlen(mnl_attr_get_payload(o),
					                      mnl_attr_get_payload_len(o)),
					         (const char *)mnl_attr_get_payload(o));
					return true;
				}
			}
		}
	}
	return false;
}

/* libnftnl 1.2.4 sends an objref's name without its NUL (the kernel goes
 * by the attribute's length) but reads one back as a C string, running
 * into the next attribute: print the names as sent.  (Done on the text:
 * setting the name again on the parsed rule leaks the old one.) */
static void objref_names_fix(const struct nlmsghdr *nlh, char *out)
{
	static const char tag[] = "[ objref type 1 name ";
	char name[NFT_NAME_MAX], *p = out, *end;
	unsigned n = 0;
	size_t nl, tail;

	while ((p = strstr(p, tag)) && objref_name(nlh, n++, name, sizeof(name))) {
		p += strlen(tag);
		end = strstr(p, " ]");
		nl = strlen(name);
		if (!end || (size_t)(end - p) < nl)
			return;
		tail = strlen(end) + 1;
		memcpy(p, name, nl);
		memmove(p + nl, end, tail);
		p += nl;
	}
}

/* Print one message with libnftnl; name (may be NULL) receives the name
 * of the object (or of its chain or set). */
static int msg_print(const struct nlmsghdr *nlh, char *out, size_t outlen, char *name,
                     size_t namelen)
{
	uint16_t cmd = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const char *nm = NULL, *kind = "?";
	int r = -1;

	out[0] = '\0';
	if (cmd == NFT_MSG_NEWTABLE || cmd == NFT_MSG_DELTABLE) {
		struct nftnl_table *t = nftnl_table_alloc();

		kind = "table";
		if (t && nftnl_table_nlmsg_parse(nlh, t) == 0) {
			nftnl_table_snprintf(out, outlen, t, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
			snprintf(name, namelen, "%s %s", kind, nm ? nm : "?");
			r = 0;
		}
		nftnl_table_free(t);
	} else if (cmd == NFT_MSG_NEWCHAIN || cmd == NFT_MSG_DELCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		kind = "chain";
		if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0) {
			nftnl_chain_snprintf(out, outlen, c, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
			snprintf(name, namelen, "%s %s", kind, nm ? nm : "?");
			r = 0;
		}
		nftnl_chain_free(c);
	} else if (cmd == NFT_MSG_NEWRULE || cmd == NFT_MSG_DELRULE) {
		struct nftnl_rule *ru = nftnl_rule_alloc();

		kind = "rule";
		if (ru && nftnl_rule_nlmsg_parse(nlh, ru) == 0) {
			nftnl_rule_snprintf(out, outlen, ru, NFTNL_OUTPUT_DEFAULT, 0);
			objref_names_fix(nlh, out);
			nm = nftnl_rule_get_str(ru, NFTNL_RULE_CHAIN);
			snprintf(name, namelen, "%s in chain %s",
			         cmd == NFT_MSG_DELRULE ? "chain" : kind, nm ? nm : "?");
			r = 0;
		}
		nftnl_rule_free(ru);
	} else if (cmd == NFT_MSG_NEWSET || cmd == NFT_MSG_DELSET || cmd == NFT_MSG_NEWSETELEM ||
	           cmd == NFT_MSG_DELSETELEM || cmd == NFT_MSG_DESTROYSETELEM) {
		struct nftnl_set *s = nftnl_set_alloc();
		bool el = cmd != NFT_MSG_NEWSET && cmd != NFT_MSG_DELSET;

		if (el) {
			/* libnftnl 1.2.4 cannot parse a list of more than one
			 * element back: print them here. */
			nm = elems_print(nlh, out, outlen);
			snprintf(name, namelen, "elements of set %s", nm ? nm : "?");
			r = nm ? 0 : -1;
		} else if (s && nftnl_set_nlmsg_parse(nlh, s) == 0) {
			int w = nftnl_set_snprintf(out, outlen, s, NFTNL_OUTPUT_DEFAULT, 0);

			/* libnftnl leaves out the shape of a new set. */
			if (cmd == NFT_MSG_NEWSET && w >= 0 && (size_t)w < outlen)
				snprintf(out + w, outlen - (size_t)w,
				         " flags 0x%x key 0x%x/%u data 0x%x/%u obj %u size %u",
				         nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
				         nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
				         nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
				         nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE),
				         nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN),
				         nftnl_set_get_u32(s, NFTNL_SET_OBJ_TYPE),
				         nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE));
			nm = nftnl_set_get_str(s, NFTNL_SET_NAME);
			snprintf(name, namelen, "set %s", nm ? nm : "?");
			r = 0;
		}
		nftnl_set_free(s);
	} else if (cmd == NFT_MSG_NEWOBJ || cmd == NFT_MSG_DELOBJ) {
		struct nftnl_obj *o = nftnl_obj_alloc();

		if (o && nftnl_obj_nlmsg_parse(nlh, o) == 0) {
			nftnl_obj_snprintf(out, outlen, o, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
			snprintf(name, namelen, "counter %s", nm ? nm : "?");
			r = 0;
		}
		nftnl_obj_free(o);
	}
	if (r < 0)
		snprintf(name, namelen, "message %u", cmd);
	return r;
}

const char *nft_batch_msg_describe(const void *msg, char *buf, size_t len)
{
	const struct nlmsghdr *nlh = msg;
	char *out = malloc(MSG_RESERVE), name[2 * NFT_NAME_MAX];
	uint16_t cmd = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (!out) {
		snprintf(buf, len, "message %u", cmd);
		return buf;
	}
	msg_print(nlh, out, MSG_RESERVE, name, sizeof(name));
	snprintf(buf, len, "%s %s", verb_of(cmd), name);
	free(out);
	return buf;
}

char *nft_batch_render(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len > INT32_MAX ? INT32_MAX : (int)len;
	size_t sz = 0;
	char *out = malloc(MSG_RESERVE), name[2 * NFT_NAME_MAX];
	FILE *f;
	char *text = NULL;

	if (!out)
		return NULL;
	f = open_memstream(&text, &sz);
	if (!f) {
		free(out);
		return NULL;
	}
	while (mnl_nlmsg_ok(nlh, rem)) {
		uint16_t cmd = NFNL_MSG_TYPE(nlh->nlmsg_type);

		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
		    nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
			fprintf(f, "%s\n",
			        nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ? "begin" : "end");
		} else {
			msg_print(nlh, out, MSG_RESERVE, name, sizeof(name));
			fprintf(f, "%s %s\n%s%s", verb_of(cmd), name, out,
			        out[0] && out[strlen(out) - 1] != '\n' ? "\n" : "");
		}
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	free(out);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
