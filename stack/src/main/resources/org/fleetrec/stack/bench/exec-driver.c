/*
 * exec-driver: the load of `./fleetrec bench capture`. Starts /bin/true at a fixed rate
 * (fork + execve), on absolute deadlines start + k/rate (clock_nanosleep TIMER_ABSTIME), so
 * the rate does not drift with the time each fork takes; a driver that falls behind starts
 * the late ones at once and the achieved rate shows it. Children are reaped as they end.
 *
 * usage: exec-driver RATE MAX_SECONDS
 * stdout: "READY <mono_ns>" once started;
 *         "MARK <started> <fork_failed> <exec_failed> <mono_ns> <max_late_ns>" for each "mark" line on stdin;
 *         "DONE <started> <fork_failed> <exec_failed> <elapsed_ns> <max_late_ns> <max_outstanding>" at the end.
 * It stops on a "stop" line, on end of stdin, on SIGTERM, after MAX_SECONDS, or when its parent dies
 * (PR_SET_PDEATHSIG), and always reaps every child before it exits. It ignores SIGINT: a Ctrl-C is for
 * the bench, which then stops it and reads its last counts.
 * mono_ns is CLOCK_MONOTONIC, the clock of Java's System.nanoTime() on Linux.
 *
 * Built by the bench with the machine's gcc: gcc -O2 -o exec-driver exec-driver.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUTSTANDING 4096

static volatile sig_atomic_t stop_requested;
static long long started, fork_failed, exec_failed, outstanding, max_outstanding;

static void on_signal(int sig) {
    (void) sig;
    stop_requested = 1;
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void reaped(int status) {
    outstanding--;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) exec_failed++;
}

static void reap(int block) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, block ? 0 : WNOHANG)) > 0) {
        reaped(status);
        if (block) return;
    }
}

/* Reads whatever stdin has without blocking; returns 1 on "stop" or end of input. */
static int commands(char *buf, size_t *len, size_t cap, int64_t max_late) {
    struct pollfd p = {.fd = 0, .events = POLLIN};
    while (poll(&p, 1, 0) > 0) {
        if (p.revents & (POLLERR | POLLNVAL)) return 1;
        ssize_t n = read(0, buf + *len, cap - *len - 1);
        if (n <= 0) return 1; /* EOF (POLLHUP) or error: whoever drives us is gone */
        *len += (size_t) n;
        buf[*len] = '\0';
        char *line;
        while ((line = memchr(buf, '\n', *len)) != NULL) {
            *line = '\0';
            if (strcmp(buf, "stop") == 0) return 1;
            if (strcmp(buf, "mark") == 0) {
                printf("MARK %lld %lld %lld %lld %lld\n", started, fork_failed, exec_failed,
                       (long long) now_ns(), (long long) max_late);
                fflush(stdout);
            }
            size_t used = (size_t) (line - buf) + 1;
            memmove(buf, line + 1, *len - used);
            *len -= used;
        }
        if (*len >= cap - 1) *len = 0; /* a line that long is not a command */
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s RATE MAX_SECONDS\n", argv[0]);
        return 2;
    }
    double rate = atof(argv[1]);
    double max_seconds = atof(argv[2]);
    if (rate <= 0 || rate > 1e6 || max_seconds <= 0) {
        fprintf(stderr, "exec-driver: bad rate or duration\n");
        return 2;
    }
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) return 1; /* the parent died before prctl */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);

    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        perror("exec-driver: /dev/null");
        return 1;
    }
    char *const child_argv[] = {"/bin/true", NULL};
    char *const child_env[] = {NULL};
    char cmd[256];
    size_t cmd_len = 0;

    const int64_t start = now_ns();
    const int64_t end = start + (int64_t) (max_seconds * 1e9);
    int64_t max_late = 0;
    printf("READY %lld\n", (long long) start);
    fflush(stdout);

    for (long long k = 0; !stop_requested; k++) {
        int64_t deadline = start + (int64_t) ((double) k * 1e9 / rate);
        if (deadline >= end) break;
        struct timespec ts = {.tv_sec = deadline / 1000000000LL, .tv_nsec = deadline % 1000000000LL};
        int rc;
        while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR && !stop_requested) {
        }
        if (stop_requested) break;
        int64_t late = now_ns() - deadline;
        if (late > max_late) max_late = late;

        pid_t pid = fork();
        if (pid == 0) {
            signal(SIGINT, SIG_DFL); /* an ignored signal would stay ignored across execve */
            dup2(devnull, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execve(child_argv[0], child_argv, child_env);
            _exit(127);
        }
        if (pid < 0) {
            fork_failed++;
        } else {
            started++;
            if (++outstanding > max_outstanding) max_outstanding = outstanding;
        }
        reap(0);
        while (outstanding >= MAX_OUTSTANDING) reap(1);
        if (commands(cmd, &cmd_len, sizeof cmd, max_late)) break;
    }
    while (outstanding > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid > 0) {
            reaped(status);
        } else if (errno == ECHILD) {
            break;
        }
    }
    printf("DONE %lld %lld %lld %lld %lld %lld\n", started, fork_failed, exec_failed,
           (long long) (now_ns() - start), (long long) max_late, max_outstanding);
    fflush(stdout);
    return 0;
}
