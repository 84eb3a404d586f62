/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "execute.h"
#include "exit-status.h"
#include "learn-record.h"
#include "service.h"
#include "syscall-table.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

extern char **environ;

/* Signals the supervisor takes: SIGCHLD for the tree, the rest to forward or to stop on. */
static const int handled_signals[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

/* Shared between the supervisor and a command's process until it has its filter. */
enum {
        HANDOFF_WAITING,
        HANDOFF_READY,                  /* the child has its filter (or failed) */
        HANDOFF_TAKEN,                  /* the supervisor has the listener */
};

typedef struct Handoff {
        uint32_t state;                 /* futex word */
        int fd;                         /* the listener, in the command's fd table */
        int error;                      /* or why there is none */
        bool not_started;               /* setting the command up or execve() failed */
} Handoff;

typedef struct Listener {
        int fd;                         /* -1 once every process using the filter is gone */
        pid_t pid;                      /* the command's process */
        bool setup;                     /* it has not called execve() yet: its calls are megafilter's */
} Listener;

typedef struct Supervisor {
        const LearnRun *run;
        Observation *obs;
        Handoff *handoff;
        const BpfProgram *filter;
        pid_t supervisor;
        Listener *listeners;
        size_t n_listeners;
        struct pollfd *pfd;             /* room for the signalfd and every listener */
        size_t *pfd_listener;           /* pfd[k + 1] is listeners[pfd_listener[k]] */
        int sigfd;
        void *req, *resp;               /* buffers of the kernel's sizes */
        size_t req_size, resp_size;

        pid_t main_pid;                 /* the running command's process; 0 when it has ended */
        int main_status;                /* its wait status */
        bool main_ended;

        double start;
        bool interrupted;
        int stop_stage;                 /* 0 running, 1 waiting for the main process after a forwarded
                                         * signal, 2 SIGTERM sent to the tree, 3 SIGKILL sent */
        double stop_deadline;
} Supervisor;

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the command's side ---- */

static int child_begin(const ExecContext *c, void *userdata) {
        Supervisor *s = userdata;
        struct sock_fprog prog = { .len = (unsigned short) s->filter->n, .filter = s->filter->insns };
        unsigned flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        long fd;

        /* Without CAP_SYS_ADMIN a filter needs no_new_privs; as root (the usual case, and the only
         * one that can switch users) watching adds none. */
        fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (fd < 0 && errno == EINVAL) {
                /* Before Linux 5.19: a signal may interrupt a watched call, as it may any call. */
                flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
                fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        }
        if (fd < 0 && errno == EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
                fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);

        /* Plain stores, then futex calls (in @default: not watched, unless the unit denies them,
         * and then the supervisor finds the fd on its next look and answers them). */
        s->handoff->fd = fd < 0 ? -1 : (int) fd;
        s->handoff->error = fd < 0 ? errno : 0;
        __atomic_store_n(&s->handoff->state, HANDOFF_READY, __ATOMIC_RELEASE);
        (void) syscall(SYS_futex, &s->handoff->state, FUTEX_WAKE, 1, NULL, NULL, 0);
        if (fd < 0) {
                fprintf(stderr, "megafilter: Failed to install the learning filter: %s\n", strerror(s->handoff->error));
                return EXIT_SECCOMP;
        }
        /* The listener lives as long as an fd refers to it, and ours closes at execve(): wait
         * until the supervisor has its own. */
        while (__atomic_load_n(&s->handoff->state, __ATOMIC_ACQUIRE) != HANDOFF_TAKEN) {
                struct timespec ts = { 0, 10 * 1000 * 1000 };

                (void) syscall(SYS_futex, &s->handoff->state, FUTEX_WAIT, HANDOFF_READY, &ts, NULL, 0);
                if (getppid() != s->supervisor) {
                        fprintf(stderr, "megafilter: The supervisor is gone.\n");
                        return EXIT_SECCOMP;
                }
        }
        return 0;
}

/* In place of the unit's filters: its no_new_privs and PR_SET_MDWE, nothing else. */
static int child_install(const ExecContext *c, void *userdata) {
        Supervisor *s = userdata;
        Sandbox rest = *s->run->sandbox;
        Diag diag = {};
        int r;

        rest.progs = NULL;
        rest.n_progs = 0;
        r = sandbox_install(&rest, 0, &diag);
        if (r < 0) {
                if (diag.n_errors == 0)
                        fprintf(stderr, "megafilter: Failed to install the sandbox: %s\n", strerror(-r));
                return EXIT_SECCOMP;
        }
        return 0;
}

/* ---- reading the caller ---- */

static bool read_memory(pid_t pid, uint64_t addr, void *buf, size_t size) {
        struct iovec local = { buf, size }, remote = { (void *) (uintptr_t) addr, size };

        return addr != 0 && process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t) size;
}

/* A NUL-terminated string, a page at a time (the next page may not be mapped). */
static char *read_string(pid_t pid, uint64_t addr) {
        const size_t page = 4096;
        _cleanup_free_ char *buf = malloc(PATH_MAX);
        size_t n = 0;

        if (!buf || addr == 0)
                return NULL;
        while (n < PATH_MAX - 1) {
                size_t chunk = MIN(page - (addr + n) % page, PATH_MAX - 1 - n);
                struct iovec local = { buf + n, chunk }, remote = { (void *) (uintptr_t) (addr + n), chunk };
                ssize_t k = process_vm_readv(pid, &local, 1, &remote, 1, 0);

                if (k <= 0)
                        return NULL;
                if (memchr(buf + n, 0, k))
                        return TAKE_PTR(buf);
                n += k;
        }
        return NULL;
}

/* The path a call names, made absolute with the caller's working directory or directory fd. */
static char *read_path(pid_t pid, const uint64_t *args, const LearnNeeds *n) {
        _cleanup_free_ char *path = read_string(pid, args[n->path_arg]);
        char link[64], base[PATH_MAX];
        int dirfd = n->dirfd_arg >= 0 ? (int) args[n->dirfd_arg] : AT_FDCWD;
        ssize_t k;
        char *abs;

        if (!path || path[0] == '/' || path[0] == 0)
                return TAKE_PTR(path);
        if (dirfd == AT_FDCWD)
                snprintf(link, sizeof link, "/proc/%d/cwd", (int) pid);
        else
                snprintf(link, sizeof link, "/proc/%d/fd/%d", (int) pid, dirfd);
        k = readlink(link, base, sizeof base - 1);
        if (k <= 0 || base[0] != '/')
                return TAKE_PTR(path);
        base[k] = 0;
        if (asprintf(&abs, "%s%s%s", base, streq(base, "/") ? "" : "/", path) < 0)
                return NULL;
        return abs;
}

static void read_needs(pid_t pid, LearnCall *c, char **ret_path) {
        LearnNeeds n = learn_call_needs(c->abi, c->nr);

        *ret_path = NULL;
        c->mem_family = -1;
        if (n.need & LEARN_NEED_PATH)
                c->path = *ret_path = read_path(pid, c->args, &n);
        if (n.need & LEARN_NEED_CLONE3) {
                uint64_t flags;

                if (c->args[1] >= sizeof flags && read_memory(pid, c->args[0], &flags, sizeof flags)) {
                        c->mem_flags = flags;
                        c->have_flags = true;
                }
        }
        if (n.need & LEARN_NEED_OPEN_HOW) {
                uint64_t how[2];        /* struct open_how: flags, mode, resolve */

                if (c->args[3] >= sizeof how && read_memory(pid, c->args[2], how, sizeof how)) {
                        c->mem_flags = how[0];
                        c->mem_mode = how[1];
                        c->have_flags = true;
                }
        }
        if ((n.need & LEARN_NEED_SOCKETCALL) && (c->args[0] & UINT32_MAX) == 1) {
                /* socketcall(SYS_SOCKET, args): the family is the first word, of the ABI's width. */
                uint32_t w32;
                uint64_t w64;

                if (abi_info[c->abi].arg_bits == 32 ? read_memory(pid, c->args[1], &w32, sizeof w32)
                                                     : read_memory(pid, c->args[1], &w64, sizeof w64))
                        c->mem_family = abi_info[c->abi].arg_bits == 32 ? (int) w32 : (int) (w64 & INT32_MAX);
        }
}

/* ---- answering ---- */

static bool status_field(pid_t tid, const char *key, uint64_t *ret, bool hex) {
        char path[64], line[256];
        size_t n = strlen(key);
        _cleanup_fclose_ FILE *f = NULL;

        snprintf(path, sizeof path, "/proc/%d/status", (int) tid);
        f = fopen(path, "re");
        while (f && fgets(line, sizeof line, f))
                if (strneq(line, key, n) && line[n] == ':') {
                        *ret = strtoull(line + n + 1, NULL, hex ? 16 : 10);
                        return true;
                }
        return false;
}

/* What the kernel does for SECCOMP_RET_KILL_PROCESS: SIGSYS, with a core dump, and no handler or
 * mask can stop it. The supervisor sends SIGSYS to the calling thread when nothing would catch
 * it, and SIGKILL otherwise (the one difference: a parent sees SIGKILL). */
static void kill_caller(Supervisor *s, int fd, const struct seccomp_notif *req) {
        const uint64_t bit = UINT64_C(1) << (SIGSYS - 1);
        uint64_t tgid = 0, blocked = 0, ignored = 0, caught = 0;
        pid_t tid = (pid_t) req->pid;

        if (!status_field(tid, "Tgid", &tgid, false) ||
            !status_field(tid, "SigBlk", &blocked, true) || !status_field(tid, "SigIgn", &ignored, true) ||
            !status_field(tid, "SigCgt", &caught, true))
                tgid = 0;
        /* Still the same caller (not a reused id), now that /proc was read. */
        if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0)
                return;
        if (tgid > 0 && !((blocked | ignored | caught) & bit) &&
            syscall(SYS_tgkill, (pid_t) tgid, tid, SIGSYS) == 0)
                return;
        s->obs->run.sigkill_kills++;
        (void) kill(tgid > 0 ? (pid_t) tgid : tid, SIGKILL);
}

static bool is_exec(Abi abi, uint32_t nr) {
        int id = abi >= 0 ? syscall_from_nr(abi, nr) : -1;
        const char *name = syscall_name(id);

        return name && (streq(name, "execve") || streq(name, "execveat"));
}

static int serve(Supervisor *s, Listener *l) {
        struct seccomp_notif *req = s->req;
        struct seccomp_notif_resp *resp = s->resp;
        const Policy *answer = s->run->answer;
        _cleanup_free_ char *path = NULL;
        const ArgRule *rule = NULL;
        const Decision *d;
        uint32_t action, a;
        Abi abi;
        int r;

        memset(req, 0, s->req_size);
        if (ioctl(l->fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
                /* Interrupted, or the caller died or was interrupted before we read it. */
                return errno == EINTR || errno == ENOENT ? 0 : -errno;
        s->obs->run.notifications++;
        memset(resp, 0, s->resp_size);
        resp->id = req->id;

        abi = policy_abi_of(answer, req->data.arch, (uint32_t) req->data.nr);
        if (l->setup && (pid_t) req->pid == l->pid) {
                if (!is_exec(abi, (uint32_t) req->data.nr)) {
                        /* megafilter's own setup: unfiltered under megafilter run too. */
                        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
                        goto send;
                }
                l->setup = false;
        }

        if (abi < 0) {
                action = SECCOMP_RET_KILL_PROCESS;
                d = NULL;
        } else {
                d = policy_decision(answer, abi, (uint32_t) req->data.nr);
                action = decision_evaluate(d, (const uint64_t *) req->data.args, abi_info[abi].arg_bits, &rule);
        }

        if (abi >= 0) {
                uint32_t ref = s->run->reference == answer ? action : policy_evaluate(s->run->reference, &req->data);
                uint32_t ra = ref & SECCOMP_RET_ACTION_FULL;
                LearnCall c = {
                        .abi = abi,
                        .nr = (uint32_t) req->data.nr,
                        .action = action,
                        .layer = rule ? rule->layer : d->layer,
                        .loc = rule ? rule->loc : d->loc,
                        .needed = ra == SECCOMP_RET_ALLOW || ra == SECCOMP_RET_LOG || ra == SECCOMP_RET_TRACE,
                        .reference_action = ref,
                };

                /* ENOSYS where callers fall back as on an older kernel: for clone3() and openat2()
                 * (their flags are in memory, out of a filter's reach) and for numbers no table
                 * names (no call behind them on this kernel either). */
                c.fallback = action == (SECCOMP_RET_ERRNO | ENOSYS) &&
                        (syscall_from_nr(abi, c.nr) < 0 ||
                         c.layer == LAYER_RESTRICT_NAMESPACES || c.layer == LAYER_RESTRICT_SUID_SGID);
                memcpy(c.args, req->data.args, sizeof c.args);
                read_needs((pid_t) req->pid, &c, &path);
                r = observation_add(s->obs, &c);
                if (r < 0)
                        return r;
        }

        a = action & SECCOMP_RET_ACTION_FULL;
        if (a == SECCOMP_RET_ERRNO)
                resp->error = -(int32_t) (action & SECCOMP_RET_DATA);
        else if (a == SECCOMP_RET_KILL_PROCESS || a == SECCOMP_RET_KILL_THREAD || a == SECCOMP_RET_TRAP) {
                kill_caller(s, l->fd, req);
                resp->error = -ENOSYS;  /* never seen: the signal is delivered first */
        } else
                resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;

send:
        if (ioctl(l->fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* ---- the process tree ---- */

/* Every live process below us (we are a subreaper: the whole tree stays below us). Returns how
 * many were found (and signalled, when sig is not 0). */
static unsigned tree_signal(int sig) {
        _cleanup_free_ pid_t *pids = NULL, *parents = NULL;
        size_t n = 0, allocated = 0, allocated2 = 0;
        pid_t self = getpid();
        unsigned found = 0;
        DIR *dir = opendir("/proc");
        struct dirent *de;

        if (!dir)
                return 0;
        while ((de = readdir(dir))) {
                char path[64], buf[512], state, *p;
                int pid = atoi(de->d_name), ppid;
                ssize_t k;
                int fd;

                if (pid <= 0)
                        continue;
                snprintf(path, sizeof path, "/proc/%d/stat", pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                k = read(fd, buf, sizeof buf - 1);
                close(fd);
                if (k <= 0)
                        continue;
                buf[k] = 0;
                p = strrchr(buf, ')');  /* the command name may hold anything */
                if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2 || state == 'Z' || state == 'X')
                        continue;
                if (!GREEDY_REALLOC(pids, allocated, n + 1) || !GREEDY_REALLOC(parents, allocated2, n + 1))
                        break;
                pids[n] = pid;
                parents[n++] = ppid;
        }
        closedir(dir);

        for (size_t i = 0; i < n; i++) {
                pid_t p = parents[i];

                /* Up the chain of parents (at most n steps) until we or the root. */
                for (size_t steps = 0; p > 1 && p != self && steps < n; steps++) {
                        size_t j;

                        for (j = 0; j < n && pids[j] != p; j++)
                                ;
                        p = j < n ? parents[j] : 0;
                }
                if (p == self && pids[i] != self) {
                        found++;
                        if (sig != 0)
                                (void) kill(pids[i], sig);
                }
        }
        return found;
}

static void reap(Supervisor *s) {
        int status;
        pid_t pid;

        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                if (pid == s->main_pid) {
                        s->main_status = status;
                        s->main_ended = true;
                        s->main_pid = 0;
                }
}

static void start_stopping(Supervisor *s, bool gracefully) {
        if (s->stop_stage >= 2)
                return;
        if (gracefully && s->stop_stage == 0) {
                /* The main process got the signal: give it the stop timeout to end by itself. */
                s->stop_stage = 1;
                s->stop_deadline = now() + s->run->stop_timeout;
                return;
        }
        (void) tree_signal(SIGTERM);
        s->stop_stage = 2;
        s->stop_deadline = now() + s->run->stop_timeout;
}

static void handle_signal(Supervisor *s, const struct signalfd_siginfo *si) {
        int sig = (int) si->ssi_signo;
        /* Sent to us alone by kill(), not by the terminal to the whole process group (the
         * service has it already). */
        bool forward = si->ssi_code != SI_KERNEL;

        if (sig == SIGCHLD) {
                reap(s);
                return;
        }
        if (forward && s->main_pid > 0)
                (void) kill(s->main_pid, sig);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
                if (s->interrupted && s->stop_stage > 0) {
                        /* Asked twice: now. */
                        (void) tree_signal(SIGKILL);
                        s->stop_stage = 3;
                        return;
                }
                s->interrupted = true;
                start_stopping(s, true);
        }
}

static void close_listener(Listener *l) {
        if (l->fd >= 0)
                close(l->fd);
        l->fd = -1;
}

static bool listeners_open(const Supervisor *s) {
        for (size_t i = 0; i < s->n_listeners; i++)
                if (s->listeners[i].fd >= 0)
                        return true;
        return false;
}

/* One round of the event loop: serve the listeners, take signals, move the stop along. */
static int loop_once(Supervisor *s) {
        struct pollfd *pfd = s->pfd;
        size_t *idx = s->pfd_listener, n = 1;
        double deadline = 0, t = now();
        int timeout = -1, r;

        if (s->stop_stage > 0)
                deadline = s->stop_deadline;
        else if (s->run->duration > 0)
                deadline = s->start + s->run->duration;
        if (deadline > 0)
                timeout = deadline <= t ? 0 : (int) ((deadline - t) * 1000) + 1;
        /* Nothing watched is left: look at the tree now and then (an unwatched process's end
         * need not reach us). */
        if (!listeners_open(s) && (timeout < 0 || timeout > 1000))
                timeout = 1000;

        pfd[0] = (struct pollfd) { .fd = s->sigfd, .events = POLLIN };
        for (size_t i = 0; i < s->n_listeners; i++)
                if (s->listeners[i].fd >= 0) {
                        idx[n - 1] = i;
                        pfd[n++] = (struct pollfd) { .fd = s->listeners[i].fd, .events = POLLIN };
                }

        r = poll(pfd, n, timeout);
        if (r < 0 && errno != EINTR)
                return -errno;

        for (size_t k = 1; r > 0 && k < n; k++) {
                Listener *l = &s->listeners[idx[k - 1]];

                if (pfd[k].revents & POLLIN) {
                        int q = serve(s, l);
                        if (q < 0)
                                return q;
                } else if (pfd[k].revents & (POLLHUP | POLLERR | POLLNVAL))
                        close_listener(l);      /* no process uses the filter any more */
        }
        if (pfd[0].revents & POLLIN) {
                struct signalfd_siginfo si;

                while (read(s->sigfd, &si, sizeof si) == sizeof si)
                        handle_signal(s, &si);
        }

        t = now();
        if (s->stop_stage == 0 && s->run->duration > 0 && t >= s->start + s->run->duration) {
                s->obs->run.stopped = true;
                start_stopping(s, false);
        } else if (s->stop_stage > 0 && t >= s->stop_deadline) {
                if (s->stop_stage == 1)
                        start_stopping(s, false);
                else if (s->stop_stage == 2) {
                        (void) tree_signal(SIGKILL);
                        s->stop_stage = 3;
                        s->stop_deadline = t + 3600;
                }
        }
        return 0;
}

/* Start one command in a child; wait until it has its filter. Returns its pid, or a negative
 * errno (after printing why). */
static pid_t start_command(Supervisor *s, const ExecContext *c, const ExecCommand *cmd, const sigset_t *oldmask,
                           Listener *ret) {
        bool watched = !(cmd->flags & EXEC_COMMAND_FULLY_PRIVILEGED);
        int pidfd, r;
        pid_t pid;

        *s->handoff = (Handoff) { .fd = -1 };
        *ret = (Listener) { .fd = -1 };
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* The supervisor takes its signals with a signalfd, so their dispositions are still
                 * the ones we were given (SIG_IGN for SIGINT in a shell's background job): only
                 * the mask is ours. */
                (void) sigprocmask(SIG_SETMASK, oldmask, NULL);
                (void) prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
                if (s->run->stdout_fd >= 0 && dup2(s->run->stdout_fd, STDOUT_FILENO) < 0)
                        _exit(EXIT_STDOUT);
                r = exec_command_spawn_here(c, cmd);
                /* Only returns when the command did not start. */
                s->handoff->not_started = true;
                _exit(r);
        }
        s->main_pid = pid;
        s->main_ended = false;
        if (!watched)
                return pid;

        /* The listener, from the child's fd table once it says where. */
        while (!__atomic_load_n(&s->handoff->state, __ATOMIC_ACQUIRE)) {
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                int status;

                (void) syscall(SYS_futex, &s->handoff->state, FUTEX_WAIT, 0, &ts, NULL, 0);
                if (!__atomic_load_n(&s->handoff->state, __ATOMIC_ACQUIRE) &&
                    waitpid(pid, &status, WNOHANG) == pid) {
                        s->main_status = status;
                        s->main_ended = true;
                        s->main_pid = 0;
                        return pid;
                }
        }
        if (s->handoff->fd < 0)
                return pid;             /* the child reports it and exits */
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd >= 0) {
                ret->fd = (int) syscall(SYS_pidfd_getfd, pidfd, s->handoff->fd, 0);
                close(pidfd);
        }
        if (ret->fd < 0) {
                int e = errno;

                (void) kill(pid, SIGKILL);
                fprintf(stderr, "megafilter: Failed to take the learning filter's listener from process %d: %s\n",
                        (int) pid, strerror(e));
                return -e;
        }
        (void) fcntl(ret->fd, F_SETFD, FD_CLOEXEC);
        __atomic_store_n(&s->handoff->state, HANDOFF_TAKEN, __ATOMIC_RELEASE);
        (void) syscall(SYS_futex, &s->handoff->state, FUTEX_WAKE, 1, NULL, NULL, 0);
        ret->pid = pid;
        ret->setup = true;
        return pid;
}

static int add_listener(Supervisor *s, const Listener *l) {
        Listener *n;
        struct pollfd *p;
        size_t *k;

        if (l->fd < 0)
                return 0;
        n = reallocarray(s->listeners, s->n_listeners + 1, sizeof(Listener));
        if (!n)
                return -ENOMEM;
        s->listeners = n;
        p = reallocarray(s->pfd, s->n_listeners + 2, sizeof(struct pollfd));
        if (!p)
                return -ENOMEM;
        s->pfd = p;
        k = reallocarray(s->pfd_listener, s->n_listeners + 1, sizeof(size_t));
        if (!k)
                return -ENOMEM;
        s->pfd_listener = k;
        s->listeners[s->n_listeners++] = *l;
        return 0;
}

/* Run one command until its process ends. Returns 0, or a negative errno. */
static int run_command(Supervisor *s, const ExecContext *c, const ExecCommand *cmd, const sigset_t *oldmask,
                       bool *ret_started) {
        Listener l;
        pid_t pid;
        int r;

        pid = start_command(s, c, cmd, oldmask, &l);
        if (pid < 0)
                return pid;
        r = add_listener(s, &l);
        if (r < 0)
                return r;
        while (!s->main_ended) {
                r = loop_once(s);
                if (r < 0)
                        return r;
        }
        *ret_started = !s->handoff->not_started && s->handoff->error == 0;
        return 0;
}

static int supervisor_init(Supervisor *s, const sigset_t *mask) {
        struct seccomp_notif_sizes sizes = {};

        s->sigfd = signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (s->sigfd < 0)
                return -errno;
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                return -errno;
        s->req_size = MAX((size_t) sizes.seccomp_notif, sizeof(struct seccomp_notif));
        s->resp_size = MAX((size_t) sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp));
        s->req = calloc(1, s->req_size);
        s->resp = calloc(1, s->resp_size);
        s->pfd = calloc(1, sizeof(struct pollfd));     /* the signalfd's, before any listener */
        s->handoff = mmap(NULL, sizeof(Handoff), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (s->handoff == MAP_FAILED)
                s->handoff = NULL;
        if (!s->req || !s->resp || !s->handoff || !s->pfd)
                return -ENOMEM;
        return 0;
}

static void supervisor_done(Supervisor *s) {
        for (size_t i = 0; i < s->n_listeners; i++)
                close_listener(&s->listeners[i]);
        free(s->listeners);
        free(s->pfd);
        free(s->pfd_listener);
        if (s->sigfd >= 0)
                close(s->sigfd);
        free(s->req);
        free(s->resp);
        if (s->handoff)
                munmap(s->handoff, sizeof(Handoff));
}

int learn_record(const LearnRun *run, Observation *obs) {
        const Directives *d = run->directives;
        Supervisor s = { .run = run, .obs = obs, .filter = run->filter, .supervisor = getpid(), .sigfd = -1 };
        ExecHooks hooks = { child_begin, child_install, &s };
        sigset_t mask, oldmask;
        int was_subreaper = 0, status = 0, r;
        bool first_started = true;
        ExecContext c;

        if (service_check(d, "the unit") < 0)
                return EXIT_FAILURE;
        r = exec_context_prepare(&c, d, NULL, environ);     /* the hooks install */
        if (r != 0)
                return r;
        c.hooks = &hooks;

        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(handled_signals); i++)
                sigaddset(&mask, handled_signals[i]);
        (void) sigprocmask(SIG_BLOCK, &mask, &oldmask);
        (void) prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper, 0, 0, 0);
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

        r = supervisor_init(&s, &mask);
        if (r < 0) {
                fprintf(stderr, "megafilter: Failed to set up the supervisor: %s\n", strerror(-r));
                goto finish;
        }

        s.start = now();
        for (size_t i = 0; i < d->n_exec_start; i++) {
                const ExecCommand *cmd = &d->exec_start[i];
                bool started = false;

                r = run_command(&s, &c, cmd, &oldmask, &started);
                if (r < 0) {
                        fprintf(stderr, "megafilter: Watching %s failed: %s\n", cmd->path, strerror(-r));
                        break;
                }
                status = service_exit_status(s.main_status);
                if (i == 0)
                        first_started = started;
                if (!started || s.interrupted || s.stop_stage > 0)
                        break;
                if (status != 0 && !(cmd->flags & EXEC_COMMAND_IGNORE_FAILURE))
                        break;
                if (i + 1 < d->n_exec_start)
                        status = 0;
        }

        /* What the main process left behind is stopped, as systemd stops a service
         * (KillMode=control-group), except for Type=forking, whose main process is the one it
         * forked; what is still watched runs until it ends. */
        if (r >= 0) {
                unsigned left = tree_signal(0);

                if (left > 0 && d->type != SERVICE_FORKING && s.stop_stage == 0) {
                        obs->run.leftovers = left;
                        start_stopping(&s, false);
                }
                while (r >= 0 && (listeners_open(&s) || tree_signal(0) > 0)) {
                        r = loop_once(&s);
                        reap(&s);
                }
        }

        obs->run.seconds = now() - s.start;
        obs->run.partial = s.interrupted;
        obs->run.exit_status = status;

finish:
        supervisor_done(&s);
        (void) prctl(PR_SET_CHILD_SUBREAPER, was_subreaper, 0, 0, 0);
        /* Signals that came in the last moments are ours to take as they are. */
        (void) sigprocmask(SIG_SETMASK, &oldmask, NULL);
        exec_context_done(&c);
        if (r < 0)
                return r;
        if (!first_started)
                return status != 0 ? status : EXIT_EXEC;
        return 0;
}

int learn_setup(const Directives *d, LearnFilterKind kind, Diag *diag, LearnSetup *ret) {
        CompileOptions o = COMPILE_OPTIONS_DEFAULT;
        PolicyOptions po = { .native = abi_native() };
        LearnSetup s = {};
        int r;

        o.mdwe = MDWE_SECCOMP;
        if (d->personality != PERSONALITY_INVALID)
                o.personality = d->personality;
        po.personality = d->personality != PERSONALITY_INVALID ? d->personality : current_persona();

        /* What systemd 252 would fail the service for (228), as mf_compile() does. */
        r = directives_check_libseccomp(d, diag);
        if (r >= 0)
                r = sandbox_compile(d, &o, diag, &s.sandbox);
        if (r >= 0)
                r = policy_build(d, &po, diag, &s.filter_policy);
        if (r >= 0)
                r = learn_filter_generate(s.filter_policy, kind, &s.filter, &s.n_filter);
        if (r < 0) {
                learn_setup_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

void learn_setup_done(LearnSetup *s) {
        bpf_programs_free(s->filter, s->n_filter);
        policy_free(s->filter_policy);
        sandbox_free(s->sandbox);
        *s = (LearnSetup) {};
}
