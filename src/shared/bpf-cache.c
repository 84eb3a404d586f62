/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A model of the kernel's constant-action cache (kernel/seccomp.c, Linux >= 5.11). When a filter
 * is attached, the kernel emulates it for every syscall number of the native ABI and of its compat
 * ABI, knowing only nr and arch, and keeps a per-ABI bitmap of the numbers for which every filter
 * of the chain surely returns SECCOMP_RET_ALLOW. Those numbers then skip the filters entirely. */

#include "bpf-cache.h"
#include "bpf-program.h"
#include "macro.h"
#include "syscall-table.h"

/* ARM's private calls (cacheflush, set_tls, …) are numbered from here on, past NR_syscalls. */
#define ARM_PRIVATE_NR_BASE UINT32_C(0x0f0000)

bool bpf_cache_allows(const struct sock_filter *insns, size_t n, uint32_t arch, uint32_t nr) {
        uint32_t A = 0;

        for (size_t pc = 0; pc < n; pc++) {
                const struct sock_filter *f = insns + pc;

                switch (f->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (f->k == SECCOMP_DATA_NR)
                                A = nr;
                        else if (f->k == SECCOMP_DATA_ARCH)
                                A = arch;
                        else
                                return false;   /* arguments, ip: not known at attach time */
                        break;
                case BPF_JMP | BPF_JA:
                        pc += f->k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += A == f->k ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                        pc += A >= f->k ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        pc += A > f->k ? f->jt : f->jf;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        pc += (A & f->k) ? f->jt : f->jf;
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        A &= f->k;
                        break;
                case BPF_RET | BPF_K:
                        return f->k == SECCOMP_RET_ALLOW;
                default:
                        return false;           /* the kernel's emulator gives up on anything else */
                }
        }

        return false;
}

/* The compat ABI a 64-bit kernel caches beside its native one (SECCOMP_ARCH_COMPAT, with
 * CONFIG_COMPAT). ppc64le's compat ABI would be little-endian ppc, which is not an ABI here;
 * s390 dropped compat support after Linux 6.18. */
static Abi cache_compat_abi(Abi native) {
        switch (native) {
        case ABI_X86_64:
                return ABI_X86;
        case ABI_AARCH64:
                return ABI_ARM;
        case ABI_S390X:
                return ABI_S390;
        case ABI_PPC64:
                return ABI_PPC;
        case ABI_PARISC64:
                return ABI_PARISC;
        default:
                return _ABI_INVALID;
        }
}

bool bpf_cache_abi(Abi native, Abi abi) {
        if (native < 0 || native >= _ABI_MAX || abi < 0 || abi >= _ABI_MAX)
                return false;

        switch (native) {
        /* MIPS defines no SECCOMP_ARCH_NATIVE: its kernels keep no cache at all. */
        case ABI_MIPS:
        case ABI_MIPSEL:
        case ABI_MIPS64:
        case ABI_MIPSEL64:
        case ABI_MIPS64N32:
        case ABI_MIPSEL64N32:
        /* x32 shares x86-64's audit arch and is told apart by a number bit that puts it outside the
         * bitmap: never cached, and never a host's native ABI. */
        case ABI_X32:
                return false;
        default:
                return abi == native || abi == cache_compat_abi(native);
        }
}

/* SECCOMP_ARCH_*_NR (NR_syscalls): the bitmap covers 0 … end-1. All ABIs the kernel caches have
 * no number bias, so this is one past the table's largest number, ARM's private calls aside. */
static uint32_t cache_nr_end(Abi abi) {
        uint32_t max = syscall_nr_max(abi), end = 0;

        if (max < ARM_PRIVATE_NR_BASE)
                return max + 1;

        for (size_t id = 0; id < syscall_count(); id++) {
                int64_t nr = syscall_nr(abi, (int) id);

                if (nr >= 0 && nr < ARM_PRIVATE_NR_BASE)
                        end = MAX(end, (uint32_t) nr + 1);
        }
        return end;
}

uint32_t bpf_cache_nr_end(Abi abi) {
        return abi >= 0 && abi < _ABI_MAX ? cache_nr_end(abi) : 0;
}

/* The kernel's one exception to filtering (Linux 6.14 for uretprobe, 6.18 for uprobe, both also in
 * stable releases): on the native ABI these are always considered allowed, whatever the filters
 * say, because they are only ever issued from the kernel's own probe trampolines. */
static bool is_uprobe_exception(Abi abi, uint32_t nr) {
        const char *name = syscall_name(syscall_from_nr(abi, nr));

        return name && (streq(name, "uretprobe") || streq(name, "uprobe"));
}

bool bpf_chain_cache_allows(const BpfFilterRef *filters, size_t n, Abi abi, uint32_t nr) {
        return bpf_chain_cache_allows_on(abi_native(), filters, n, abi, nr);
}

bool bpf_chain_cache_allows_on(Abi native, const BpfFilterRef *filters, size_t n, Abi abi, uint32_t nr) {
        if (!bpf_cache_abi(native, abi))
                return false;
        if (nr >= cache_nr_end(abi))
                return false;
        if (abi == native && is_uprobe_exception(abi, nr))
                return true;

        for (size_t i = 0; i < n; i++)
                if (!bpf_cache_allows(filters[i].insns, filters[i].n, abi_info[abi].audit_arch, nr))
                        return false;

        return true;
}
