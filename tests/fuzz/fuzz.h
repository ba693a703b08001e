/*
 * fuzz.h: the libFuzzer entry points every target in tests/fuzz defines, and
 * a check that aborts (so that libFuzzer and the replay driver see a crash)
 * when a parser breaks one of its documented promises.
 */
#ifndef HASYNC_FUZZ_H
#define HASYNC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

#define FUZZ_ASSERT(x) do {						\
	if (!(x)) {							\
		fprintf(stderr, "%s:%d: broken promise: %s\n",		\
		    __FILE__, __LINE__, #x);				\
		abort();						\
	}								\
} while (0)

#endif
