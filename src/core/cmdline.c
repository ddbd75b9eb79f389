/* Command line: upstream's options, long and short. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/daemon.h"
#include "version.h"

enum {
	OPT_SIGNUM = 0x100,
	OPT_CONFIG_FD,
	OPT_ALL,
	OPT_FLUSH_LOG,
	OPT_IGNORE_SIGINT,
	OPT_DEBUG_IGNORED,
};

static const struct option long_opts[] = {
    {"use-file", required_argument, NULL, 'f'},
    {"vrrp", no_argument, NULL, 'P'},
    {"check", no_argument, NULL, 'C'},
    {"no_bfd", no_argument, NULL, 'B'},
    {"all", no_argument, NULL, OPT_ALL},
    {"log-console", no_argument, NULL, 'l'},
    {"log-detail", no_argument, NULL, 'D'},
    {"log-facility", required_argument, NULL, 'S'},
    {"log-file", optional_argument, NULL, 'g'},
    {"flush-log-file", no_argument, NULL, OPT_FLUSH_LOG},
    {"no-syslog", no_argument, NULL, 'G'},
    {"release-vips", no_argument, NULL, 'X'},
    {"dont-release-vrrp", no_argument, NULL, 'V'},
    {"dont-release-ipvs", no_argument, NULL, 'I'},
    {"dont-respawn", no_argument, NULL, 'R'},
    {"dont-fork", no_argument, NULL, 'n'},
    {"dump-conf", no_argument, NULL, 'd'},
    {"pid", required_argument, NULL, 'p'},
    {"vrrp_pid", required_argument, NULL, 'r'},
    {"checkers_pid", required_argument, NULL, 'c'},
    {"bfd_pid", required_argument, NULL, 'b'},
    {"genhash", no_argument, NULL, 'T'},
    {"address-monitoring", no_argument, NULL, 'a'},
    {"namespace", required_argument, NULL, 's'},
    {"all-config", no_argument, NULL, 'e'},
    {"config-id", required_argument, NULL, 'i'},
    {"snmp", no_argument, NULL, 'x'},
    {"snmp-agent-socket", required_argument, NULL, 'A'},
    {"umask", required_argument, NULL, 'u'},
    {"core-dump", no_argument, NULL, 'm'},
    {"core-dump-pattern", optional_argument, NULL, 'M'},
    {"signum", required_argument, NULL, OPT_SIGNUM},
    {"config-test", optional_argument, NULL, 't'},
    {"config-fd", required_argument, NULL, OPT_CONFIG_FD},
    {"ignore-sigint", no_argument, NULL, OPT_IGNORE_SIGINT},
    {"perf", optional_argument, NULL, OPT_DEBUG_IGNORED},
    {"debug", optional_argument, NULL, OPT_DEBUG_IGNORED},
    {"no-mem-check", no_argument, NULL, OPT_DEBUG_IGNORED},
    {"mem-check-log", no_argument, NULL, 'L'},
    {"openssl-mem-check", no_argument, NULL, OPT_DEBUG_IGNORED},
    {"version", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char short_opts[] = "f:PCBlDS:g::GXVIRndp:r:c:b:Tas:ei:xA:u:mM::t::Lvh";

static void usage(FILE *fp, const char *prog)
{
	fprintf(fp,
	        "Usage: %s [OPTION...]\n"
	        "  -f, --use-file=FILE          use FILE as the configuration\n"
	        "                               (default " KA_DEFAULT_CONF ")\n"
	        "  -P, --vrrp                   only run the VRRP subsystem\n"
	        "  -C, --check                  only run the health-checker subsystem\n"
	        "  -B, --no_bfd                 do not run the BFD subsystem\n"
	        "      --all                    start every subsystem, even without config\n"
	        "  -l, --log-console            log to the console as well\n"
	        "  -D, --log-detail             detailed log messages\n"
	        "  -S, --log-facility=[0-7]     syslog facility LOG_LOCAL[0-7]\n"
	        "  -g, --log-file=FILE          also log to FILE (per process suffix)\n"
	        "      --flush-log-file         flush the log file after each write\n"
	        "  -G, --no-syslog              do not log through syslog\n"
	        "  -X, --release-vips           remove VIPs on start even if not ours\n"
	        "  -V, --dont-release-vrrp      keep VIPs and routes on exit\n"
	        "  -I, --dont-release-ipvs      keep the IPVS table on exit\n"
	        "  -R, --dont-respawn           do not respawn dead children\n"
	        "  -n, --dont-fork              stay in the foreground\n"
	        "  -d, --dump-conf              dump the parsed configuration\n"
	        "  -p, --pid=FILE               parent pid file\n"
	        "  -r, --vrrp_pid=FILE          VRRP child pid file\n"
	        "  -c, --checkers_pid=FILE      checker child pid file\n"
	        "  -b, --bfd_pid=FILE           BFD child pid file\n"
	        "  -a, --address-monitoring     log address changes\n"
	        "  -s, --namespace=NAME         run in network namespace NAME\n"
	        "  -e, --all-config             a missing config file is an error\n"
	        "  -i, --config-id=ID           id for @ID conditional lines\n"
	        "  -x, --snmp                   enable the SNMP subagent\n"
	        "  -A, --snmp-agent-socket=FILE AgentX socket\n"
	        "  -u, --umask=MASK             umask for created files (default 0177)\n"
	        "  -m, --core-dump              enable core dumps\n"
	        "  -M, --core-dump-pattern[=P]  set the core dump pattern\n"
	        "      --signum=SIGFUNC         print the signal number of STOP, RELOAD,\n"
	        "                               DATA, STATS, STATS_CLEAR, JSON or TDUMP\n"
	        "  -t, --config-test[=LOGFILE]  check the configuration and exit\n"
	        "  -v, --version                print the version and exit\n"
	        "  -h, --help                   print this help and exit\n",
	        prog);
}

int ka_signum(const char *name)
{
	if (!strcasecmp(name, "STOP"))
		return SIGTERM;
	if (!strcasecmp(name, "RELOAD"))
		return SIGHUP;
	if (!strcasecmp(name, "DATA"))
		return SIGUSR1;
	if (!strcasecmp(name, "STATS"))
		return SIGUSR2;
	if (!strcasecmp(name, "STATS_CLEAR"))
		return SIGRTMAX - 1;
	if (!strcasecmp(name, "JSON"))
		return SIGRTMIN + 2;
	if (!strcasecmp(name, "TDUMP") || !strcasecmp(name, "TDATA"))
		return SIGRTMAX;
	return -1;
}

static int parse_umask(const char *s, mode_t *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v > 0777)
		return -1;
	*out = (mode_t)v;
	return 0;
}

static int handle_opt(int c, struct ka_options *o, const char *prog)
{
	int sig;

	switch (c) {
	case 'f':
		o->conf_file = optarg;
		break;
	case 'P':
		o->want_vrrp = true;
		break;
	case 'C':
		o->want_check = true;
		break;
	case 'B':
		break; /* there is no BFD child */
	case OPT_ALL:
		o->all_children = true;
		break;
	case 'l':
		o->log.console = true;
		break;
	case 'D':
		o->log.detail = true;
		break;
	case 'S':
		o->log.facility = log_parse_facility(optarg);
		if (o->log.facility < 0) {
			fprintf(stderr, "%s: invalid log facility '%s'\n", prog, optarg);
			return KA_EXIT_CONFIG;
		}
		break;
	case 'g':
		o->log.file = optarg ? optarg : "/tmp/keepalived.log";
		break;
	case OPT_FLUSH_LOG:
		break; /* every log line is written with one write(2) */
	case 'G':
		o->log.no_syslog = true;
		break;
	case 'X':
		o->release_vips = true;
		break;
	case 'V':
		o->dont_release_vrrp = true;
		break;
	case 'I':
		o->dont_release_ipvs = true;
		break;
	case 'R':
		o->dont_respawn = true;
		break;
	case 'n':
		o->dont_fork = true;
		break;
	case 'd':
		o->dump_conf = true;
		break;
	case 'p':
		o->pid_file = optarg;
		break;
	case 'r':
		o->vrrp_pid_file = optarg;
		break;
	case 'c':
		o->checkers_pid_file = optarg;
		break;
	case 'b':
		o->bfd_pid_file = optarg;
		break;
	case 'T':
		fprintf(stderr, "%s: -T/--genhash must be the first option\n", prog);
		return KA_EXIT_CONFIG;
	case 'a':
		o->address_monitoring = true;
		break;
	case 's':
		o->namespace_name = optarg;
		break;
	case 'e':
		o->all_config = true;
		break;
	case 'i':
		o->config_id = optarg;
		break;
	case 'x':
		o->snmp = true;
		break;
	case 'A':
		o->snmp_socket = optarg;
		break;
	case 'u':
		if (parse_umask(optarg, &o->umask_val) < 0) {
			fprintf(stderr, "%s: invalid umask '%s'\n", prog, optarg);
			return KA_EXIT_CONFIG;
		}
		o->umask_set = true;
		break;
	case 'm':
		o->core_dump = true;
		break;
	case 'M':
		o->core_dump = true;
		o->core_pattern = optarg ? optarg : "core";
		break;
	case OPT_SIGNUM:
		sig = ka_signum(optarg);
		if (sig < 0) {
			fprintf(stderr, "Unknown sigfunc %s\n", optarg);
			return 1;
		}
		printf("%d\n", sig);
		return KA_EXIT_OK;
	case 't':
		o->config_test = true;
		o->config_test_log = optarg;
		break;
	case OPT_CONFIG_FD:
		o->config_fd = atoi(optarg);
		break;
	case OPT_IGNORE_SIGINT:
		o->ignore_sigint = true;
		break;
	case OPT_DEBUG_IGNORED:
	case 'L':
		break;
	case 'v':
		printf("Keepalived-cr v%s (%s)\n\nA clean-room implementation of keepalived.\n",
		       KA_VERSION, KA_GIT);
		return KA_EXIT_OK;
	case 'h':
		usage(stdout, prog);
		return KA_EXIT_OK;
	default:
		usage(stderr, prog);
		return KA_EXIT_CONFIG;
	}
	return -1;
}

int ka_parse_cmdline(int argc, char **argv, struct ka_options *o)
{
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->conf_file = KA_DEFAULT_CONF;
	o->log.facility = LOG_DAEMON;
	o->config_fd = -1;
	o->umask_val = 0177;

	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		rc = handle_opt(c, o, argv[0]);
		if (rc >= 0)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return KA_EXIT_CONFIG;
	}
	return -1;
}
