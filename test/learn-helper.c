/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What test-learn.sh learns from and then tries under the proposal: each argument is one action,
 * done in order, its result printed on a line of its own as "ok" or the errno's name. Exit status
 * 0. The actions that could change the host are made so that they cannot: the clock set is the
 * monotonic one and the host name too long (EINVAL when allowed), ioperm() only turns access off. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"

/* Under LeakSanitizer (tools/check's sanitizer build), the leak check at exit stops the process's
 * threads with clone() and ptrace(): calls no proposal learned from a run killed before its exit
 * knows, which would leave the check waiting forever. The helper goes without it. */
_public_ int __lsan_is_turned_off(void);
_public_ int __lsan_is_turned_off(void) {
        return 1;
}

static void report(long r) {
        if (r < 0)
                printf("%s\n", strerrorname_np(errno) ?: "?");
        else
                printf("ok\n");
        fflush(stdout);
}

static void *thread_main(void *arg) {
        struct utsname u;
        char buf[256];

        (void) uname(&u);
        (void) getcwd(buf, sizeof buf);
        return arg;
}

static long threads(int n) {
        pthread_t t[64];

        n = MIN(n, 64);
        for (int i = 0; i < n; i++)
                if ((errno = pthread_create(&t[i], NULL, thread_main, NULL)) != 0)
                        return -1;
        for (int i = 0; i < n; i++)
                (void) pthread_join(t[i], NULL);
        return 0;
}

static void *thread_wait(void *arg) {
        pause();
        return arg;
}

/* A filter of the program's own, for every thread at once (TSYNC), over the learning filter:
 * mkdir() gets EPERM. */
static long seccomp_tsync(void) {
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mkdir, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { ELEMENTSOF(f), f };
        pthread_t t;

        if ((errno = pthread_create(&t, NULL, thread_wait, NULL)) != 0)
                return -1;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -1;
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
}

static void on_sigsys(int sig) {
        _exit(99);
}

static long fork_exec(const char *prog) {
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return -1;
        if (pid == 0) {
                execl(prog, prog, (char *) NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                errno = ECHILD;
                return -1;
        }
        return 0;
}

static int family(const char *s) {
        return streq(s, "inet6") ? AF_INET6 : streq(s, "inet") ? AF_INET : streq(s, "unix") ? AF_UNIX :
               streq(s, "packet") ? AF_PACKET : AF_NETLINK;
}

static int namespace(const char *s) {
        return streq(s, "net") ? CLONE_NEWNET : streq(s, "user") ? CLONE_NEWUSER : streq(s, "ipc") ? CLONE_NEWIPC :
               streq(s, "mnt") ? CLONE_NEWNS : CLONE_NEWUTS;
}

#if defined(__x86_64__)
/* getpid() through the i386 entry point. */
static long i386_getpid(void) {
        long r;

        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
        return r;
}
#endif

static long act(const char *a) {
        const char *v;

        if ((v = startswith(a, "socket:")))
                return socket(family(v), SOCK_DGRAM, 0);
        if ((v = startswith(a, "unshare:")))
                return unshare(namespace(v));
        if ((v = startswith(a, "mmap:"))) {
                int prot = streq(v, "wx") ? PROT_READ | PROT_WRITE | PROT_EXEC :
                           streq(v, "rx") ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE;
                void *p = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                return p == MAP_FAILED ? -1 : 0;
        }
        if (streq(a, "mprotect:x")) {
                void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                return p == MAP_FAILED ? -1 : mprotect(p, 4096, PROT_READ | PROT_EXEC);
        }
        if ((v = startswith(a, "personality:")))
                return personality(streq(v, "linux32") ? PER_LINUX32 : PER_LINUX);
        if ((v = startswith(a, "sched:"))) {
                struct sched_param sp = { .sched_priority = streq(v, "fifo") ? 1 : 0 };
                int policy = streq(v, "fifo") ? SCHED_FIFO : streq(v, "batch") ? SCHED_BATCH : SCHED_OTHER;

                return sched_setscheduler(0, policy, &sp);
        }
        if ((v = startswith(a, "chmod:"))) {
                char *end;
                mode_t m = (mode_t) strtoul(v, &end, 8);

                return *end == ':' ? chmod(end + 1, m) : -1;
        }
        if ((v = startswith(a, "mkdir:")))
                return mkdir(v, 0755);
        if ((v = startswith(a, "threads:")))
                return threads(atoi(v));
        if ((v = startswith(a, "fork-exec:")))
                return fork_exec(v);
        if (streq(a, "clock-settime-invalid")) {
                struct timespec ts = { .tv_sec = 1, .tv_nsec = 0 };

                return clock_settime(CLOCK_MONOTONIC, &ts);     /* cannot be set: EINVAL */
        }
        if (streq(a, "init-module-null"))
                return syscall(SYS_init_module, NULL, 0, "");
        if (streq(a, "syslog-size"))
                return syscall(SYS_syslog, 10, NULL, 0);        /* SYSLOG_ACTION_SIZE_BUFFER */
        if (streq(a, "sethostname-invalid")) {
                char name[300];

                memset(name, 'x', sizeof name);
                return sethostname(name, sizeof name);          /* longer than the kernel takes */
        }
#if defined(__x86_64__)
        if (streq(a, "ioperm-off"))
                return syscall(SYS_ioperm, 0x80, 1, 0);
        if (streq(a, "i386-getpid"))
                return i386_getpid();
#endif
        if ((v = startswith(a, "syscall:")))
                return syscall(atol(v), 0, 0, 0, 0, 0, 0);
        if ((v = startswith(a, "outlive:"))) {
                /* A child that goes on after we exit. */
                pid_t pid = fork();

                if (pid == 0) {
                        sleep((unsigned) atoi(v));
                        _exit(0);
                }
                return pid < 0 ? -1 : 0;
        }
        if (streq(a, "seccomp-tsync"))
                return seccomp_tsync();
        if (streq(a, "catch-sigsys"))
                return sigaction(SIGSYS, &(struct sigaction) { .sa_handler = on_sigsys }, NULL);
        if (streq(a, "wait-usr1")) {
                sigset_t set;
                int sig;

                sigemptyset(&set);
                sigaddset(&set, SIGUSR1);
                sigprocmask(SIG_BLOCK, &set, NULL);
                return sigwait(&set, &sig) == 0 ? 0 : -1;
        }
        if ((v = startswith(a, "sleep:")))
                return sleep((unsigned) atoi(v)) == 0 ? 0 : -1;
        fprintf(stderr, "learn-helper: unknown action %s\n", a);
        exit(2);
}

int main(int argc, char *argv[]) {
        for (int i = 1; i < argc; i++) {
                errno = 0;
                report(act(argv[i]));
        }
        return 0;
}
