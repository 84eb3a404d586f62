/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the code generator's files. */

#include "bpf-emit.h"
#include "bpf-gen.h"

/* Emit the code deciding one syscall from its arguments (A is free to use) and return where it
 * starts. bits is the ABI's argument width. */
Target emit_decision(Emitter *e, const Decision *d, unsigned bits);

/* Same rules and actions (locations aside): the same code decides both. */
bool decision_equal(const Decision *a, const Decision *b);
