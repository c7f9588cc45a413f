/*
 * nfq-delay: link impairment for test namespaces whose kernel has no sch_netem.
 *
 *   nfq-delay --queue N --delay-ms D [--jitter-ms J] [--loss-percent P] [--seed S]
 *
 * Binds NFQUEUE N (fed by an iptables NFQUEUE rule), drops each packet with probability P and
 * accepts the others D (+- J, uniform) ms after they arrived. Held packets wait in a heap ordered
 * by (due time, arrival), driven by one timerfd, so packets keep their order when J is 0. Prints
 * "ready" once bound; on SIGTERM/SIGINT accepts whatever it still holds and exits 0.
 * Built and driven by test/helpers/nfq-delay.ts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_NO_ENOBUFS
#define NETLINK_NO_ENOBUFS 5
#endif

/* The kernel never has more than this many packets waiting for a verdict (with FAIL_OPEN it
 * accepts the excess unimpaired), so the heap never needs more room. */
#define QUEUE_MAXLEN 8192
#define RCVBUF_BYTES (16 * 1024 * 1024)

struct held {
	uint64_t due_ns;
	uint64_t seq;
	uint32_t id;
};

static struct held heap[QUEUE_MAXLEN];
static size_t held_count;
static uint64_t arrivals;
static uint64_t rng_state;
static double loss_fraction, delay_ns, jitter_ns;
static struct nfq_q_handle *queue;

static void die(const char *what)
{
	fprintf(stderr, "nfq-delay: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: tiny, and the same sequence for a given --seed on every libc. */
static double random_unit(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static int earlier(const struct held *a, const struct held *b)
{
	return a->due_ns != b->due_ns ? a->due_ns < b->due_ns : a->seq < b->seq;
}

static void swap_held(size_t i, size_t j)
{
	struct held tmp = heap[i];
	heap[i] = heap[j];
	heap[j] = tmp;
}

static void push(struct held item)
{
	size_t i = held_count++;
	heap[i] = item;
	while (i > 0 && earlier(&heap[i], &heap[(i - 1) / 2])) {
		swap_held(i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static struct held pop(void)
{
	struct held top = heap[0];
	size_t i = 0;
	heap[0] = heap[--held_count];
	for (;;) {
		size_t child = 2 * i + 1, best = i;
		if (child < held_count && earlier(&heap[child], &heap[best]))
			best = child;
		if (child + 1 < held_count && earlier(&heap[child + 1], &heap[best]))
			best = child + 1;
		if (best == i)
			return top;
		swap_held(i, best);
		i = best;
	}
}

static void verdict(uint32_t id, uint32_t what)
{
	if (nfq_set_verdict(queue, id, what, 0, NULL) < 0)
		fprintf(stderr, "nfq-delay: verdict for packet %" PRIu32 ": %s\n", id, strerror(errno));
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
	(void)qh, (void)msg, (void)data;
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	if (ph == NULL)
		return 0;
	uint32_t id = ntohl(ph->packet_id);
	if (loss_fraction > 0 && random_unit() < loss_fraction) {
		verdict(id, NF_DROP);
		return 0;
	}
	double wait = delay_ns + (jitter_ns > 0 ? (2 * random_unit() - 1) * jitter_ns : 0);
	if (wait <= 0 || held_count == QUEUE_MAXLEN) {
		verdict(id, NF_ACCEPT);
		return 0;
	}
	push((struct held){ now_ns() + (uint64_t)wait, arrivals++, id });
	return 0;
}

static void release_due(int timer)
{
	uint64_t now = now_ns();
	while (held_count > 0 && heap[0].due_ns <= now)
		verdict(pop().id, NF_ACCEPT);
	struct itimerspec when = { 0 };
	if (held_count > 0) {
		when.it_value.tv_sec = (time_t)(heap[0].due_ns / 1000000000u);
		when.it_value.tv_nsec = (long)(heap[0].due_ns % 1000000000u);
	}
	if (timerfd_settime(timer, TFD_TIMER_ABSTIME, &when, NULL) < 0)
		die("timerfd_settime");
}

static double number_arg(const char *name, const char *text, double max)
{
	char *end;
	double value = strtod(text, &end);
	if (*text == '\0' || *end != '\0' || !(value >= 0 && value <= max)) {
		fprintf(stderr, "nfq-delay: --%s must be a number in 0..%g, got '%s'\n", name, max, text);
		exit(2);
	}
	return value;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "queue", required_argument, NULL, 'q' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "jitter-ms", required_argument, NULL, 'j' },
		{ "loss-percent", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	double queue_num = -1;
	rng_state = now_ns() ^ ((uint64_t)getpid() << 32);
	for (int opt; (opt = getopt_long(argc, argv, "", options, NULL)) != -1;) {
		switch (opt) {
		case 'q': queue_num = number_arg("queue", optarg, 65535); break;
		case 'd': delay_ns = number_arg("delay-ms", optarg, 3600e3) * 1e6; break;
		case 'j': jitter_ns = number_arg("jitter-ms", optarg, 3600e3) * 1e6; break;
		case 'l': loss_fraction = number_arg("loss-percent", optarg, 100) / 100; break;
		case 's': rng_state = strtoull(optarg, NULL, 0); break;
		default: queue_num = -2; break;
		}
	}
	if (queue_num < 0 || optind != argc || queue_num != (unsigned)queue_num) {
		fprintf(stderr, "usage: nfq-delay --queue N --delay-ms D [--jitter-ms J] "
				"[--loss-percent P] [--seed S]\n");
		return 2;
	}

	sigset_t stop_signals;
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	if (sigprocmask(SIG_BLOCK, &stop_signals, NULL) < 0)
		die("sigprocmask");
	int sig = signalfd(-1, &stop_signals, SFD_CLOEXEC);
	int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (sig < 0 || timer < 0)
		die("signalfd/timerfd_create");

	struct nfq_handle *handle = nfq_open();
	if (handle == NULL)
		die("nfq_open");
	queue = nfq_create_queue(handle, (uint16_t)queue_num, on_packet, NULL);
	if (queue == NULL)
		die("nfq_create_queue (is another process bound to this queue?)");
	/* Verdicts need only the packet id; FAIL_OPEN makes an overflowing queue pass packets
	 * instead of dropping them, so the emulator never adds loss of its own. */
	if (nfq_set_mode(queue, NFQNL_COPY_META, 0) < 0 ||
	    nfq_set_queue_maxlen(queue, QUEUE_MAXLEN) < 0 ||
	    nfq_set_queue_flags(queue, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN) < 0)
		die("configuring the queue");
	int fd = nfq_fd(handle);
	int rcvbuf = RCVBUF_BYTES, on = 1;
	/* SO_RCVBUFFORCE (root) goes past rmem_max; NO_ENOBUFS because a full socket is already
	 * handled by FAIL_OPEN in the kernel and there is nothing for us to resynchronise. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
		die("SO_RCVBUF");
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &on, sizeof on);

	printf("ready\n");
	fflush(stdout);

	static char buf[65536] __attribute__((aligned));
	struct pollfd fds[3] = { { fd, POLLIN, 0 }, { timer, POLLIN, 0 }, { sig, POLLIN, 0 } };
	while (!(fds[2].revents & POLLIN)) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (fds[0].revents & (POLLIN | POLLERR)) {
			ssize_t n;
			while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
				nfq_handle_packet(handle, buf, (int)n);
			if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ENOBUFS)
				die("recv");
		}
		if (fds[1].revents & POLLIN) {
			uint64_t expirations;
			if (read(timer, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
				die("read timerfd");
		}
		release_due(timer);
	}

	while (held_count > 0)
		verdict(pop().id, NF_ACCEPT);
	nfq_destroy_queue(queue);
	nfq_close(handle);
	return 0;
}
