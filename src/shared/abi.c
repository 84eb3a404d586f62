/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "abi.h"
#include "macro.h"

#include "abi-table.gen.c"

Abi abi_native(void) {
#if defined(__x86_64__) && defined(__ILP32__)
        return ABI_X32;
#elif defined(__x86_64__)
        return ABI_X86_64;
#elif defined(__i386__)
        return ABI_X86;
#elif defined(__aarch64__)
        return ABI_AARCH64;
#elif defined(__arm__)
        return ABI_ARM;
#elif defined(__loongarch64)
        return ABI_LOONGARCH64;
#elif defined(__m68k__)
        return ABI_M68K;
#elif defined(__mips__)
#  if _MIPS_SIM == _ABIO32
        return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ABI_MIPS : ABI_MIPSEL;
#  elif _MIPS_SIM == _ABI64
        return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ABI_MIPS64 : ABI_MIPSEL64;
#  elif _MIPS_SIM == _ABIN32
        return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ABI_MIPS64N32 : ABI_MIPSEL64N32;
#  else
#    error "Unknown MIPS ABI"
#  endif
#elif defined(__hppa64__)
        return ABI_PARISC64;
#elif defined(__hppa__)
        return ABI_PARISC;
#elif defined(__powerpc64__)
        return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ABI_PPC64 : ABI_PPC64LE;
#elif defined(__powerpc__)
        return ABI_PPC;
#elif defined(__riscv) && __riscv_xlen == 64
        return ABI_RISCV64;
#elif defined(__s390x__)
        return ABI_S390X;
#elif defined(__s390__)
        return ABI_S390;
#elif defined(__sh__)
        return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? ABI_SHEB : ABI_SH;
#else
#  error "megafilter does not know this architecture's seccomp ABI"
#endif
}

Abi abi_from_name(const char *name) {
        if (!name)
                return _ABI_INVALID;

        for (Abi a = 0; a < _ABI_MAX; a++)
                if (streq(name, abi_info[a].name) || streq(name, abi_info[a].libseccomp_name))
                        return a;
        return _ABI_INVALID;
}

const char *abi_to_name(Abi abi) {
        if (abi < 0 || abi >= _ABI_MAX)
                return NULL;
        return abi_info[abi].name;
}

static int multiplexed_compare(const void *key, const void *m) {
        return strcmp(key, ((const AbiMultiplexed *) m)->name);
}

const AbiMultiplexed *abi_multiplexed(const char *name) {
        return bsearch(name, abi_multiplexed_calls, ELEMENTSOF(abi_multiplexed_calls), sizeof(AbiMultiplexed),
                       multiplexed_compare);
}

Abi abi_from_audit_arch(uint32_t audit_arch) {
        /* Enum order puts x86-64 before x32, which shares its audit arch. */
        for (Abi a = 0; a < _ABI_MAX; a++)
                if (abi_info[a].audit_arch == audit_arch)
                        return a;
        return _ABI_INVALID;
}

Abi abi_from_audit_arch_nr(uint32_t audit_arch, uint32_t nr) {
        Abi a = abi_from_audit_arch(audit_arch);

        /* On an x86-64 kernel, x32 calls arrive with the x86-64 audit arch and the x32 bit set
         * in the number. */
        if (a == ABI_X86_64 && (nr & abi_info[ABI_X32].nr_bias))
                return ABI_X32;
        return a;
}
